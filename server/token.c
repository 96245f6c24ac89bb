/* token (server): see token.h. */
#include "server/token.h"

#include "engine/sha256.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

static void to_hex(const uint8_t *p, size_t n, char *z) {
	static const char aHex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) z[2 * i] = aHex[p[i] >> 4], z[2 * i + 1] = aHex[p[i] & 15];
	z[2 * n] = 0;
}

int srv_token_new(char zHex[SRV_TOKEN_HEX], ky_err *pErr) {
	uint8_t a[16];
	size_t got = 0;
	while (got < sizeof a) {
		ssize_t r = getrandom(a + got, sizeof a - got, 0);
		if (r < 0 && errno == EINTR) continue;
		if (r <= 0) return ky_err_set(pErr, KY_EIO, "token: getrandom: %s", strerror(errno));
		got += (size_t)r;
	}
	to_hex(a, sizeof a, zHex);
	return 0;
}

void srv_token_hash(const char *z, char zHex[SRV_HASH_HEX]) {
	uint8_t a[32];
	eng_sha256(z, strlen(z), a);
	to_hex(a, sizeof a, zHex);
}

int srv_token_equal(const char *a, const char *b) {
	size_t na = strlen(a), nb = strlen(b);
	unsigned d = na != nb;
	for (size_t i = 0; i < na && i < nb; i++) d |= (unsigned)(a[i] ^ b[i]);
	return d == 0;
}

/* fuzz_journal: the journal's snapshot store (engine/journal.c): keyframes, zero-run-elided keyframes and XOR deltas.
 * The first byte chooses:
 *   even: a round trip. The rest is cut into blobs (lengths from the input) stored with eng_journal_snapshot at
 *         t = 1, 2, ... in an in-memory journal (keyframe interval from the input); each one read back with
 *         eng_journal_snapshot_at must be byte for byte what was stored.
 *   odd:  damaged rows. The rest is cut into snapshot rows (kind, base, raw length, data: anything) written straight
 *         into a journal file with sqlite3; eng_journal_snapshot_at on every time must return a blob of the length
 *         its row claims, or KY_EPARSE, never read or write out of bounds. */
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "engine/journal.h"
#include "tests/fuzz/fuzz.h"

typedef struct reader {
	const uint8_t *p;
	size_t n, i;
} reader;

static unsigned take_u8(reader *r) { return r->i < r->n ? r->p[r->i++] : 0; }
static unsigned take_u16(reader *r) { return take_u8(r) | take_u8(r) << 8; }

static void round_trip(reader *r) {
	ky_err err = { 0 };
	eng_journal *j = eng_journal_open(":memory:", ENG_JOURNAL_CREATE, &err);
	unsigned char *apBlob[32];
	size_t anBlob[32];
	int nBlob = 0;
	FUZZ_ASSERT(j != NULL);
	eng_journal_set_keyframes(j, 1 + (int)(take_u8(r) % 10));
	size_t nLen = take_u16(r) % 4097; /* most snapshots of a drill have one length; some change it */
	while (r->i < r->n && nBlob < 32) {
		unsigned op = take_u8(r);
		if (op % 8 == 0) nLen = take_u16(r) % 4097;
		unsigned char *b = calloc(nLen ? nLen : 1, 1);
		FUZZ_ASSERT(b);
		if (nBlob > 0 && anBlob[nBlob - 1] == nLen && nLen) memcpy(b, apBlob[nBlob - 1], nLen); /* a small change */
		for (unsigned k = take_u8(r) % 16; k > 0 && nLen; k--) {
			size_t at = take_u16(r) % nLen;
			b[at] = (unsigned char)take_u8(r);
		}
		FUZZ_ASSERT(eng_journal_snapshot(j, nBlob + 1, b, nLen, &err) == 0);
		apBlob[nBlob] = b;
		anBlob[nBlob++] = nLen;
	}
	FUZZ_ASSERT(eng_journal_flush(j, &err) == 0);
	for (int i = 0; i < nBlob; i++) {
		unsigned char *p = NULL;
		size_t n = 0;
		eng_time_t t = 0;
		FUZZ_ASSERT(eng_journal_snapshot_at(j, i + 1, &p, &n, &t, &err) == 0);
		FUZZ_ASSERT(t == i + 1 && n == anBlob[i] && (n == 0 || memcmp(p, apBlob[i], n) == 0));
		free(p);
		free(apBlob[i]);
	}
	FUZZ_ASSERT(eng_journal_close(j, &err) == 0);
}

static char gzPath[256];

static void remove_db(void) {
	static const char *const azSuffix[] = { "", "-wal", "-shm" };
	char z[300];
	for (int i = 0; i < 3; i++) {
		snprintf(z, sizeof z, "%s%s", gzPath, azSuffix[i]);
		unlink(z);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
	ky_err err = { 0 };
	const char *zTmp = getenv("TMPDIR");
	(void)argc, (void)argv;
	snprintf(gzPath, sizeof gzPath, "%s/kyodo-fuzz-journal-%d.db", zTmp && *zTmp ? zTmp : "/tmp", (int)getpid());
	eng_journal *j = eng_journal_open(gzPath, ENG_JOURNAL_CREATE | ENG_JOURNAL_TRUNCATE, &err);
	FUZZ_ASSERT(j && eng_journal_close(j, &err) == 0);
	atexit(remove_db);
	return 0;
}

static void damaged_rows(reader *r) {
	sqlite3 *db;
	sqlite3_stmt *st;
	ky_err err = { 0 };
	int nRow = 0;
	if (!gzPath[0]) LLVMFuzzerInitialize(NULL, NULL);
	FUZZ_ASSERT(sqlite3_open(gzPath, &db) == SQLITE_OK);
	FUZZ_ASSERT(sqlite3_exec(db, "DELETE FROM snapshots", NULL, NULL, NULL) == SQLITE_OK);
	FUZZ_ASSERT(sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO snapshots(t_us, kind, base_us, raw_len, data) VALUES(?1, ?2, ?3, ?4, ?5)",
	                               -1, &st, NULL) == SQLITE_OK);
	while (r->i < r->n && nRow < 16) {
		int t = 1 + (int)(take_u8(r) % 16), kind = (int)(take_u8(r) % 4) - (take_u8(r) == 255);
		int base = (int)(take_u8(r) % 17);
		long long rawLen = (long long)take_u16(r) - (take_u8(r) == 255 ? 70000 : 0);
		if (take_u8(r) == 255) rawLen = (1ll << 40) + rawLen; /* a damaged huge length */
		size_t nData = take_u16(r) % 512;
		if (nData > r->n - r->i) nData = r->n - r->i;
		sqlite3_bind_int(st, 1, t);
		sqlite3_bind_int(st, 2, kind);
		sqlite3_bind_int(st, 3, base);
		sqlite3_bind_int64(st, 4, rawLen);
		sqlite3_bind_blob(st, 5, nData ? r->p + r->i : (const void *)"", (int)nData, SQLITE_TRANSIENT);
		r->i += nData;
		FUZZ_ASSERT(sqlite3_step(st) == SQLITE_DONE);
		sqlite3_reset(st);
		nRow++;
	}
	sqlite3_finalize(st);
	FUZZ_ASSERT(sqlite3_close(db) == SQLITE_OK);
	eng_journal *j = eng_journal_open(gzPath, ENG_JOURNAL_READONLY, &err);
	FUZZ_ASSERT(j != NULL);
	for (int t = 0; t <= 17; t++) {
		unsigned char *p = NULL;
		size_t n = 0;
		int rc = eng_journal_snapshot_at(j, t, &p, &n, NULL, &err);
		FUZZ_ASSERT(rc == 0 || rc == KY_ENOENT || rc == KY_EPARSE || rc == KY_ENOMEM);
		if (rc == 0 && n) p[n - 1] ^= 1; /* the whole length is ours to touch */
		free(p);
	}
	eng_journal_close(j, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	reader r = { data, size, 1 };
	if (size == 0) return 0;
	if (data[0] % 2 == 0) round_trip(&r);
	else damaged_rows(&r);
	return 0;
}

/* sha256: see sha256.h. */
#include "engine/sha256.h"

#include <string.h>

static const uint32_t aK[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t aH[8], const uint8_t *p) {
	uint32_t w[64], a, b, c, d, e, f, g, h;
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = aH[0], b = aH[1], c = aH[2], d = aH[3], e = aH[4], f = aH[5], g = aH[6], h = aH[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + aK[i] + w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	aH[0] += a, aH[1] += b, aH[2] += c, aH[3] += d, aH[4] += e, aH[5] += f, aH[6] += g, aH[7] += h;
}

void eng_sha256(const void *pData, size_t n, uint8_t aOut[32]) {
	uint32_t aH[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	const uint8_t *p = pData;
	uint8_t aTail[128];
	size_t nFull = n & ~(size_t)63, nRest = n - nFull, nTail;
	uint64_t nBits = (uint64_t)n * 8;
	for (size_t i = 0; i < nFull; i += 64) sha256_block(aH, p + i);
	memset(aTail, 0, sizeof aTail);
	if (nRest) memcpy(aTail, p + nFull, nRest);
	aTail[nRest] = 0x80;
	nTail = nRest + 1 + 8 <= 64 ? 64 : 128;
	for (int i = 0; i < 8; i++) aTail[nTail - 1 - i] = (uint8_t)(nBits >> (8 * i));
	for (size_t i = 0; i < nTail; i += 64) sha256_block(aH, aTail + i);
	for (int i = 0; i < 8; i++) {
		aOut[4 * i] = (uint8_t)(aH[i] >> 24), aOut[4 * i + 1] = (uint8_t)(aH[i] >> 16);
		aOut[4 * i + 2] = (uint8_t)(aH[i] >> 8), aOut[4 * i + 3] = (uint8_t)aH[i];
	}
}

void eng_sha256_hex(const void *pData, size_t n, char zHex[65]) {
	static const char aHex[] = "0123456789abcdef";
	uint8_t a[32];
	eng_sha256(pData, n, a);
	for (int i = 0; i < 32; i++) zHex[2 * i] = aHex[a[i] >> 4], zHex[2 * i + 1] = aHex[a[i] & 15];
	zHex[64] = 0;
}

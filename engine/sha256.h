/* sha256: FIPS 180-4 SHA-256 of a buffer: the scenario file's digest, token digests, the world's state hash.
 * One implementation for every module; knows nothing else. */
#ifndef ENG_SHA256_H
#define ENG_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* SHA-256 of pData[0..n) into 32 bytes. This function can't fail. */
void eng_sha256(const void *pData, size_t n, uint8_t aOut[32]);
/* The same digest as 64 lowercase hex characters and a NUL. This function can't fail. */
void eng_sha256_hex(const void *pData, size_t n, char zHex[65]);

#endif

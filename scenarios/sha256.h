/* sha256: FIPS 180-4 SHA-256 of a buffer, for the scenario file's digest in the journal header. */
#ifndef SCN_SHA256_H
#define SCN_SHA256_H

#include <stddef.h>

/* Writes the digest of buf[0..n) as 64 lowercase hex characters and a NUL into hex. This function can't fail. */
void scn_sha256_hex(const void *buf, size_t n, char hex[65]);

#endif

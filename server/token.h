/* token (server): the drill's access tokens: 128 random bits as 32 hex characters, one per team and one for
 * the facilitator. Only their SHA-256 digests are kept (in the journal), so a token is checked by hashing what
 * the client presents. Knows nothing of sockets or the drill. */
#ifndef SRV_TOKEN_H
#define SRV_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"

#define SRV_TOKEN_HEX 33  /* 32 hex characters + NUL */
#define SRV_HASH_HEX 65   /* 64 hex characters + NUL */

/* Fills zHex with a fresh token from the kernel's random source (getrandom). KY_EIO if it fails. */
int srv_token_new(char zHex[SRV_TOKEN_HEX], ky_err *pErr);
/* The SHA-256 of z (as given, NUL excluded) in lowercase hex. Cannot fail. */
void srv_token_hash(const char *z, char zHex[SRV_HASH_HEX]);
/* Compares two equal-length strings in time independent of where they differ; 1 when equal. */
int srv_token_equal(const char *a, const char *b);

#endif

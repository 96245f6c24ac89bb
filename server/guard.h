/* guard (server): the per-address brake on failed hellos. Each address that sent a wrong token must wait before its
 * next hello is even looked at: 250 ms after the first failure, doubling with each further one, up to 60 s; an
 * address with no failure for 10 minutes starts again from nothing. Addresses are independent: a storm of wrong
 * tokens from one never delays a hello from another. Bounded: at most SRV_GUARD_MAX addresses are remembered (the
 * one idle longest is forgotten first). Pure: the caller gives the wall time; no sockets here. */
#ifndef SRV_GUARD_H
#define SRV_GUARD_H

#include <stdint.h>

#define SRV_GUARD_MAX 4096
#define SRV_GUARD_ADDR 64             /* bytes of an address, NUL included */
#define SRV_GUARD_FIRST_US 250000LL   /* wait after the first failure */
#define SRV_GUARD_MAX_US 60000000LL   /* longest wait */
#define SRV_GUARD_FORGET_US 600000000LL

typedef struct srv_guard_entry {
	char zAddr[SRV_GUARD_ADDR];
	uint32_t nFail;
	int64_t tLast;     /* last failure (wall us) */
	int64_t tUntil;    /* no hello looked at before this */
} srv_guard_entry;

typedef struct srv_guard {
	srv_guard_entry *a;
	int n, nAlloc;
} srv_guard;

void srv_guard_init(srv_guard *g);
void srv_guard_fini(srv_guard *g);
/* 0 when a hello from zAddr may be checked now; else the microseconds it must still wait. */
int64_t srv_guard_wait(const srv_guard *g, const char *zAddr, int64_t now);
/* A wrong token from zAddr at now: the next wait doubles. Returns that wait (us). */
int64_t srv_guard_fail(srv_guard *g, const char *zAddr, int64_t now);
/* Failures on record for zAddr (0 when none), for tests and metrics. */
uint32_t srv_guard_failures(const srv_guard *g, const char *zAddr, int64_t now);

#endif

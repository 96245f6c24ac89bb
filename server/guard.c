/* guard (server): see guard.h. A small array searched linearly: the addresses that failed recently are few. */
#include "server/guard.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void srv_guard_init(srv_guard *g) { memset(g, 0, sizeof *g); }

void srv_guard_fini(srv_guard *g) {
	free(g->a);
	memset(g, 0, sizeof *g);
}

/* The live entry of zAddr, or NULL (an entry idle past SRV_GUARD_FORGET_US counts as gone). */
static srv_guard_entry *find(const srv_guard *g, const char *zAddr, int64_t now) {
	for (int i = 0; i < g->n; i++) {
		srv_guard_entry *e = &g->a[i];
		if (strcmp(e->zAddr, zAddr) == 0) return now - e->tLast > SRV_GUARD_FORGET_US ? NULL : e;
	}
	return NULL;
}

int64_t srv_guard_wait(const srv_guard *g, const char *zAddr, int64_t now) {
	const srv_guard_entry *e = find(g, zAddr, now);
	return e && e->tUntil > now ? e->tUntil - now : 0;
}

uint32_t srv_guard_failures(const srv_guard *g, const char *zAddr, int64_t now) {
	const srv_guard_entry *e = find(g, zAddr, now);
	return e ? e->nFail : 0;
}

/* The slot for zAddr: its own, a free one, or the one idle longest. NULL only when out of memory. */
static srv_guard_entry *slot(srv_guard *g, const char *zAddr) {
	int iOld = 0;
	for (int i = 0; i < g->n; i++) {
		if (strcmp(g->a[i].zAddr, zAddr) == 0) return &g->a[i];
		if (g->a[i].tLast < g->a[iOld].tLast) iOld = i;
	}
	if (g->n == SRV_GUARD_MAX) {
		memset(&g->a[iOld], 0, sizeof g->a[iOld]);
		return &g->a[iOld];
	}
	if (g->n == g->nAlloc) {
		int nNew = g->nAlloc ? 2 * g->nAlloc : 16;
		srv_guard_entry *a = realloc(g->a, (size_t)nNew * sizeof *a);
		if (!a) return NULL;
		g->a = a;
		g->nAlloc = nNew;
	}
	memset(&g->a[g->n], 0, sizeof g->a[0]);
	return &g->a[g->n++];
}

int64_t srv_guard_fail(srv_guard *g, const char *zAddr, int64_t now) {
	srv_guard_entry *e = slot(g, zAddr);
	int64_t wait = SRV_GUARD_FIRST_US;
	if (!e) return 0;
	if (now - e->tLast > SRV_GUARD_FORGET_US) e->nFail = 0; /* quiet long enough: a fresh start */
	snprintf(e->zAddr, sizeof e->zAddr, "%s", zAddr);
	e->nFail++;
	for (uint32_t i = 1; i < e->nFail && wait < SRV_GUARD_MAX_US; i++) wait *= 2;
	if (wait > SRV_GUARD_MAX_US) wait = SRV_GUARD_MAX_US;
	e->tLast = now;
	e->tUntil = now + wait;
	assert(e->tUntil > now);
	return wait;
}

/* queue: see queue.h. A calendar queue with a sorted front, chosen by measurement (docs/architecture.md,
 * "The engine").
 *
 * Layout (all indices are uint32 slots of one pool of 32-byte records, NIL = none):
 *   front    the events with t < the window end: `aBot` (one calendar bucket, sorted by (t, id), read from
 *            iBot on) and `aLate` (a small binary heap for events pushed into that window after it was
 *            sorted). The earliest event is the smaller of aBot[iBot] and aLate[0].
 *   calendar nB buckets of width 2^shift from calStart; bucket i holds, unsorted, the events with
 *            calStart + i*2^shift <= t < calStart + (i+1)*2^shift as a singly linked list of pool slots.
 *            Buckets below iNext have been moved to the front.
 *   overflow the events past the calendar's end, Q_OVF unsorted lists (filled in turn) with their count,
 *            minimum and sum of times; when the calendar runs out it is rebuilt from the overflow, with the
 *            bucket width set so that the nearest buckets hold about Q_PER_BUCKET events.
 * List walks are chains of dependent cache misses: prefetch cursors walk the next buckets ahead of need
 * (pf_step), and a rebuild walks the overflow lists side by side. Pop never allocates: when the front
 * cannot grow to hold a bucket, the bucket's list is merge-sorted in place and read from (iPart).
 * Cancel is lazy: a ring bitmap over event ids (one bit per id issued since the oldest pending one, with a
 * small hash set for stragglers that fell below it when it would grow too large) says which ids are pending. Cancel clears the bit; a record whose bit is clear is dropped when it reaches the
 * front (or when a calendar rebuild meets it). When dead records outnumber live ones they are purged, so
 * cancelled events never hold more memory than pending ones.
 * Nothing is allocated per event: the pool, the bucket heads, the front arrays and the bitmap grow
 * geometrically (the pool by 1/16 so that its slack stays small) and are reused. */
#include "engine/queue.h"

#include <stdlib.h>
#include <string.h>

#define Q_NIL UINT32_MAX
#define Q_ID_BITS 48
#define Q_ID_MAX ((UINT64_C(1) << Q_ID_BITS) - 1)
#define Q_KIND_MAX 0xFFFFu
/* Tuning, measured on PHOLD (docs/architecture.md); -D overrides are for such measurements only. */
#ifndef Q_PER_BUCKET
#define Q_PER_BUCKET 24     /* target events per bucket at the near end of a fresh calendar */
#endif
#ifndef Q_SPAN_MUL
#define Q_SPAN_MUL 6        /* a calendar spans this many mean distances of the overflow from its minimum */
#endif
#define Q_BUCKETS_MAX (1u << 24)
#ifndef Q_PF
#define Q_PF 6              /* prefetch cursors */
#endif
#ifndef Q_PF_STEP
#define Q_PF_STEP 2         /* cursors advanced per pop, in turn: a cursor reads a record Q_PF/Q_PF_STEP pops after prefetching it */
#endif
#define Q_OVF 4
#ifndef Q_PF_AHEAD
#define Q_PF_AHEAD 8        /* how many buckets past the next one the cursors may walk */
#endif

/* A pending event as stored: id and kind share one word (id << 16 | kind), so comparing (t, idk) orders
 * by (time, insertion sequence). `next` links the record into a bucket, the overflow or the free list. */
typedef struct q_rec {
	int64_t t;
	uint64_t idk;
	uint64_t b;
	uint32_t a;
	uint32_t next;
} q_rec;

struct eng_queue {
	/* pool */
	q_rec *aPool;
	uint32_t nPoolCap, nPoolUsed, iFree;
	/* calendar */
	uint32_t *aHead;
	uint32_t nHeadCap, nB, iNext, shift;
	int64_t calStart;
	uint64_t endOff;    /* offsets (t - calStart) below endOff are in the front */
	uint64_t spanOff;   /* offsets at or past spanOff are in the overflow */
	uint32_t iPart;     /* rest of a bucket that did not fit the front (only when its growth failed) */
	uint32_t aPf[Q_PF], iPfTop, iPfTurn; /* prefetch cursors (slots already prefetched), next bucket to walk (pf_step) */
	/* overflow */
	uint32_t aOvf[Q_OVF];  /* Q_OVF lists, filled in turn, so that a rebuild walks independent chains */
	uint64_t nOvf;
	int64_t ovfMin;
	__int128 ovfSum;
	/* front */
	q_rec *aBot;
	uint32_t nBot, iBot, nBotCap;
	q_rec *aLate;
	uint32_t nLate, nLateCap;
	/* pending-id bitmap: words [wordBase, wordBase + nBitCap) of the id space, ring-indexed */
	uint64_t *aBit;
	uint64_t nBitCap, wordBase;
	/* stragglers: pending ids below wordBase (open addressing, linear probing, 0 = empty slot) */
	uint64_t *aOld;
	uint64_t nOld, nOldCap;
	/* counts */
	uint64_t nextId;
	size_t nLive, nDead;
	eng_time_t lastPop;
};

static int rec_less(const q_rec *x, const q_rec *y) {
	return x->t < y->t || (x->t == y->t && x->idk < y->idk);
}

/* ---- pending-id bitmap ---- */

/* The straggler set keeps the bitmap's span bounded: when the ring would have to grow past about 64 bits
 * per pending event, its oldest words are emptied into this set instead (a long-lived event would otherwise
 * keep one bit for every id issued after it). */
static uint64_t old_slot(const eng_queue *q, uint64_t id) {
	return (id * 0x9e3779b97f4a7c15ULL) >> (64 - __builtin_ctzll(q->nOldCap));
}

static int64_t old_find(const eng_queue *q, uint64_t id) {
	uint64_t mask = q->nOldCap - 1;
	for (uint64_t i = old_slot(q, id);; i = (i + 1) & mask) {
		if (q->aOld[i] == id) return (int64_t)i;
		if (q->aOld[i] == 0) return -1;
	}
}

static void old_put(eng_queue *q, uint64_t id) {
	uint64_t mask = q->nOldCap - 1, i = old_slot(q, id);
	while (q->aOld[i] != 0) i = (i + 1) & mask;
	q->aOld[i] = id;
	q->nOld++;
}

/* Room for n more ids at a load of at most one half; KY_ENOMEM leaves the set as it was. */
static int old_reserve(eng_queue *q, uint64_t n) {
	uint64_t cap = q->nOldCap ? q->nOldCap : 64, *aPrev = q->aOld, nPrevCap = q->nOldCap;
	if (2 * (q->nOld + n) <= q->nOldCap) return KY_OK;
	while (2 * (q->nOld + n) > cap) cap *= 2;
	q->aOld = calloc(cap, sizeof *q->aOld);
	if (!q->aOld) {
		q->aOld = aPrev;
		return KY_ENOMEM;
	}
	q->nOldCap = cap;
	q->nOld = 0;
	for (uint64_t i = 0; i < nPrevCap; i++) {
		if (aPrev[i]) old_put(q, aPrev[i]);
	}
	free(aPrev);
	return KY_OK;
}

/* Removes id (present) with backward-shift deletion, so that no tombstones build up. */
static void old_del(eng_queue *q, uint64_t i) {
	uint64_t mask = q->nOldCap - 1, j = i;
	for (;;) {
		uint64_t home;
		j = (j + 1) & mask;
		if (q->aOld[j] == 0) break;
		home = old_slot(q, q->aOld[j]);
		/* move aOld[j] into the hole at i unless its home lies cyclically in (i, j] */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			q->aOld[i] = q->aOld[j];
			i = j;
		}
	}
	q->aOld[i] = 0;
	q->nOld--;
}

static int bit_pending(const eng_queue *q, uint64_t id) {
	uint64_t w = id >> 6;
	if (w < q->wordBase) return q->nOld > 0 && old_find(q, id) >= 0;
	return (int)((q->aBit[w & (q->nBitCap - 1)] >> (id & 63)) & 1);
}

/* Empties the oldest words of the ring into the straggler set until the id q->nextId fits; 0 if it does. */
static int bit_evict(eng_queue *q) {
	uint64_t wTop = q->nextId >> 6, mask = q->nBitCap - 1;
	while (wTop - q->wordBase >= q->nBitCap) {
		uint64_t word = q->aBit[q->wordBase & mask];
		if (old_reserve(q, (uint64_t)__builtin_popcountll(word)) != KY_OK) return -1;
		for (; word; word &= word - 1) old_put(q, q->wordBase * 64 + (uint64_t)__builtin_ctzll(word));
		q->aBit[q->wordBase & mask] = 0;
		q->wordBase++;
		while (q->wordBase < wTop && q->aBit[q->wordBase & mask] == 0) q->wordBase++;
	}
	return 0;
}

/* Makes room for id q->nextId; KY_ENOMEM leaves the pending set as it was. */
static int bit_reserve(eng_queue *q) {
	uint64_t wTop = q->nextId >> 6, cap = q->nBitCap, *a;
	if (wTop - q->wordBase < cap) return KY_OK;
	if (cap * 64 >= 64 * (uint64_t)q->nLive + 65536 && bit_evict(q) == 0) return KY_OK;
	while (wTop - q->wordBase >= cap) cap *= 2;
	a = calloc(cap, sizeof *a);
	if (!a) return KY_ENOMEM;
	for (uint64_t w = q->wordBase; w < wTop; w++) a[w & (cap - 1)] = q->aBit[w & (q->nBitCap - 1)];
	free(q->aBit);
	q->aBit = a;
	q->nBitCap = cap;
	return KY_OK;
}

static void bit_set(eng_queue *q, uint64_t id) {
	q->aBit[(id >> 6) & (q->nBitCap - 1)] |= UINT64_C(1) << (id & 63);
}

static void bit_clear(eng_queue *q, uint64_t id) {
	uint64_t w = id >> 6, top = q->nextId >> 6, mask = q->nBitCap - 1;
	if (w < q->wordBase) {
		int64_t i = q->nOld ? old_find(q, id) : -1;
		if (i >= 0) old_del(q, (uint64_t)i);
		return;
	}
	q->aBit[w & mask] &= ~(UINT64_C(1) << (id & 63));
	if (w != q->wordBase) return;
	while (q->wordBase < top && q->aBit[q->wordBase & mask] == 0) q->wordBase++;
}

/* ---- pool ---- */

static int pool_reserve(eng_queue *q) {
	uint64_t cap;
	q_rec *p;
	if (q->iFree != Q_NIL || q->nPoolUsed < q->nPoolCap) return KY_OK;
	cap = (uint64_t)q->nPoolCap + q->nPoolCap / 16 + 16;
	if (cap >= Q_NIL) cap = Q_NIL - 1;
	if (cap <= q->nPoolCap) return KY_ENOMEM;
	p = realloc(q->aPool, cap * sizeof *p);
	if (!p) return KY_ENOMEM;
	q->aPool = p;
	q->nPoolCap = (uint32_t)cap;
	return KY_OK;
}

/* A free slot; pool_reserve must have succeeded. */
static uint32_t pool_take(eng_queue *q) {
	uint32_t i = q->iFree;
	if (i != Q_NIL) {
		q->iFree = q->aPool[i].next;
		return i;
	}
	return q->nPoolUsed++;
}

static void pool_give(eng_queue *q, uint32_t i) {
	q->aPool[i].next = q->iFree;
	q->iFree = i;
}

/* ---- late heap (binary, by (t, id)) ---- */

static void late_up(q_rec *a, uint32_t i) {
	q_rec e = a[i];
	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (!rec_less(&e, &a[p])) break;
		a[i] = a[p];
		i = p;
	}
	a[i] = e;
}

static void late_down(q_rec *a, uint32_t n, uint32_t i) {
	q_rec e = a[i];
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= n) break;
		if (c + 1 < n && rec_less(&a[c + 1], &a[c])) c++;
		if (!rec_less(&a[c], &e)) break;
		a[i] = a[c];
		i = c;
	}
	a[i] = e;
}

static int grow_recs(q_rec **pa, uint32_t *pCap, uint64_t need) {
	uint64_t cap = *pCap ? *pCap : 16;
	q_rec *p;
	if (need <= *pCap) return KY_OK;
	while (cap < need) cap *= 2;
	if (cap >= Q_NIL) return KY_ENOMEM;
	p = realloc(*pa, cap * sizeof *p);
	if (!p) return KY_ENOMEM;
	*pa = p;
	*pCap = (uint32_t)cap;
	return KY_OK;
}

/* ---- sorting a bucket into the front ---- */

static void sort_insertion(q_rec *a, uint32_t n) {
	for (uint32_t i = 1; i < n; i++) {
		q_rec e = a[i];
		uint32_t j = i;
		while (j > 0 && rec_less(&e, &a[j - 1])) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = e;
	}
}

static void sort_heap(q_rec *a, uint32_t n) {
	/* max-heap by (t, id), then repeatedly move the maximum to the end */
	for (uint32_t k = n / 2; k-- > 0;) {
		uint32_t i = k;
		q_rec e = a[i];
		for (;;) {
			uint32_t c = 2 * i + 1;
			if (c >= n) break;
			if (c + 1 < n && rec_less(&a[c], &a[c + 1])) c++;
			if (!rec_less(&e, &a[c])) break;
			a[i] = a[c];
			i = c;
		}
		a[i] = e;
	}
	for (uint32_t m = n; m-- > 1;) {
		q_rec e = a[m];
		uint32_t i = 0;
		a[m] = a[0];
		for (;;) {
			uint32_t c = 2 * i + 1;
			if (c >= m) break;
			if (c + 1 < m && rec_less(&a[c], &a[c + 1])) c++;
			if (!rec_less(&e, &a[c])) break;
			a[i] = a[c];
			i = c;
		}
		a[i] = e;
	}
}

static void rec_swap(q_rec *x, q_rec *y) {
	q_rec e = *x;
	*x = *y;
	*y = e;
}

/* Introsort: quicksort (median of three) down to 16 elements, heapsort past a depth limit, then one
 * insertion-sort pass. Keys are unique, so the result does not depend on pivot choices. */
static void sort_quick(q_rec *a, uint32_t n, int depth) {
	while (n > 16) {
		uint32_t i, j, m = n / 2;
		q_rec p;
		if (depth-- == 0) {
			sort_heap(a, n);
			return;
		}
		if (rec_less(&a[m], &a[0])) rec_swap(&a[m], &a[0]);
		if (rec_less(&a[n - 1], &a[0])) rec_swap(&a[n - 1], &a[0]);
		if (rec_less(&a[n - 1], &a[m])) rec_swap(&a[n - 1], &a[m]);
		p = a[m];
		i = 0;
		j = n - 1;
		for (;;) {
			while (rec_less(&a[i], &p)) i++;
			while (rec_less(&p, &a[j])) j--;
			if (i >= j) break;
			rec_swap(&a[i], &a[j]);
			i++;
			j--;
		}
		/* [0, j] <= p <= [j+1, n) ; recurse on the smaller side */
		if (j + 1 < n - (j + 1)) {
			sort_quick(a, j + 1, depth);
			a += j + 1;
			n -= j + 1;
		} else {
			sort_quick(a + j + 1, n - (j + 1), depth);
			n = j + 1;
		}
	}
}

static void sort_recs(q_rec *a, uint32_t n) {
	int depth = 0;
	for (uint32_t m = n; m > 1; m >>= 1) depth += 2;
	sort_quick(a, n, depth);
	sort_insertion(a, n);
}

/* ---- prefetching ---- */

/* Walking a bucket's list is a chain of dependent cache misses. To overlap them with useful work, Q_PF
 * cursors walk the lists of the next buckets, one step each per pop, prefetching each record one pop
 * before its `next` is read; by the time a bucket is loaded its records are in cache. Only a hint: a stale
 * cursor costs a useless prefetch, never a wrong result. */
static void pf_reset(eng_queue *q) {
	for (int k = 0; k < Q_PF; k++) q->aPf[k] = Q_NIL;
	q->iPfTop = q->iNext;
}

static void pf_step(eng_queue *q) {
	for (int n = 0; n < Q_PF_STEP; n++) {
		uint32_t k = q->iPfTurn, i = q->aPf[k];
		q->iPfTurn = k + 1 == Q_PF ? 0 : k + 1;
		if (i == Q_NIL) {
			uint32_t b = q->iPfTop > q->iNext ? q->iPfTop : q->iNext;
			if (b >= q->nB || b >= q->iNext + Q_PF_AHEAD) continue;
			q->iPfTop = b + 1;
			i = q->aHead[b];
		} else {
			i = q->aPool[i].next;
		}
		q->aPf[k] = i;
		if (i != Q_NIL) __builtin_prefetch(&q->aPool[i]);
	}
}

/* ---- calendar ---- */

static void ovf_clear(eng_queue *q) {
	for (int k = 0; k < Q_OVF; k++) q->aOvf[k] = Q_NIL;
	q->nOvf = 0;
	q->ovfSum = 0;
	q->ovfMin = INT64_MAX;
}

static void ovf_add(eng_queue *q, uint32_t i) {
	q_rec *r = &q->aPool[i];
	uint32_t *pHead = &q->aOvf[q->nOvf % Q_OVF];
	r->next = *pHead;
	*pHead = i;
	q->nOvf++;
	q->ovfSum += r->t;
	if (r->t < q->ovfMin) q->ovfMin = r->t;
}

/* Puts slot i (not yet linked) where its time belongs: a bucket at or after iNext, or the overflow. */
static void place(eng_queue *q, uint32_t i) {
	q_rec *r = &q->aPool[i];
	uint64_t d = (uint64_t)r->t - (uint64_t)q->calStart;
	if (d < q->spanOff) {
		uint32_t *pHead = &q->aHead[d >> q->shift];
		r->next = *pHead;
		*pHead = i;
	} else {
		ovf_add(q, i);
	}
}

static uint32_t log2_floor(uint64_t x) {
	return x ? 63u - (uint32_t)__builtin_clzll(x) : 0;
}

/* Starts a new calendar at the overflow's minimum and moves the overflow into it (dead records are freed
 * on the way). Never fails: without memory for more bucket heads it uses the ones it has. */
static void rebuild(eng_queue *q) {
	uint64_t n = q->nOvf, mean, w, nB;
	uint32_t shift, i, aList[Q_OVF];
	__int128 excess = q->ovfSum - (__int128)q->ovfMin * (__int128)n;
	mean = (uint64_t)(excess / (__int128)n);
	w = (uint64_t)(((__int128)excess * Q_PER_BUCKET) / ((__int128)n * n));
	shift = log2_floor(w);
	if (shift > 40) shift = 40;
	nB = (uint64_t)(((__int128)mean * Q_SPAN_MUL) >> shift) + 1;
	if (nB > n) nB = n;
	if (nB > Q_BUCKETS_MAX) nB = Q_BUCKETS_MAX;
	if (nB > ((UINT64_C(1) << 62) >> shift)) nB = (UINT64_C(1) << 62) >> shift;
	if (nB > q->nHeadCap) {
		uint64_t cap = nB + nB / 16;
		uint32_t *p;
		p = realloc(q->aHead, cap * sizeof *p);
		if (p) {
			q->aHead = p;
			q->nHeadCap = (uint32_t)cap;
		} else {
			nB = q->nHeadCap;
		}
	}
	q->calStart = q->ovfMin;
	q->shift = shift;
	q->nB = (uint32_t)nB;
	q->iNext = 0;
	q->endOff = 0;
	q->spanOff = nB << shift;
	pf_reset(q);
	memset(q->aHead, 0xff, nB * sizeof *q->aHead);
	memcpy(aList, q->aOvf, sizeof aList);
	ovf_clear(q);
	/* the lists are walked side by side: their cache misses overlap */
	for (int nLeft = Q_OVF; nLeft > 0;) {
		nLeft = 0;
		for (int k = 0; k < Q_OVF; k++) {
			uint32_t next;
			if ((i = aList[k]) == Q_NIL) continue;
			nLeft++;
			next = q->aPool[i].next;
			if (next != Q_NIL) __builtin_prefetch(&q->aPool[next]);
			if (bit_pending(q, q->aPool[i].idk >> 16)) {
				place(q, i);
			} else {
				q->nDead--;
				pool_give(q, i);
			}
			aList[k] = next;
		}
	}
}

/* Sorts a list by (t, id) in place (bottom-up merge sort, no memory): the front's fallback when it cannot
 * grow to hold a bucket. */
static uint32_t list_sort(eng_queue *q, uint32_t head) {
	q_rec *a = q->aPool;
	for (uint64_t size = 1;; size *= 2) {
		uint32_t p = head, tail = Q_NIL, nMerge = 0;
		head = Q_NIL;
		while (p != Q_NIL) {
			uint32_t r = p;
			uint64_t np = 0, nr = size;
			nMerge++;
			while (np < size && r != Q_NIL) {
				np++;
				r = a[r].next;
			}
			while (np > 0 || (nr > 0 && r != Q_NIL)) {
				uint32_t e;
				if (np > 0 && (nr == 0 || r == Q_NIL || rec_less(&a[p], &a[r]))) {
					e = p;
					p = a[p].next;
					np--;
				} else {
					e = r;
					r = a[r].next;
					nr--;
				}
				if (tail == Q_NIL) head = e;
				else a[tail].next = e;
				tail = e;
			}
			p = r;
		}
		if (tail != Q_NIL) a[tail].next = Q_NIL;
		if (nMerge <= 1) return head;
	}
}

/* Moves the first record of the sorted list q->iPart into the front. */
static void load_part(eng_queue *q) {
	uint32_t i = q->iPart;
	q->iPart = q->aPool[i].next;
	q->aBot[0] = q->aPool[i];
	q->iBot = 0;
	q->nBot = 1;
	pool_give(q, i);
}

/* Moves a bucket's list into the front, sorted. When the front cannot grow to hold it, sorts the list
 * itself and keeps it as q->iPart, from which the front then takes one record at a time. */
static void load_list(eng_queue *q, uint32_t head) {
	uint32_t n = 0, i;
	for (i = head; i != Q_NIL; i = q->aPool[i].next) n++;
	if (n > q->nBotCap && grow_recs(&q->aBot, &q->nBotCap, n) != KY_OK) {
		q->iPart = list_sort(q, head);
		load_part(q);
		return;
	}
	if (q->nBotCap > 4096 && n < q->nBotCap / 8) {
		q_rec *p = realloc(q->aBot, (size_t)(q->nBotCap / 4) * sizeof *p);
		if (p) {
			q->aBot = p;
			q->nBotCap /= 4;
		}
	}
	/* the list is newest first: fill from the end so that the array starts in insertion order */
	q->iBot = 0;
	q->nBot = n;
	for (i = head; i != Q_NIL;) {
		uint32_t next = q->aPool[i].next;
		q->aBot[--n] = q->aPool[i];
		pool_give(q, i);
		i = next;
	}
	sort_recs(q->aBot, q->nBot);
}

/* Refills an empty front from the next non-empty bucket (rebuilding the calendar when it has run out).
 * Returns 0 when no event is left anywhere. */
static int load_next(eng_queue *q) {
	for (;;) {
		while (q->iNext < q->nB && q->aHead[q->iNext] == Q_NIL) q->iNext++;
		if (q->iNext < q->nB) {
			uint32_t head = q->aHead[q->iNext];
			q->aHead[q->iNext] = Q_NIL;
			q->iNext++;
			q->endOff = (uint64_t)q->iNext << q->shift;
			load_list(q, head);
			return 1;
		}
		q->endOff = q->spanOff;
		if (q->nOvf == 0) return 0;
		rebuild(q);
	}
}

/* The earliest live record in the front (loading buckets as needed), or NULL when the queue is empty;
 * *pbLate says whether it is aLate[0] (else aBot[iBot]). Dead records met on the way are dropped. */
static q_rec *front(eng_queue *q, int *pbLate) {
	for (;;) {
		q_rec *r;
		int bLate;
		if (q->iBot < q->nBot) {
			r = &q->aBot[q->iBot];
			bLate = q->nLate > 0 && rec_less(&q->aLate[0], r);
			if (bLate) r = &q->aLate[0];
		} else if (q->iPart != Q_NIL) {
			load_part(q);   /* the sorted rest of the front's bucket comes before any later push */
			continue;
		} else if (q->nLate > 0) {
			r = &q->aLate[0];
			bLate = 1;
		} else {
			if (!load_next(q)) return NULL;
			continue;
		}
		if (q->nDead == 0 || bit_pending(q, r->idk >> 16)) {
			*pbLate = bLate;
			return r;
		}
		q->nDead--;
		if (bLate) {
			q->aLate[0] = q->aLate[--q->nLate];
			if (q->nLate) late_down(q->aLate, q->nLate, 0);
		} else {
			q->iBot++;
		}
	}
}

static void to_event(const q_rec *r, eng_event *pEv) {
	pEv->t = r->t;
	pEv->id = r->idk >> 16;
	pEv->kind = (uint32_t)(r->idk & Q_KIND_MAX);
	pEv->a = r->a;
	pEv->b = r->b;
}

/* ---- purge of cancelled records ---- */

/* Drops the dead records of a list, keeping the order of the others; bOvf re-adds them to the overflow. */
static uint32_t purge_list(eng_queue *q, uint32_t head, int bOvf) {
	uint32_t out = Q_NIL, tail = Q_NIL, i = head;
	while (i != Q_NIL) {
		uint32_t next = q->aPool[i].next;
		if (!bit_pending(q, q->aPool[i].idk >> 16)) {
			q->nDead--;
			pool_give(q, i);
		} else if (bOvf) {
			ovf_add(q, i);
		} else {
			q->aPool[i].next = Q_NIL;
			if (tail == Q_NIL) out = i;
			else q->aPool[tail].next = i;
			tail = i;
		}
		i = next;
	}
	return out;
}

static void purge(eng_queue *q) {
	uint32_t i, j, aList[Q_OVF];
	pf_reset(q);
	for (i = q->iNext; i < q->nB; i++) {
		if (q->aHead[i] != Q_NIL) q->aHead[i] = purge_list(q, q->aHead[i], 0);
	}
	q->iPart = purge_list(q, q->iPart, 0);
	memcpy(aList, q->aOvf, sizeof aList);
	ovf_clear(q);
	for (int k = 0; k < Q_OVF; k++) purge_list(q, aList[k], 1);
	for (i = q->iBot, j = 0; i < q->nBot; i++) {
		if (bit_pending(q, q->aBot[i].idk >> 16)) q->aBot[j++] = q->aBot[i];
		else q->nDead--;
	}
	q->iBot = 0;
	q->nBot = j;
	for (i = 0, j = 0; i < q->nLate; i++) {
		if (bit_pending(q, q->aLate[i].idk >> 16)) q->aLate[j++] = q->aLate[i];
		else q->nDead--;
	}
	q->nLate = j;
	for (i = q->nLate / 2; i-- > 0;) late_down(q->aLate, q->nLate, i);
}

/* ---- public ---- */

eng_queue *eng_queue_new(void) {
	eng_queue *q = calloc(1, sizeof *q);
	if (!q) return NULL;
	q->nextId = 1;
	q->iFree = Q_NIL;
	q->iPart = Q_NIL;
	pf_reset(q);
	ovf_clear(q);
	q->calStart = INT64_MIN;
	q->lastPop = INT64_MIN;
	q->nBitCap = 16;
	q->nHeadCap = 16;
	q->aBit = calloc(q->nBitCap, sizeof *q->aBit);
	q->aHead = malloc(q->nHeadCap * sizeof *q->aHead);
	if (!q->aBit || !q->aHead || grow_recs(&q->aBot, &q->nBotCap, 16) != KY_OK) {
		eng_queue_free(q);
		return NULL;
	}
	return q;
}

int eng_queue_clear(eng_queue *q) {
	eng_queue *f = eng_queue_new();
	if (!f) return KY_ENOMEM;
	uint64_t nextId = q->nextId;
	free(q->aPool);
	free(q->aHead);
	free(q->aBot);
	free(q->aLate);
	free(q->aBit);
	free(q->aOld);
	*q = *f;
	free(f);
	/* ids keep counting where they were; the empty bitmap starts at the next one, so an old id reads as fired */
	q->nextId = nextId;
	q->wordBase = nextId >> 6;
	return KY_OK;
}

void eng_queue_free(eng_queue *q) {
	if (!q) return;
	free(q->aPool);
	free(q->aHead);
	free(q->aBot);
	free(q->aLate);
	free(q->aBit);
	free(q->aOld);
	free(q);
}

int eng_queue_push(eng_queue *q, eng_time_t t, uint32_t kind, uint32_t a, uint64_t b, eng_event_id *pId) {
	uint64_t id = q->nextId, d = (uint64_t)t - (uint64_t)q->calStart;
	int bFront = t < q->calStart || d < q->endOff, rc;
	q_rec *r;
	if (t < q->lastPop) return KY_EPAST;
	if (kind > Q_KIND_MAX) return KY_EINVAL;
	if (id > Q_ID_MAX || q->nLive + q->nDead >= Q_NIL - 1) return KY_ELIMIT;
	if ((rc = bit_reserve(q)) != KY_OK) return rc;
	if (bFront) {
		if ((rc = grow_recs(&q->aLate, &q->nLateCap, (uint64_t)q->nLate + 1)) != KY_OK) return rc;
		r = &q->aLate[q->nLate];
	} else {
		if ((rc = pool_reserve(q)) != KY_OK) return rc;
		r = &q->aPool[pool_take(q)];
	}
	r->t = t;
	r->idk = id << 16 | kind;
	r->a = a;
	r->b = b;
	if (bFront) {
		late_up(q->aLate, q->nLate++);
	} else {
		place(q, (uint32_t)(r - q->aPool));
	}
	bit_set(q, id);
	q->nextId = id + 1;
	q->nLive++;
	if (pId) *pId = id;
	return KY_OK;
}

int eng_queue_cancel(eng_queue *q, eng_event_id id) {
	if (id == 0 || id >= q->nextId) return KY_ENOENT;
	if (!bit_pending(q, id)) return KY_ESTATE;
	bit_clear(q, id);
	q->nLive--;
	q->nDead++;
	if (q->nDead > 4096 && q->nDead > q->nLive) purge(q);
	return KY_OK;
}

int eng_queue_peek(eng_queue *q, eng_event *pEv) {
	int bLate;
	q_rec *r = front(q, &bLate);
	if (!r) return KY_ENOENT;
	to_event(r, pEv);
	return KY_OK;
}

int eng_queue_pop_until(eng_queue *q, eng_time_t tMax, eng_event *pEv) {
	int bLate;
	q_rec *r = front(q, &bLate);
	if (!r || r->t > tMax) return KY_ENOENT;
	to_event(r, pEv);
	if (bLate) {
		q->aLate[0] = q->aLate[--q->nLate];
		if (q->nLate) late_down(q->aLate, q->nLate, 0);
	} else {
		q->iBot++;
	}
	bit_clear(q, pEv->id);
	q->nLive--;
	q->lastPop = pEv->t;
	pf_step(q);
	return KY_OK;
}

int eng_queue_pop(eng_queue *q, eng_event *pEv) {
	return eng_queue_pop_until(q, ENG_TIME_MAX, pEv);
}

size_t eng_queue_size(const eng_queue *q) { return q->nLive; }

size_t eng_queue_bytes(const eng_queue *q) {
	return sizeof *q + (size_t)q->nPoolCap * sizeof(q_rec) + (size_t)q->nHeadCap * sizeof(uint32_t) +
	       (size_t)q->nBotCap * sizeof(q_rec) + (size_t)q->nLateCap * sizeof(q_rec) +
	       (size_t)q->nBitCap * sizeof(uint64_t) + (size_t)q->nOldCap * sizeof(uint64_t);
}

/* queue: see queue.h. A 4-ary min-heap of 32-byte entries keyed by (t, id).
 * Placeholder structure: cancel is a linear scan. */
#include "engine/queue.h"

#include <stdlib.h>
#include <string.h>

struct eng_queue {
	eng_event *a;
	size_t n, cap;
	eng_event_id next_id;
	eng_time_t last_pop;
};

static int ev_less(const eng_event *x, const eng_event *y) {
	return x->t < y->t || (x->t == y->t && x->id < y->id);
}

eng_queue *eng_queue_new(void) {
	eng_queue *q = calloc(1, sizeof *q);
	if (q) q->next_id = 1;
	return q;
}

void eng_queue_free(eng_queue *q) {
	if (!q) return;
	free(q->a);
	free(q);
}

static void sift_up(eng_event *a, size_t i) {
	eng_event e = a[i];
	while (i > 0) {
		size_t p = (i - 1) / 4;
		if (!ev_less(&e, &a[p])) break;
		a[i] = a[p];
		i = p;
	}
	a[i] = e;
}

static void sift_down(eng_event *a, size_t n, size_t i) {
	eng_event e = a[i];
	for (;;) {
		size_t c = 4 * i + 1, best;
		if (c >= n) break;
		best = c;
		for (size_t k = c + 1; k < c + 4 && k < n; k++) {
			if (ev_less(&a[k], &a[best])) best = k;
		}
		if (!ev_less(&a[best], &e)) break;
		a[i] = a[best];
		i = best;
	}
	a[i] = e;
}

int eng_queue_push(eng_queue *q, eng_time_t t, uint32_t kind, uint32_t a, uint64_t b, eng_event_id *pId) {
	if (t < q->last_pop) return KY_EPAST;
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		eng_event *p = realloc(q->a, cap * sizeof *p);
		if (!p) return KY_ENOMEM;
		q->a = p;
		q->cap = cap;
	}
	q->a[q->n] = (eng_event){ .t = t, .id = q->next_id++, .kind = kind, .a = a, .b = b };
	if (pId) *pId = q->a[q->n].id;
	sift_up(q->a, q->n++);
	return KY_OK;
}

int eng_queue_cancel(eng_queue *q, eng_event_id id) {
	if (id == 0 || id >= q->next_id) return KY_ENOENT;
	for (size_t i = 0; i < q->n; i++) {
		if (q->a[i].id != id) continue;
		q->a[i] = q->a[--q->n];
		if (i < q->n) {
			sift_up(q->a, i);
			sift_down(q->a, q->n, i);
		}
		return KY_OK;
	}
	return KY_ESTATE;
}

int eng_queue_peek(eng_queue *q, eng_event *pEv) {
	if (q->n == 0) return KY_ENOENT;
	*pEv = q->a[0];
	return KY_OK;
}

int eng_queue_pop(eng_queue *q, eng_event *pEv) {
	if (q->n == 0) return KY_ENOENT;
	*pEv = q->a[0];
	q->last_pop = pEv->t;
	q->a[0] = q->a[--q->n];
	if (q->n) sift_down(q->a, q->n, 0);
	return KY_OK;
}

size_t eng_queue_size(const eng_queue *q) { return q->n; }
size_t eng_queue_bytes(const eng_queue *q) { return sizeof *q + q->cap * sizeof(eng_event); }

/* outq (server): see outq.h. */
#include "server/outq.h"

#include <stdlib.h>
#include <string.h>

srv_buf *srv_buf_new(const void *p, size_t n) {
	srv_buf *b = malloc(sizeof *b + SRV_BUF_PRE + n + 1);
	if (!b) return NULL;
	b->nRef = 1;
	b->n = n;
	memcpy(b->aData + SRV_BUF_PRE, p, n);
	b->aData[SRV_BUF_PRE + n] = 0;
	return b;
}

srv_buf *srv_buf_json(const json_t *msg) {
	size_t n = json_dumpb(msg, NULL, 0, JSON_COMPACT);
	srv_buf *b;
	if (n == 0) return NULL;
	b = malloc(sizeof *b + SRV_BUF_PRE + n + 1);
	if (!b) return NULL;
	b->nRef = 1;
	b->n = json_dumpb(msg, (char *)b->aData + SRV_BUF_PRE, n, JSON_COMPACT);
	if (b->n != n) {
		free(b);
		return NULL;
	}
	b->aData[SRV_BUF_PRE + n] = 0;
	return b;
}

void srv_buf_ref(srv_buf *b) { b->nRef++; }

void srv_buf_unref(srv_buf *b) {
	if (b && --b->nRef == 0) free(b);
}

int srv_outq_init(srv_outq *q, uint32_t nMax, size_t nMaxBytes) {
	memset(q, 0, sizeof *q);
	q->apRing = calloc(nMax ? nMax : 1, sizeof *q->apRing);
	if (!q->apRing) return -1;
	q->nCap = nMax ? nMax : 1;
	q->nMaxBytes = nMaxBytes;
	return 0;
}

void srv_outq_fini(srv_outq *q) {
	while (q->nLen) srv_outq_pop(q);
	free(q->apRing);
	q->apRing = NULL;
}

int srv_outq_push(srv_outq *q, srv_buf *b) {
	if (q->nLen == q->nCap || q->nBytes + b->n > q->nMaxBytes) return -1;
	srv_buf_ref(b);
	q->apRing[(q->iHead + q->nLen) % q->nCap] = b;
	q->nLen++;
	q->nBytes += b->n;
	return 0;
}

srv_buf *srv_outq_peek(const srv_outq *q) { return q->nLen ? q->apRing[q->iHead] : NULL; }

void srv_outq_pop(srv_outq *q) {
	srv_buf *b;
	if (!q->nLen) return;
	b = q->apRing[q->iHead];
	q->apRing[q->iHead] = NULL;
	q->iHead = (q->iHead + 1) % q->nCap;
	q->nLen--;
	q->nBytes -= b->n;
	srv_buf_unref(b);
}

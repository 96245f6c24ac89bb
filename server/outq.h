/* outq (server): the outgoing side of one websocket connection. A message is encoded once into a
 * reference-counted buffer (with LWS_PRE bytes of headroom for libwebsockets) and shared by every queue it is
 * pushed to, so a fan-out to a thousand browsers costs one encoding. Each queue is bounded in messages and
 * bytes; a push past either bound fails and the caller drops that client. Knows nothing of lws beyond LWS_PRE. */
#ifndef SRV_OUTQ_H
#define SRV_OUTQ_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

typedef struct srv_buf {
	uint32_t nRef;
	size_t n;               /* payload bytes, at aData + SRV_BUF_PRE */
	unsigned char aData[];  /* SRV_BUF_PRE bytes of headroom, then the payload */
} srv_buf;

#define SRV_BUF_PRE 16  /* == LWS_PRE (checked in server.c) */

/* A buffer holding the compact JSON of msg (borrowed); NULL when out of memory. One reference. */
srv_buf *srv_buf_json(const json_t *msg);
/* A buffer holding a copy of n bytes; NULL when out of memory. */
srv_buf *srv_buf_new(const void *p, size_t n);
static inline unsigned char *srv_buf_payload(srv_buf *b) { return b->aData + SRV_BUF_PRE; }
void srv_buf_ref(srv_buf *b);
void srv_buf_unref(srv_buf *b);

typedef struct srv_outq {
	srv_buf **apRing;
	uint32_t nCap, iHead, nLen;
	size_t nBytes, nMaxBytes;
} srv_outq;

/* Sets up an empty queue of at most nMax messages and nMaxBytes payload bytes. -1 when out of memory. */
int srv_outq_init(srv_outq *q, uint32_t nMax, size_t nMaxBytes);
/* Drops every message and frees the ring. */
void srv_outq_fini(srv_outq *q);
/* Appends b, taking a new reference. -1 (and nothing changes) when the queue would pass either bound. */
int srv_outq_push(srv_outq *q, srv_buf *b);
/* The oldest message (borrowed) or NULL. */
srv_buf *srv_outq_peek(const srv_outq *q);
/* Removes the oldest message and drops the queue's reference to it. */
void srv_outq_pop(srv_outq *q);

#endif

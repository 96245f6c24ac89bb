/* queue: the pending-event set of the discrete-event engine, ordered by (time, insertion sequence).
 * Equal times pop in the order they were pushed. Events carry a small fixed payload; nothing is allocated
 * per event (storage grows geometrically). Knows nothing of handlers: see sim.h for the run loop. */
#ifndef ENG_QUEUE_H
#define ENG_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/time.h"

typedef uint64_t eng_event_id;  /* == the event's insertion sequence, starting at 1; 0 is never an id */

typedef struct eng_event {
	eng_time_t t;       /* when it fires */
	eng_event_id id;    /* insertion sequence: the tie-breaker */
	uint32_t kind;      /* handler index (sim.h) */
	uint32_t a;         /* payload, meaning set by the kind's owner (e.g. a vehicle id) */
	uint64_t b;         /* payload */
} eng_event;

typedef struct eng_queue eng_queue;

/* A new empty queue; NULL when out of memory. */
eng_queue *eng_queue_new(void);
void eng_queue_free(eng_queue *q);
/* Adds an event at time t (>= the time of the last popped event, else KY_EPAST); *pId (may be NULL) gets
 * its id. kind must be <= 65535 (KY_EINVAL). KY_ENOMEM when the queue cannot grow, KY_ELIMIT past 2^48 ids
 * or 2^32 stored events; the queue is then unchanged. */
int eng_queue_push(eng_queue *q, eng_time_t t, uint32_t kind, uint32_t a, uint64_t b, eng_event_id *pId);
/* Drops every pending event and forgets the time of the last pop, so events of any time may be pushed again (a
 * simulation going back to a saved state). Ids already issued stay issued: cancelling one gives KY_ESTATE, and
 * new ids continue after them. KY_ENOMEM leaves the queue as it was. */
int eng_queue_clear(eng_queue *q);
/* Cancels a pending event in O(1) (its record is dropped later, when it reaches the front or at a purge).
 * KY_ENOENT for an id never issued (0 included), KY_ESTATE for one already fired or cancelled. */
int eng_queue_cancel(eng_queue *q, eng_event_id id);
/* Copies the earliest pending event to *pEv without removing it; 0 if there is one, KY_ENOENT if empty. */
int eng_queue_peek(eng_queue *q, eng_event *pEv);
/* Removes the earliest pending event into *pEv; 0, or KY_ENOENT if empty. */
int eng_queue_pop(eng_queue *q, eng_event *pEv);
/* Removes the earliest pending event into *pEv if its time is <= tMax; 0, or KY_ENOENT (queue unchanged)
 * when the queue is empty or its earliest event is later than tMax. */
int eng_queue_pop_until(eng_queue *q, eng_time_t tMax, eng_event *pEv);
/* Number of pending (not cancelled) events. */
size_t eng_queue_size(const eng_queue *q);
/* Bytes held by the queue's storage, including cancelled events not yet dropped and growth slack
 * (for the bytes-per-event figures). */
size_t eng_queue_bytes(const eng_queue *q);

#endif

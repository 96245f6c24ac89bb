/* proto (server): the client side of protocol kyodo.v1 (CONTRACT §4): parses and validates one text frame
 * into a request, or says which error code and message the client gets. Pure: no sockets, no drill.
 * Error codes (the `code` of an `error` message) are listed in docs/protocol.md and below. */
#ifndef SRV_PROTO_H
#define SRV_PROTO_H

#include <stddef.h>

#include <jansson.h>

#define SRV_MAX_FRAME 65536  /* bytes of one client message; more is `too_large` */

/* Error codes sent to clients. */
#define SRV_E_BAD_JSON "bad_json"          /* not JSON, or not an object */
#define SRV_E_BAD_TYPE "bad_type"          /* `type` missing or not a client message type */
#define SRV_E_BAD_FIELD "bad_field"        /* a field missing, of the wrong type or out of range */
#define SRV_E_TOO_LARGE "too_large"        /* a message over SRV_MAX_FRAME bytes */
#define SRV_E_BINARY "binary"              /* a binary frame */
#define SRV_E_NO_HELLO "hello_first"       /* anything before a valid hello */
#define SRV_E_BAD_TOKEN "bad_token"        /* hello with an unknown token */
#define SRV_E_TWICE "already_joined"       /* a second hello on one connection */
#define SRV_E_FORBIDDEN "forbidden"        /* the role may not send this message */
#define SRV_E_REJECTED "rejected"          /* the drill refused it (unknown kind, bad args, unknown inject, ...) */
#define SRV_E_STATE "bad_state"            /* not now: the drill is stopped, already started, ... */
#define SRV_E_STORAGE "storage"            /* the journal could not store it; nothing was applied */
#define SRV_E_INTERNAL "internal"          /* out of memory or a bug; nothing was applied */
#define SRV_E_RATE_LIMITED "rate_limited"  /* a hello from an address that sent wrong tokens: wait (retry_after_ms) */
#define SRV_E_REVOKED "revoked"            /* a hello with a token the facilitator revoked (since this start) */

typedef enum srv_req_type {
	SRV_REQ_HELLO = 1,
	SRV_REQ_ACTION,
	SRV_REQ_READ,
	SRV_REQ_CONTROL,
	SRV_REQ_INJECT,
	SRV_REQ_GRADE,
	SRV_REQ_REVOKE,   /* facilitator: revoke a team's token and issue a new one */
	SRV_REQ_FEEDBACK,
	SRV_REQ_NAME,
} srv_req_type;

/* hold_at (an extension, docs/protocol.md): the clock pauses by itself when sim time reaches `value` (seconds, or a
 * time string as CONTRACT §1); no value (or null) clears it. */
typedef enum srv_cmd { SRV_CMD_START = 1, SRV_CMD_PAUSE, SRV_CMD_RESUME, SRV_CMD_SPEED, SRV_CMD_STOP, SRV_CMD_HOLD_AT } srv_cmd;

#define SRV_MAX_SPEED 100000.0
#define SRV_MAX_ID 128  /* bytes of a client id, token, inject id */
#define SRV_MAX_NAME 80 /* bytes of a participant's display name */
#define SRV_MAX_ANSWER 4000 /* bytes of one free-text answer of the feedback form */
#define SRV_MAX_RATINGS 12  /* rating questions of one feedback form */

/* One parsed client message. Strings and objects point into pRoot, which the request owns. */
typedef struct srv_req {
	srv_req_type type;
	json_t *pRoot;
	const char *zToken;       /* hello */
	long long iSince;         /* hello (optional, 0 if absent): the team's action records up to this seq are held */
	json_t *pId;              /* action: the client's id as sent (string or integer), echoed in ack/error */
	char zId[SRV_MAX_ID + 1]; /* action: the client id as text (integers in decimal) */
	const char *zKind;        /* action */
	json_t *pArgs;            /* action: object */
	const char *zInject;      /* action (optional), read */
	srv_cmd cmd;              /* control */
	double value;             /* control: speed; hold_at: sim seconds (bValue 0: clear the hold) */
	int bValue;
	long long iSeq;           /* grade: the action's seq */
	double points;            /* grade */
	const char *zComment;     /* grade (optional, "" when absent) */
	const char *zTeam;        /* revoke */
	const char *zName;        /* hello (optional), name, feedback (optional): the participant's display name */
	const char *zParticipant; /* feedback: the browser's participant id */
	json_t *pAnswers;         /* feedback: {"ratings":{..},"well"?,"improve"?,"surprise"?} (new ref, freed by srv_req_clear) */
} srv_req;

/* Parses n bytes. In every case *ppId gets a new reference of the message's `id` when it had one (or NULL):
 * the caller decrefs it. On success returns 0 and fills *pReq (free it with srv_req_clear). On failure returns
 * -1, sets *pzCode to one of the SRV_E_* codes, writes a message naming the field into zMsg, and *pReq is empty. */
int srv_proto_parse(const char *p, size_t n, srv_req *pReq, const char **pzCode, char *zMsg, size_t nMsg,
                    json_t **ppId);
void srv_req_clear(srv_req *pReq);
const char *srv_cmd_name(srv_cmd cmd);

/* Builders of the server's small messages (new references). */
json_t *srv_proto_error(json_t *pId, const char *zCode, const char *zMsg);  /* pId borrowed, may be NULL */
json_t *srv_proto_ack(json_t *pId, long long iSeq, long long tUs);

#endif

/* proto (server): see proto.h. One function per client message type. */
#include "server/proto.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/time.h"

static int fail(const char **pzCode, const char *zCode, char *zMsg, size_t nMsg, const char *zText) {
	*pzCode = zCode;
	snprintf(zMsg, nMsg, "%s", zText);
	return -1;
}

static int unpack_fail(const char **pzCode, char *zMsg, size_t nMsg, const char *zType, const json_error_t *e) {
	*pzCode = SRV_E_BAD_FIELD;
	snprintf(zMsg, nMsg, "%s: %s", zType, e->text);
	return -1;
}

static int id_ok(const char *z) { return z && z[0] && strlen(z) <= SRV_MAX_ID; }

/* An optional display name: a string of at most SRV_MAX_NAME bytes (NULL when absent; "" clears it). */
static int name_ok(json_t *pName, const char **pz, const char *zWhat, const char **pzCode, char *zMsg, size_t nMsg) {
	char z[96];
	*pz = NULL;
	if (!pName || json_is_null(pName)) return 0;
	if (!json_is_string(pName) || json_string_length(pName) > SRV_MAX_NAME || memchr(json_string_value(pName), 0, json_string_length(pName))) {
		snprintf(z, sizeof z, "%s: name: expected a string of at most %d bytes", zWhat, SRV_MAX_NAME);
		return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, z);
	}
	*pz = json_string_value(pName);
	return 0;
}

static int parse_hello(srv_req *r, const char **pzCode, char *zMsg, size_t nMsg) {
	json_error_t e;
	json_t *pName = NULL;
	json_t *pSince = NULL;
	if (json_unpack_ex(r->pRoot, &e, 0, "{s:s, s?o, s?o}", "token", &r->zToken, "name", &pName, "since", &pSince))
		return unpack_fail(pzCode, zMsg, nMsg, "hello", &e);
	if (!id_ok(r->zToken)) return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "hello: token: empty or too long");
	if (pSince && (!json_is_integer(pSince) || json_integer_value(pSince) < 0))
		return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "hello: since: expected an action seq, an integer 0 or more");
	r->iSince = pSince ? json_integer_value(pSince) : 0;
	return name_ok(pName, &r->zName, "hello", pzCode, zMsg, nMsg);
}

static int parse_name(srv_req *r, const char **pzCode, char *zMsg, size_t nMsg) {
	json_error_t e;
	json_t *pName = NULL;
	if (json_unpack_ex(r->pRoot, &e, 0, "{s:o}", "name", &pName)) return unpack_fail(pzCode, zMsg, nMsg, "name", &e);
	if (name_ok(pName, &r->zName, "name", pzCode, zMsg, nMsg)) return -1;
	if (!r->zName) r->zName = "";
	return 0;
}

/* The hot wash's participant feedback form: ratings (1..5 by question key) and three free-text answers. */
static int parse_feedback(srv_req *r, const char **pzCode, char *zMsg, size_t nMsg) {
	static const char *const azText[] = { "well", "improve", "surprise" };
	json_error_t e;
	json_t *pName = NULL, *pRatings = NULL, *v;
	const char *k;
	char z[160];
	if (json_unpack_ex(r->pRoot, &e, 0, "{s:s, s?o, s?o}", "participant", &r->zParticipant, "name", &pName, "ratings", &pRatings))
		return unpack_fail(pzCode, zMsg, nMsg, "feedback", &e);
	if (!id_ok(r->zParticipant)) return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "feedback: participant: empty or over 128 bytes");
	if (name_ok(pName, &r->zName, "feedback", pzCode, zMsg, nMsg)) return -1;
	if (pRatings && !json_is_object(pRatings)) return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "feedback: ratings: expected an object");
	if (json_object_size(pRatings) > SRV_MAX_RATINGS) return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "feedback: ratings: more than 12 questions");
	r->pAnswers = json_object();
	json_t *pR = json_object();
	json_object_set_new(r->pAnswers, "ratings", pR);
	json_object_foreach(pRatings, k, v) {
		size_t n = strlen(k), i = 0;
		while (i < n && ((k[i] >= 'a' && k[i] <= 'z') || k[i] == '_')) i++;
		if (n == 0 || n > 32 || i != n) {
			snprintf(z, sizeof z, "feedback: ratings: '%.40s' is not a question key (a-z and _, up to 32)", k);
			return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, z);
		}
		if (json_is_null(v)) continue; /* not answered */
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 5) {
			snprintf(z, sizeof z, "feedback: ratings.%s: expected an integer from 1 to 5", k);
			return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, z);
		}
		json_object_set(pR, k, v);
	}
	for (size_t i = 0; i < sizeof azText / sizeof azText[0]; i++) {
		json_t *t = json_object_get(r->pRoot, azText[i]);
		if (!t || json_is_null(t)) continue;
		if (!json_is_string(t) || json_string_length(t) > SRV_MAX_ANSWER) {
			snprintf(z, sizeof z, "feedback: %s: expected a text of at most %d bytes", azText[i], SRV_MAX_ANSWER);
			return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, z);
		}
		if (json_string_length(t)) json_object_set(r->pAnswers, azText[i], t);
	}
	return 0;
}

static int parse_action(srv_req *r, const char **pzCode, char *zMsg, size_t nMsg) {
	json_error_t e;
	json_t *pInject = NULL;
	if (json_unpack_ex(r->pRoot, &e, 0, "{s:o, s:s, s:o, s?o}", "id", &r->pId, "kind", &r->zKind, "args", &r->pArgs,
	                   "inject", &pInject))
		return unpack_fail(pzCode, zMsg, nMsg, "action", &e);
	if (json_is_string(r->pId)) {
		if (!id_ok(json_string_value(r->pId))) return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "action: id: empty or over 128 bytes");
		snprintf(r->zId, sizeof r->zId, "%s", json_string_value(r->pId));
	} else if (json_is_integer(r->pId)) {
		snprintf(r->zId, sizeof r->zId, "%lld", (long long)json_integer_value(r->pId));
	} else {
		return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "action: id: expected a string or an integer");
	}
	if (!json_is_object(r->pArgs)) return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "action: args: expected an object");
	if (!r->zKind[0]) return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "action: kind: empty");
	if (pInject && !json_is_null(pInject)) {
		if (!json_is_string(pInject) || !id_ok(json_string_value(pInject)))
			return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "action: inject: expected an inject id");
		r->zInject = json_string_value(pInject);
	}
	return 0;
}

static int parse_read(srv_req *r, const char **pzCode, char *zMsg, size_t nMsg) {
	json_error_t e;
	if (json_unpack_ex(r->pRoot, &e, 0, "{s:s}", "inject", &r->zInject)) return unpack_fail(pzCode, zMsg, nMsg, "read", &e);
	if (!id_ok(r->zInject)) return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "read: inject: empty or too long");
	return 0;
}

static const char *const azCmd[] = { NULL, "start", "pause", "resume", "speed", "stop", "hold_at" };

const char *srv_cmd_name(srv_cmd cmd) { return cmd >= SRV_CMD_START && cmd <= SRV_CMD_HOLD_AT ? azCmd[cmd] : "?"; }

/* hold_at's value: seconds, a time string ("01:30:00", "90m"), or nothing / null to clear. */
static int parse_hold(srv_req *r, json_t *pValue, const char **pzCode, char *zMsg, size_t nMsg) {
	eng_time_t t;
	ky_err err = { 0 };
	r->bValue = 0;
	if (!pValue || json_is_null(pValue)) return 0;
	if (json_is_string(pValue)) {
		if (eng_time_parse(json_string_value(pValue), &t, &err)) {
			*pzCode = SRV_E_BAD_FIELD;
			snprintf(zMsg, nMsg, "control: value: %s", err.zMsg);
			return -1;
		}
		r->value = (double)t / 1e6;
	} else if (json_is_number(pValue)) {
		r->value = json_number_value(pValue);
	} else {
		return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "control: value: hold_at takes a sim time (seconds or \"01:30:00\")");
	}
	if (!isfinite(r->value) || r->value < 0 || r->value > 1e9)
		return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "control: value: hold_at must be a sim time of 0 or more");
	r->bValue = 1;
	return 0;
}

static int parse_control(srv_req *r, const char **pzCode, char *zMsg, size_t nMsg) {
	json_error_t e;
	const char *zCmd;
	json_t *pValue = NULL;
	if (json_unpack_ex(r->pRoot, &e, 0, "{s:s, s?o}", "cmd", &zCmd, "value", &pValue))
		return unpack_fail(pzCode, zMsg, nMsg, "control", &e);
	for (int i = SRV_CMD_START; i <= SRV_CMD_HOLD_AT; i++)
		if (!strcmp(zCmd, azCmd[i])) r->cmd = (srv_cmd)i;
	if (!r->cmd)
		return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "control: cmd: expected start, pause, resume, speed, stop or hold_at");
	if (r->cmd == SRV_CMD_HOLD_AT) return parse_hold(r, pValue, pzCode, zMsg, nMsg);
	if (pValue && json_is_number(pValue)) {
		r->value = json_number_value(pValue);
		r->bValue = 1;
	}
	if (r->cmd == SRV_CMD_SPEED || (r->cmd == SRV_CMD_START && pValue)) {
		if (!r->bValue || !isfinite(r->value) || r->value <= 0 || r->value > SRV_MAX_SPEED)
			return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "control: value: speed must be a number > 0 and <= 100000");
	}
	return 0;
}

static int parse_inject(srv_req *r, const char **pzCode, char *zMsg, size_t nMsg) {
	json_error_t e;
	json_t *pTo, *pSev = NULL;
	const char *zTitle, *zBody;
	size_t i;
	json_t *v;
	if (json_unpack_ex(r->pRoot, &e, 0, "{s:o, s:s, s:s, s?o}", "to", &pTo, "title", &zTitle, "body", &zBody,
	                   "severity", &pSev))
		return unpack_fail(pzCode, zMsg, nMsg, "inject", &e);
	if (json_is_string(pTo)) {
		json_t *pArr = json_pack("[O]", pTo);
		json_object_set_new(r->pRoot, "to", pArr);
		pTo = pArr;
	}
	if (!json_is_array(pTo) || json_array_size(pTo) == 0)
		return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "inject: to: expected a non-empty array of team ids or \"all\"");
	json_array_foreach(pTo, i, v) {
		if (!json_is_string(v) || !id_ok(json_string_value(v)))
			return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "inject: to: expected team ids (strings)");
	}
	if (!zTitle[0]) return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "inject: title: empty");
	if (pSev && !json_is_string(pSev)) return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "inject: severity: expected a string");
	return 0;
}

static int parse_grade(srv_req *r, const char **pzCode, char *zMsg, size_t nMsg) {
	json_error_t e;
	json_t *pPoints;
	r->zComment = "";
	if (json_unpack_ex(r->pRoot, &e, 0, "{s:I, s:o, s?s}", "action", &r->iSeq, "points", &pPoints, "comment", &r->zComment))
		return unpack_fail(pzCode, zMsg, nMsg, "grade", &e);
	if (!json_is_number(pPoints) || !isfinite(json_number_value(pPoints)))
		return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "grade: points: expected a number");
	r->points = json_number_value(pPoints);
	if (r->iSeq <= 0) return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "grade: action: expected a positive sequence number");
	return 0;
}

static int parse_revoke(srv_req *r, const char **pzCode, char *zMsg, size_t nMsg) {
	json_error_t e;
	if (json_unpack_ex(r->pRoot, &e, 0, "{s:s}", "team", &r->zTeam)) return unpack_fail(pzCode, zMsg, nMsg, "revoke", &e);
	if (!id_ok(r->zTeam)) return fail(pzCode, SRV_E_BAD_FIELD, zMsg, nMsg, "revoke: team: empty or too long");
	return 0;
}

static const struct {
	const char *zName;
	srv_req_type type;
	int (*fn)(srv_req *, const char **, char *, size_t);
} aType[] = {
	{ "hello", SRV_REQ_HELLO, parse_hello },       { "action", SRV_REQ_ACTION, parse_action },
	{ "read", SRV_REQ_READ, parse_read },          { "control", SRV_REQ_CONTROL, parse_control },
	{ "inject", SRV_REQ_INJECT, parse_inject },    { "grade", SRV_REQ_GRADE, parse_grade },
	{ "revoke", SRV_REQ_REVOKE, parse_revoke },
	{ "feedback", SRV_REQ_FEEDBACK, parse_feedback }, { "name", SRV_REQ_NAME, parse_name },
};

int srv_proto_parse(const char *p, size_t n, srv_req *pReq, const char **pzCode, char *zMsg, size_t nMsg,
                    json_t **ppId) {
	json_error_t e;
	json_t *pType, *pId;
	memset(pReq, 0, sizeof *pReq);
	*ppId = NULL;
	if (n > SRV_MAX_FRAME) return fail(pzCode, SRV_E_TOO_LARGE, zMsg, nMsg, "message over 65536 bytes");
	pReq->pRoot = json_loadb(p, n, JSON_REJECT_DUPLICATES, &e);
	if (!pReq->pRoot) {
		*pzCode = SRV_E_BAD_JSON;
		snprintf(zMsg, nMsg, "invalid JSON at line %d column %d: %s", e.line, e.column, e.text);
		return -1;
	}
	if (!json_is_object(pReq->pRoot)) {
		srv_req_clear(pReq);
		return fail(pzCode, SRV_E_BAD_JSON, zMsg, nMsg, "expected a JSON object");
	}
	pId = json_object_get(pReq->pRoot, "id");
	if (pId && (json_is_string(pId) || json_is_integer(pId))) *ppId = json_incref(pId);
	pType = json_object_get(pReq->pRoot, "type");
	if (!json_is_string(pType)) {
		srv_req_clear(pReq);
		return fail(pzCode, SRV_E_BAD_TYPE, zMsg, nMsg, "type: expected a string");
	}
	for (size_t i = 0; i < sizeof aType / sizeof aType[0]; i++) {
		if (strcmp(json_string_value(pType), aType[i].zName)) continue;
		pReq->type = aType[i].type;
		if (aType[i].fn(pReq, pzCode, zMsg, nMsg)) {
			srv_req_clear(pReq);
			return -1;
		}
		return 0;
	}
	snprintf(zMsg, nMsg, "type: unknown message type '%.64s' (expected hello, action, read, control, inject, grade, name, "
	         "feedback or revoke)",
	         json_string_value(pType));
	*pzCode = SRV_E_BAD_TYPE;
	srv_req_clear(pReq);
	return -1;
}

void srv_req_clear(srv_req *pReq) {
	json_decref(pReq->pRoot);
	json_decref(pReq->pAnswers);
	memset(pReq, 0, sizeof *pReq);
}

/* The length of the valid UTF-8 sequence at p (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n) {
	size_t k = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (k == 0 || k > n || (k == 2 && p[0] < 0xc2) || (k == 4 && p[0] > 0xf4)) return 0;
	for (size_t i = 1; i < k; i++)
		if ((p[i] & 0xc0) != 0x80) return 0;
	if (k == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0))) return 0; /* overlong, surrogate */
	if (k == 4 && ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))) return 0;
	return k;
}

json_t *srv_proto_error(json_t *pId, const char *zCode, const char *zMsg) {
	/* a message may quote the client's text cut at a byte count: every invalid byte becomes '?', so that the
	 * client always gets its error (jansson refuses a string that is not UTF-8) */
	char zSafe[1024];
	size_t o = 0, n = strlen(zMsg);
	for (size_t i = 0; i < n && o + 5 < sizeof zSafe;) {
		size_t k = utf8_len((const unsigned char *)zMsg + i, n - i);
		if (k == 0) zSafe[o++] = '?', i++;
		else memcpy(zSafe + o, zMsg + i, k), o += k, i += k;
	}
	zSafe[o] = 0;
	json_t *m = json_pack("{s:s, s:s, s:s}", "type", "error", "code", zCode, "message", zSafe);
	if (m && pId) json_object_set(m, "id", pId);
	return m;
}

json_t *srv_proto_ack(json_t *pId, long long iSeq, long long tUs) {
	json_t *m = json_pack("{s:s, s:O, s:I, s:I}", "type", "ack", "id", pId, "seq", (json_int_t)iSeq, "t_us", (json_int_t)tUs);
	return m;
}

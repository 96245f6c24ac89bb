/* fuzz_proto: the websocket protocol parser (server/proto.c) on any bytes. Properties: a failure has a code, a
 * message and an empty request, and its error message can be sent (valid JSON text: the client always gets an
 * answer); a success holds what its type requires; the ack of an action can be built. */
#include <string.h>

#include "server/proto.h"
#include "tests/fuzz/fuzz.h"

static void check_sendable(json_t *m) {
	FUZZ_ASSERT(m != NULL);
	char *z = json_dumps(m, JSON_COMPACT);
	FUZZ_ASSERT(z != NULL);
	json_t *back = json_loads(z, 0, NULL);
	FUZZ_ASSERT(back != NULL && json_equal(back, m));
	json_decref(back);
	free(z);
}

static void check_request(const srv_req *r) {
	switch (r->type) {
	case SRV_REQ_HELLO: FUZZ_ASSERT(r->zToken && r->zToken[0] && strlen(r->zToken) <= SRV_MAX_ID); break;
	case SRV_REQ_ACTION:
		FUZZ_ASSERT(r->zKind && r->zKind[0] && json_is_object(r->pArgs));
		FUZZ_ASSERT(r->zId[0] && strlen(r->zId) <= SRV_MAX_ID);
		FUZZ_ASSERT(!r->zInject || (r->zInject[0] && strlen(r->zInject) <= SRV_MAX_ID));
		{
			json_t *a = srv_proto_ack(r->pId, 1, 2);
			check_sendable(a);
			json_decref(a);
		}
		break;
	case SRV_REQ_READ: FUZZ_ASSERT(r->zInject && r->zInject[0]); break;
	case SRV_REQ_CONTROL:
		FUZZ_ASSERT(r->cmd >= SRV_CMD_START && r->cmd <= SRV_CMD_STOP);
		if (r->cmd == SRV_CMD_SPEED) FUZZ_ASSERT(r->bValue && r->value > 0 && r->value <= SRV_MAX_SPEED);
		break;
	case SRV_REQ_INJECT: FUZZ_ASSERT(json_is_array(json_object_get(r->pRoot, "to"))); break;
	case SRV_REQ_GRADE: FUZZ_ASSERT(r->iSeq > 0 && r->zComment); break;
	case SRV_REQ_REVOKE: FUZZ_ASSERT(r->zTeam && r->zTeam[0] && strlen(r->zTeam) <= SRV_MAX_ID); break;
	default: FUZZ_ASSERT(!"a request type the parser does not know");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	srv_req r;
	const char *zCode = NULL;
	char zMsg[300];
	json_t *pId = NULL;
	zMsg[0] = 0;
	if (srv_proto_parse((const char *)data, size, &r, &zCode, zMsg, sizeof zMsg, &pId)) {
		FUZZ_ASSERT(zCode && zCode[0] && zMsg[0]);
		FUZZ_ASSERT(r.pRoot == NULL && r.type == 0);
		json_t *e = srv_proto_error(pId, zCode, zMsg);
		check_sendable(e);
		json_decref(e);
	} else {
		check_request(&r);
		srv_req_clear(&r);
	}
	json_decref(pId);
	return 0;
}

/* fuzz_actions: the actions file reader of `kyodo run --actions` (scenarios/actions.c) on any bytes. Properties: an
 * error names FILE:LINE and leaves nothing; a success holds only complete actions, sorted by time (file order for
 * equal times), with times the time parser accepts. */
#include <string.h>

#include "scenarios/actions.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	scn_actions a = { 0 };
	ky_err err = { 0 };
	int rc = scn_actions_parse("fuzz.jsonl", (const char *)data, size, &a, &err);
	if (rc) {
		FUZZ_ASSERT(rc == err.code && (rc == KY_EPARSE || rc == KY_ENOMEM || rc == KY_ELIMIT));
		FUZZ_ASSERT(strncmp(err.zMsg, "fuzz.jsonl:", 11) == 0);
		FUZZ_ASSERT(a.n == 0 && a.a == NULL);
	} else {
		for (int i = 0; i < a.n; i++) {
			const scn_action_line *x = &a.a[i];
			FUZZ_ASSERT(x->t >= 0 && x->line >= 1 && x->zTeam && x->zKind && json_is_object(x->args));
			if (i > 0) FUZZ_ASSERT(a.a[i - 1].t < x->t || (a.a[i - 1].t == x->t && a.a[i - 1].line < x->line));
		}
	}
	scn_actions_free(&a);
	return 0;
}

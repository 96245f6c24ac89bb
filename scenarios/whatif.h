/* whatif: a recorded drill re-played up to a moment T, then continued with other team actions: `kyodo whatif`
 * (CONTRACT §1). The new journal is a copy of the recorded one cut at T (its rows before T are the recorded rows),
 * re-simulated to T by resume (scenarios/resume.h: the recorded scenario text, seed and inputs), then given the
 * alternative actions at their times up to the end of the drill, recorded as any drill is. Same inputs, same
 * state hash as `kyodo run` of the same scenario and seed with the spliced actions.
 * From T on, the what-if's inputs are team actions only: the alternative's, or the recorded ones without the
 * teams left out; the recorded grades, read receipts and ad-hoc injects from T on are dropped (they answered the
 * recorded drill). Knows the drill, the journal and resume; prints nothing. */
#ifndef SCN_WHATIF_H
#define SCN_WHATIF_H

#include <jansson.h>

#include "engine/err.h"
#include "engine/time.h"

/* One team action of the alternative (borrowed strings and args; line: where it came from, for messages). */
typedef struct scn_whatif_action {
	eng_time_t t;
	const char *zTeam, *zKind, *zClientId, *zInject;
	json_t *args;
	int line;
} scn_whatif_action;

typedef struct scn_whatif_opts {
	const char *zSource;          /* the recorded journal (read only) */
	const char *zOut;             /* the new journal (replaced if it exists) */
	eng_time_t tFrom;             /* T */
	int bAlt;                     /* 1: aAlt replaces the recorded actions from T on */
	const scn_whatif_action *aAlt; /* in time order; those before T are ignored */
	int nAlt;
	const char *zAltName;         /* for the journal's meta whatif (may be NULL) */
	const char *const *azWithout; /* teams whose actions from T on are dropped */
	int nWithout;
	int bNoImpact;                /* 1: no impact figures (`--no-impact`) */
	/* told of each action the world refused (it is recorded and the run goes on), may be NULL; line 0: a
	 * recorded action */
	void (*xRefused)(void *ctx, eng_time_t t, const char *zTeam, const char *zKind, int line, const char *zMsg);
	void *pCtx;
} scn_whatif_opts;

/* What a run did beside its summary. */
typedef struct scn_whatif_result {
	int nIgnored;    /* alternative actions before T, ignored */
	int nRejected;   /* actions recorded but refused by the world (as `kyodo run` reports them) */
	int iBadLine;    /* an alternative action refused before it was recorded (unknown team, bad args): its line */
	int nLate;       /* alternative actions after the drill's end, not played (`actions_not_played`) */
} scn_whatif_result;

/* Runs the what-if; *pSummary gets OUT's run summary (new ref; the object `kyodo run --json` of the spliced actions
 * prints, also stored as OUT's meta summary): unless bNoImpact, its "impact" (CONTRACT §1: baseline = the same
 * scenario and seed with no team actions, per team = the what-if without that team's actions, before and after T)
 * and, when the recorded journal's summary has one, "impact_recorded" (that summary's "impact") right after it. 0, or an
 * error naming the file or T: KY_ENOENT/KY_EIO/KY_EVERSION an unusable recorded journal, KY_EINVAL a T outside the
 * recording, an action refused before it was recorded (res->iBadLine), KY_EIO the new journal. On error the new
 * journal is removed. */
int scn_whatif_run(const scn_whatif_opts *o, json_t **pSummary, scn_whatif_result *res, ky_err *err);

#endif

/* drill (server): see drill.h. The observer attached here runs after the journal's (attach order). Actions go
 * through the drill's two steps (stage, then apply) around one journal group commit. */
#include "server/drill.h"
#include "server/scope.h"

#include <stdlib.h>
#include <string.h>

#include "engine/journal.h"
#include "scenarios/drill.h"
#include "scenarios/impact.h"
#include "scenarios/record.h"
#include "scenarios/resume.h"
#include "vehicles/action.h"
#include "vehicles/world.h"

#define FAC_KEY "@facilitator"  /* the facilitator's row in the journal's tokens table (team ids never start with @) */
#define TIMELINE_MAX 1000      /* events kept for a facilitator's welcome (oldest dropped first) */
#define FLEET_HIST_MAX 720     /* fleet samples kept for a welcome's chart; past it every other one is dropped */
#define FACT_BURST 40          /* attack facts sent live per wall second (srv_drill_tick); the rest are counted */

struct srv_drill {
	scn_drill *pDrill;
	scn_record *pRec;
	srv_drill_sink sink;
	json_t *pExercise;  /* scn_drill_exercise_json, kept */
	json_t *pTeamIds;   /* array of strings */
	json_t *pTeamOrg;   /* {TEAM: ORG} with orgs (empty without) */
	json_t *pOrgKind;   /* {ORG: "oem"|"isac"|...} */
	json_t *pFleet;     /* latest fleet message */
	int bFleetNew;      /* pFleet not yet taken by srv_drill_take_fleet */
	json_t *pCatalog;   /* veh_world_catalog_json, for both roles' welcome */
	json_t *pActs;      /* action records (protocol `action` messages + result/error/points/comment), by seq */
	json_t *pReads;     /* `read` messages, in order */
	json_t *pTimeline;  /* `event` messages the facilitator got or would have got (bounded) */
	json_t *pFleetHist; /* fleet samples (bounded, decimated) */
	json_t *pScoreLog;  /* `score_change` messages not tied to an action (missed windows, scenario adjustments) */
	int nBudget;        /* attack facts that may still go out live before the next srv_drill_tick */
	int64_t nSuppressed;/* attack facts held back since the last tick */
	eng_time_t tResumed;
	scn_impact_live *pLive; /* the baseline's harm curve, then the per-team attribution, in child processes */
	json_t *pImpact;    /* the latest `impact` message (a facilitator's welcome gets it) */
	eng_time_t tImpact; /* the sim time of the last live `impact` message, -1: none yet */
	int bImpactFinal;   /* the final one (with the teams' attribution) went out */
	int bFinishing;     /* the attribution was started */
	json_t *pActors;    /* "team\x1f" "client id" -> the participant's display name (action records say who) */
	json_t *pHotwash;   /* {TEAM:{PARTICIPANT:name}}: who answered the feedback form */
};

/* The action record of seq (borrowed) or NULL. Seqs are contiguous from 1, so the record is at seq-1. */
static json_t *act_rec(const srv_drill *d, int64_t iSeq) {
	json_t *r = iSeq >= 1 ? json_array_get(d->pActs, (size_t)(iSeq - 1)) : NULL;
	if (r && json_integer_value(json_object_get(r, "seq")) == iSeq) return r;
	for (size_t i = 0; i < json_array_size(d->pActs); i++) {
		r = json_array_get(d->pActs, i);
		if (json_integer_value(json_object_get(r, "seq")) == iSeq) return r;
	}
	return NULL;
}

static int has_team(const srv_drill *d, const char *zTeam) {
	for (size_t i = 0; zTeam && i < json_array_size(d->pTeamIds); i++)
		if (!strcmp(json_string_value(json_array_get(d->pTeamIds, i)), zTeam)) return 1;
	return 0;
}

static int is_attack_fact(const char *zKind) { return !strncmp(zKind, "attack.", 7) || !strcmp(zKind, "service.health"); }

/* --- observer: the drill's output becomes messages for the sink ------------------------------------------ */

static void obs_inject(void *ctx, const char *zTeam, json_t *msg) {
	srv_drill *d = ctx;
	json_t *pFac = json_deep_copy(msg);
	d->sink.to_team(d->sink.ctx, zTeam, msg);
	if (pFac) {
		json_object_set_new(pFac, "team", json_string(zTeam));
		d->sink.to_facilitator(d->sink.ctx, pFac);
		json_decref(pFac);
	}
}

static void obs_message(void *ctx, json_t *msg) {
	srv_drill *d = ctx;
	const char *zFrom = json_string_value(json_object_get(msg, "from"));
	json_t *pTo = json_object_get(msg, "to");
	const char *zTo = json_string_value(pTo);
	size_t i;
	json_t *v;
	json_t *pRecipients = json_object_get(msg, "recipients");
	if (pRecipients) {  /* a share between orgs: its TLP chose the recipients (scenarios/share.c) */
		json_array_foreach(pRecipients, i, v) d->sink.to_team(d->sink.ctx, json_string_value(v), msg);
		if (zFrom) d->sink.to_team(d->sink.ctx, zFrom, msg); /* the sender's copy */
	} else if (zTo && !strcmp(zTo, "all")) {
		json_array_foreach(d->pTeamIds, i, v) d->sink.to_team(d->sink.ctx, json_string_value(v), msg);
	} else {
		if (zTo) d->sink.to_team(d->sink.ctx, zTo, msg);
		if (json_is_array(pTo))
			json_array_foreach(pTo, i, v) if (json_is_string(v)) d->sink.to_team(d->sink.ctx, json_string_value(v), msg);
		if (zFrom && (!zTo || strcmp(zFrom, zTo))) d->sink.to_team(d->sink.ctx, zFrom, msg); /* the sender's copy */
	}
	d->sink.to_facilitator(d->sink.ctx, msg);
}

/* The expectations of zTeam for its score messages. The facilitator's copy has them all. A team's copy has those of
 * the injects it received, and of each still open only its inject, window and points: what is expected stays the
 * facilitator's answer key until the window closes (met or missed, the label says what it was). */
static json_t *team_expectations(const srv_drill *d, const char *zTeam, int bFac) {
	/* a --resume re-simulates before d->pDrill is set: no one is connected then, and nothing is kept of scores */
	json_t *all = d->pDrill ? scn_drill_expectations_json(d->pDrill) : json_array(), *out = json_array(), *e;
	size_t i;
	json_array_foreach(all, i, e) {
		const char *zSt = json_string_value(json_object_get(e, "status"));
		if (!zSt || strcmp(json_string_value(json_object_get(e, "team")), zTeam)) continue;
		if (!bFac && !strcmp(zSt, "unfired")) continue;
		json_t *c = json_copy(e);
		json_object_del(c, "team");
		if (!bFac && !strcmp(zSt, "pending")) {
			json_object_del(c, "label");
			json_object_del(c, "kind");
			json_object_del(c, "args");
		}
		json_array_append_new(out, c);
	}
	json_decref(all);
	return out;
}

/* A score message (borrowed) with the team's expectations for one audience (new ref). */
static json_t *score_for(const srv_drill *d, const char *zTeam, json_t *msg, int bFac) {
	json_t *m = json_copy(msg);
	if (m) json_object_set_new(m, "expectations", team_expectations(d, zTeam, bFac));
	return m;
}

static void obs_score(void *ctx, const char *zTeam, json_t *msg) {
	srv_drill *d = ctx;
	json_t *mTeam = score_for(d, zTeam, msg, 0), *mFac = score_for(d, zTeam, msg, 1);
	d->sink.to_team(d->sink.ctx, zTeam, mTeam ? mTeam : msg);
	d->sink.to_facilitator(d->sink.ctx, mFac ? mFac : msg);
	json_decref(mTeam);
	json_decref(mFac);
}

/* A change of a team's score with its reasons (protocol `score_change`, docs/protocol.md), from the drill's
 * "score.change" (expectations met or missed, penalties) and "score.adjust" (score.add of the scenario) events.
 * An action's effects are also kept on its record; the others in the score log, for welcomes. */
static void score_change(srv_drill *d, eng_time_t t, const char *zKind, const char *zTeam, json_t *detail) {
	json_t *effects, *m;
	if (!strcmp(zKind, "score.adjust"))
		effects = json_pack("[{s:s,s:O,s:O?}]", "type", "adjust", "points", json_object_get(detail, "points"), "reason",
		                    json_object_get(detail, "reason"));
	else
		effects = json_deep_copy(json_object_get(detail, "effects"));
	if (!effects) return;
	for (size_t i = 0; i < json_array_size(effects); i++) json_object_del(json_array_get(effects, i), "team");
	m = json_pack("{s:s,s:s,s:I,s:o}", "type", "score_change", "team", zTeam, "t_us", (json_int_t)t, "effects", effects);
	if (!m) return;
	json_t *pSeq = json_object_get(detail, "seq");
	json_t *r = pSeq ? act_rec(d, json_integer_value(pSeq)) : NULL;
	if (pSeq) json_object_set(m, "seq", pSeq);
	if (r) { /* the action's record carries its effects for welcomes */
		json_t *prev = json_object_get(r, "effects");
		if (prev) json_array_extend(prev, effects);
		else json_object_set_new(r, "effects", json_deep_copy(effects));
	} else {
		json_array_append(d->pScoreLog, m);
	}
	d->sink.to_team(d->sink.ctx, zTeam, m);
	d->sink.to_facilitator(d->sink.ctx, m);
	json_decref(m);
}

/* Fleet samples are state, not events: only the latest is kept and the server sends it once per step, so a
 * fast clock (many samples per step) never floods the browsers. */
static void obs_fleet(void *ctx, json_t *msg) {
	srv_drill *d = ctx;
	json_decref(d->pFleet);
	d->pFleet = json_deep_copy(msg);
	d->bFleetNew = 1;
	if (!d->pFleet) return;
	if (json_array_size(d->pFleetHist) >= FLEET_HIST_MAX) { /* halve: keep every other sample, oldest first */
		json_t *pHalf = json_array();
		for (size_t i = 0; i < json_array_size(d->pFleetHist); i += 2) json_array_append(pHalf, json_array_get(d->pFleetHist, i));
		json_decref(d->pFleetHist);
		d->pFleetHist = pHalf;
	}
	json_array_append(d->pFleetHist, d->pFleet);
}

/* An action's record (CONTRACT §4 `action`, with its outcome: `result` or the world's refusal in `error`), made
 * when the drill applies it (its action.result / action.error event): kept for welcomes and shown to the
 * facilitator and to the team, so every laptop of the team sees what a teammate did. */
static void act_result(srv_drill *d, const char *zKind, json_t *detail) {
	json_t *r = json_pack("{s:s, s:O, s:O, s:O?, s:O, s:O, s:O}", "type", "action", "seq", json_object_get(detail, "seq"),
	                      "team", json_object_get(detail, "team"), "id", json_object_get(detail, "id"), "kind",
	                      json_object_get(detail, "kind"), "args", json_object_get(detail, "args"), "t_us",
	                      json_object_get(detail, "t_us"));
	if (!r) return;
	const char *zId = json_string_value(json_object_get(detail, "id"));
	if (zId) { /* who acted, when the participant gave a name */
		char zKey[300];
		snprintf(zKey, sizeof zKey, "%s\x1f%s", json_string_value(json_object_get(detail, "team")), zId);
		json_t *pBy = json_object_get(d->pActors, zKey);
		if (pBy) json_object_set(r, "by", pBy);
	}
	if (json_object_get(detail, "inject")) json_object_set(r, "inject", json_object_get(detail, "inject"));
	if (!strcmp(zKind, "action.error")) json_object_set(r, "error", json_object_get(detail, "error"));
	else if (json_object_get(detail, "result")) json_object_set(r, "result", json_object_get(detail, "result"));
	const char *zTeam = json_string_value(json_object_get(r, "team"));
	d->sink.to_facilitator(d->sink.ctx, r);
	if (zTeam) d->sink.to_team(d->sink.ctx, zTeam, r);
	json_array_append_new(d->pActs, r);
}

/* Only what a facilitator should see live: scenario errors, log() lines, the results of actions and the
 * world's attack steps (attack.*, service.health: one fact per verb call or health change, never per car). Other
 * world facts (every car's alert) would flood the page; they are in the journal. Every forwarded event is kept
 * in a bounded timeline for the facilitator's welcome; attack facts go out live only while the wall-second
 * budget lasts (srv_drill_tick), so a scenario that calls attack verbs in a loop cannot flood a socket. */
static void obs_event(void *ctx, eng_time_t t, const char *zKind, const char *zSubject, json_t *detail) {
	srv_drill *d = ctx;
	json_t *m;
	int bAttack = is_attack_fact(zKind);
	int bResult = !strcmp(zKind, "action.result") || !strcmp(zKind, "action.error");
	if (!strcmp(zKind, "score.change") || !strcmp(zKind, "score.adjust")) {
		/* the subject is the team (the team list is not known yet while a --resume re-simulates) */
		if (zSubject && *zSubject && (has_team(d, zSubject) || !d->pDrill)) score_change(d, t, zKind, zSubject, detail);
		return;
	}
	if (strncmp(zKind, "scenario.", 9) && strcmp(zKind, "log") && !bResult && !bAttack) return;
	if (bResult) act_result(d, zKind, detail);
	m = json_pack("{s:s, s:I, s:s, s:s?, s:O?}", "type", "event", "t_us", (json_int_t)t, "kind", zKind, "subject",
	              zSubject, "detail", detail);
	if (!m) return;
	json_array_append(d->pTimeline, m);
	if (json_array_size(d->pTimeline) > TIMELINE_MAX) json_array_remove(d->pTimeline, 0);
	if (!bAttack || d->nBudget > 0) {
		if (bAttack) d->nBudget--;
		d->sink.to_facilitator(d->sink.ctx, m);
	} else {
		d->nSuppressed++;
	}
	json_decref(m);
}

	json_t *pActors;    /* "team\x1f" "client id" -> the participant's display name (action records say who) */
	json_t *pHotwash;   /* {TEAM:{PARTICIPANT:name}}: who answered the feedback form */
static void obs_grade(void *ctx, int64_t iSeq, double points, const char *zComment) {
	srv_drill *d = ctx;
	json_t *r = act_rec(d, iSeq);
	const char *zTeam = json_string_value(json_object_get(r, "team"));
	json_t *m = json_pack("{s:s, s:I, s:f, s:s?, s:s?}", "type", "grade", "action", (json_int_t)iSeq, "points", points,
	                      "comment", zComment, "team", zTeam);
	if (r) {
		json_object_set_new(r, "points", json_real(points));
		json_object_set_new(r, "comment", json_string(zComment ? zComment : ""));
	}
	if (m) {
		d->sink.to_facilitator(d->sink.ctx, m);
		if (zTeam) d->sink.to_team(d->sink.ctx, zTeam, m); /* the team sees its points and the comment */
	}
	json_decref(m);
}

static void obs_read(void *ctx, const char *zTeam, const char *zInject, eng_time_t t) {
	srv_drill *d = ctx;
	json_t *m = json_pack("{s:s, s:s, s:s, s:I}", "type", "read", "team", zTeam, "inject", zInject, "t_us", (json_int_t)t);
	if (!m) return;
	d->sink.to_facilitator(d->sink.ctx, m);
	d->sink.to_team(d->sink.ctx, zTeam, m); /* the team's other laptops mark it read too */
	json_array_append(d->pReads, m);
	json_decref(m);
}

/* --- hot wash and who acted --------------------------------------------------------------------------------- */

static int row_actor(void *ctx, const eng_journal_row *r) {
	srv_drill *d = ctx;
	if (r->zActor && r->zClientId && r->zTeam) {
		char zKey[300];
		snprintf(zKey, sizeof zKey, "%s\x1f%s", r->zTeam, r->zClientId);
		json_object_set_new(d->pActors, zKey, json_string(r->zActor));
	}
	return 0;
}

static void hotwash_note(srv_drill *d, const char *zTeam, const char *zParticipant, const char *zName) {
	json_t *t = json_object_get(d->pHotwash, zTeam);
	if (!t) {
		t = json_object();
		json_object_set_new(d->pHotwash, zTeam, t);
	}
	json_object_set_new(t, zParticipant, json_string(zName ? zName : ""));
}

static int row_feedback(void *ctx, const eng_journal_row *r) {
	if (r->zTeam && r->zParticipant) hotwash_note(ctx, r->zTeam, r->zParticipant, r->zActor);
	return 0;
}

/* A resumed drill: who acted and who answered, from the journal (read-only; the drill opens it afterwards). */
static void load_hot_wash(srv_drill *d, const char *zDb) {
	eng_journal *j = eng_journal_open(zDb, ENG_JOURNAL_READONLY, NULL);
	if (!j) return;
	eng_journal_rows(j, "actions", row_actor, d, NULL);
	eng_journal_rows(j, "feedback", row_feedback, d, NULL);
	eng_journal_close(j, NULL);
}

int srv_drill_actor(srv_drill *d, const char *zTeam, const char *zClientId, const char *zName) {
	char zKey[300];
	if (!zClientId || !zName || !*zName) return 0;
	snprintf(zKey, sizeof zKey, "%s\x1f%s", zTeam, zClientId);
	json_object_set_new(d->pActors, zKey, json_string(zName));
	return scn_record_actor(d->pRec, zTeam, zClientId, zName, NULL);
}

int srv_drill_feedback(srv_drill *d, const char *zTeam, const char *zParticipant, const char *zName, json_t *pAnswers, ky_err *err) {
	int rc = scn_record_feedback(d->pRec, zTeam, zParticipant, zName && *zName ? zName : NULL, pAnswers, err);
	if (rc == 0) hotwash_note(d, zTeam, zParticipant, zName);
	return rc;
}

json_t *srv_drill_hotwash_msg(const srv_drill *d) {
	json_t *pTeams = json_object();
	const char *zTeam;
	json_t *v;
	json_int_t n = 0;
	json_object_foreach(d->pHotwash, zTeam, v) {
		json_object_set_new(pTeams, zTeam, json_integer((json_int_t)json_object_size(v)));
		n += (json_int_t)json_object_size(v);
	}
	return json_pack("{s:s, s:I, s:o}", "type", "hotwash", "answered", n, "teams", pTeams);
}

/* --- open / close ------------------------------------------------------------------------------------------ */

srv_drill *srv_drill_open(const char *zScenario, const char *zDb, int bResume, const srv_drill_sink *pSink, ky_err *err) {
	srv_drill *d = calloc(1, sizeof *d);
	scn_drill_opts opts = { 0 };
	scn_observer obs = { 0 };
	json_t *pTeams, *v;
	size_t i;
	if (!d) return ky_err_set(err, KY_ENOMEM, "serve: out of memory"), NULL;
	d->sink = *pSink;
	d->pTeamIds = json_array();
	d->pTeamOrg = json_object();
	d->pOrgKind = json_object();
	d->pActs = json_array();
	d->pReads = json_array();
	d->pTimeline = json_array();
	d->pFleetHist = json_array();
	d->pScoreLog = json_array();
	d->pActors = json_object();
	d->pHotwash = json_object();
	d->nBudget = FACT_BURST;
	obs.ctx = d;
	obs.on_inject = obs_inject;
	obs.on_message = obs_message;
	obs.on_score = obs_score;
	obs.on_fleet = obs_fleet;
	obs.on_event = obs_event;
	obs.on_grade = obs_grade;
	obs.on_read = obs_read;
	if (bResume) {
		load_hot_wash(d, zDb); /* before the re-simulation, so that the replayed action records say who */
		/* Re-simulates the recorded inputs with our observer attached (no one is connected yet, so nothing is
		 * sent; the action records are rebuilt), then appends to the same journal. */
		scn_resume_opts ro = { 0 };
		ro.zScenarioPath = zScenario;
		ro.pObs = &obs;
		d->pDrill = scn_resume_open(zDb, &ro, &d->pRec, &d->tResumed, err);
		if (!d->pDrill) goto err;
	} else {
		d->pDrill = scn_drill_open(zScenario, &opts, err);
		if (!d->pDrill) goto err;
		d->pRec = scn_record_attach(d->pDrill, zDb, err);
		if (!d->pRec) goto err;
		if (scn_drill_add_observer(d->pDrill, &obs)) {
			ky_err_set(err, KY_ELIMIT, "serve: cannot attach the server's observer");
			goto err;
		}
	}
	d->pExercise = scn_drill_exercise_json(d->pDrill);
	d->pCatalog = scn_drill_world(d->pDrill) ? veh_world_catalog_json(scn_drill_world(d->pDrill)) : NULL;
	if (d->pCatalog) {
		json_object_set_new(d->pCatalog, "actions", scn_drill_action_schemas(d->pDrill));
		json_object_set_new(d->pCatalog, "action_kinds", veh_action_kinds_json());
	}
	d->nBudget = FACT_BURST; /* a resume's re-simulation sent nothing live */
	d->nSuppressed = 0;
	d->tImpact = -1;
	/* The baseline (same scenario and seed, no team actions) runs beside the drill from the start: "harm averted so far"
	 * (docs/protocol.md `impact`). Without it the drill still runs; the facilitator gets no impact figures. */
	d->pLive = scn_impact_live_start(zScenario, scn_drill_seed(d->pDrill), NULL);
	pTeams = json_object_get(d->pExercise, "teams");
	json_array_foreach(pTeams, i, v) {
		const char *zId = json_is_string(v) ? json_string_value(v) : json_string_value(json_object_get(v, "id"));
		if (zId) json_array_append_new(d->pTeamIds, json_string(zId));
		if (zId && json_is_string(json_object_get(v, "org"))) json_object_set(d->pTeamOrg, zId, json_object_get(v, "org"));
	}
	json_array_foreach(json_object_get(d->pExercise, "orgs"), i, v)
		json_object_set(d->pOrgKind, json_string_value(json_object_get(v, "id")), json_object_get(v, "kind"));
	return d;
err:
	srv_drill_close(d, NULL);
	return NULL;
}

int srv_drill_close(srv_drill *d, ky_err *err) {
	int rc = 0;
	if (!d) return 0;
	if (d->pRec && d->pDrill) { /* the journal's summary carries the impact figures when the attribution has come */
		json_t *pSum = scn_drill_summary_json(d->pDrill), *pIm = scn_impact_live_result(d->pLive, 30000, NULL);
		scn_impact_summary_put(pSum, pIm);
		scn_record_set_summary(d->pRec, pSum);
		json_decref(pSum);
		json_decref(pIm);
	}
	scn_impact_live_free(d->pLive);
	json_decref(d->pImpact);
	if (d->pRec) rc = scn_record_close(d->pRec, err);
	scn_drill_free(d->pDrill);
	json_decref(d->pExercise);
	json_decref(d->pTeamIds);
	json_decref(d->pTeamOrg);
	json_decref(d->pOrgKind);
	json_decref(d->pFleet);
	json_decref(d->pCatalog);
	json_decref(d->pActs);
	json_decref(d->pReads);
	json_decref(d->pTimeline);
	json_decref(d->pFleetHist);
	json_decref(d->pScoreLog);
	json_decref(d->pActors);
	json_decref(d->pHotwash);
	free(d);
	return rc;
}

/* --- queries ---------------------------------------------------------------------------------------------- */

int srv_drill_team_count(const srv_drill *d) { return (int)json_array_size(d->pTeamIds); }

const char *srv_drill_team_id(const srv_drill *d, int i) { return json_string_value(json_array_get(d->pTeamIds, (size_t)i)); }

json_t *srv_drill_exercise(const srv_drill *d, int bFacilitator) {
	static const char *const azTeamKeys[] = { "id", "title", "description", "duration", "duration_us", "teams", "dashboard",
	                                          "parties", "orgs", "services", "credentials" };
	json_t *e;
	if (bFacilitator) {
		e = json_deep_copy(d->pExercise);
		if (e) json_object_del(e, "source");
	} else {
		e = json_object();
		for (size_t i = 0; e && i < sizeof azTeamKeys / sizeof azTeamKeys[0]; i++) {
			json_t *v = json_object_get(d->pExercise, azTeamKeys[i]);
			if (v) json_object_set(e, azTeamKeys[i], v);
		}
	}
	if (e && d->pCatalog) { /* the fleet's selectors; a team's copy without the world's tuning (params, verbs) */
		json_t *c = bFacilitator ? json_incref(d->pCatalog) : json_copy(d->pCatalog);
		if (c && !bFacilitator) {
			json_object_del(c, "params");
			json_object_del(c, "verbs");
		}
		if (c) json_object_set_new(e, "catalog", c);
	}
	return e;
}

json_t *srv_drill_team_exercise(const srv_drill *d, const char *zTeam) {
	json_t *e = srv_drill_exercise(d, 0);
	const char *zOrg = srv_drill_team_org(d, zTeam);
	const char *zKind = json_string_value(json_object_get(d->pOrgKind, zOrg ? zOrg : ""));
	if (e && zKind && !strcmp(zKind, "oem")) srv_scope_exercise(e, zOrg, d->pTeamOrg);  /* its own org's only */
	return e;
}

eng_time_t srv_drill_now(const srv_drill *d) { return scn_drill_now(d->pDrill); }
eng_time_t srv_drill_duration(const srv_drill *d) { return scn_drill_duration(d->pDrill); }

uint64_t srv_drill_events(const srv_drill *d) {
	eng_sim *pSim = scn_drill_sim(d->pDrill);
	return pSim ? eng_sim_events_run(pSim) : 0;
}

eng_time_t srv_drill_resumed_at(const srv_drill *d) { return d->tResumed; }

json_t *srv_drill_summary(const srv_drill *d) { return scn_drill_summary_json(d->pDrill); }

/* --- calls ------------------------------------------------------------------------------------------------- */

int srv_drill_advance_to(srv_drill *d, eng_time_t t, ky_err *err) {
	eng_time_t tEnd = scn_drill_duration(d->pDrill);
	if (t > tEnd) t = tEnd;
	if (t <= scn_drill_now(d->pDrill)) return 0;
	return scn_drill_advance_to(d->pDrill, t, err);
}

/* Step 1 of the group: each action is checked and staged (its row in the open journal group) or answered now
 * (a bad action, a client id already used). bStaged[i]: it waits for the commit. */
static void stage_actions(srv_drill *d, srv_drill_act *a, int n, unsigned char *bStaged) {
	for (int i = 0; i < n; i++) {
		scn_action_in in = { a[i].zTeam, a[i].zClientId, a[i].zKind, a[i].zInject, a[i].pArgs };
		scn_action_out out;
		memset(&a[i].err, 0, sizeof a[i].err);
		a[i].rc = scn_drill_action_stage(d->pDrill, &in, &out, &a[i].err);
		a[i].iSeq = a[i].rc ? 0 : out.seq;
		a[i].t = out.t;
		a[i].bRepeat = out.bRepeat;
		bStaged[i] = a[i].rc == 0 && !out.bRepeat;  /* 1: staged now; 2 (after a failed commit): a repeat of one */
	}
}

void srv_drill_actions_cb(srv_drill *d, srv_drill_act *a, int n, srv_drill_durable_fn fnDurable, void *pCtx) {
	ky_err eg = { 0 };
	unsigned char *bStaged = calloc((size_t)(n > 0 ? n : 1), 1);
	int rc = bStaged ? scn_record_group_begin(d->pRec, &eg) : ky_err_set(&eg, KY_ENOMEM, "action: out of memory");
	for (int i = 0; i < n; i++) a[i].bEarly = 0;
	if (rc) { /* nothing was staged */
		for (int i = 0; i < n; i++) {
			a[i].rc = rc;
			a[i].err = eg;
		}
		free(bStaged);
		return;
	}
	stage_actions(d, a, n, bStaged);
	rc = scn_record_group_commit(d->pRec, &eg);
	if (rc) { /* none of the rows is stored: the staged actions take no seq */
		ky_err_prefix(&eg, "action not recorded");
		scn_drill_action_unstage(d->pDrill);
		for (int i = 0; i < n; i++) /* a repeat of an action staged in this group shares its fate */
			for (int j = 0; j < n && !bStaged[i]; j++)
				if (bStaged[j] & 1 && a[i].bRepeat && a[i].rc == 0 && a[j].iSeq == a[i].iSeq) bStaged[i] = 2;
		for (int i = 0; i < n; i++) {
			if (!bStaged[i]) continue;
			a[i].rc = rc;
			a[i].err = eg;
			a[i].iSeq = 0;
			bStaged[i] = 0;
		}
	} else if (fnDurable) { /* durable: the answers go out before the effects */
		for (int i = 0; i < n; i++) {
			a[i].bEarly = 1;
			a[i].iSeqEarly = a[i].iSeq;
		}
		fnDurable(pCtx, a, n);
	}
	for (int i = 0; rc == 0 && i < n; i++)
		if (bStaged[i]) a[i].rc = scn_drill_action_apply(d->pDrill, a[i].iSeq, &a[i].err);
	scn_record_group_end(d->pRec);
	free(bStaged);
}

void srv_drill_actions(srv_drill *d, srv_drill_act *a, int n) { srv_drill_actions_cb(d, a, n, NULL, NULL); }

int srv_drill_inject(srv_drill *d, json_t *pMsg, ky_err *err) { return scn_record_inject(d->pRec, d->pDrill, pMsg, err); }

int srv_drill_flush(srv_drill *d, ky_err *err) {
	int rc = scn_record_flush(d->pRec, err);
	return rc ? rc : scn_record_error(d->pRec, err);
}

void srv_drill_control_note(srv_drill *d, const char *zCmd, double speed, int bRunning, eng_time_t tHold) {
	json_t *det = json_pack("{s:s, s:f, s:b}", "cmd", zCmd, "speed", speed, "running", bRunning);
	if (!det) return;
	if (tHold >= 0) json_object_set_new(det, "hold_at_us", json_integer(tHold));
	scn_drill_note(d->pDrill, "facilitator.control", det);
	json_decref(det);
}

int srv_drill_grade(srv_drill *d, int64_t iSeq, double points, const char *zComment, ky_err *err) {
	return scn_drill_grade(d->pDrill, iSeq, points, zComment, err);
}

int srv_drill_read(srv_drill *d, const char *zTeam, const char *zInject, ky_err *err) {
	return scn_drill_read(d->pDrill, zTeam, zInject, err);
}

json_t *srv_drill_backlog(const srv_drill *d, const char *zTeam) {
	json_t *b = scn_drill_backlog_json(d->pDrill, zTeam);
	return b ? b : json_array();
}

json_t *srv_drill_score_msg(const srv_drill *d, const char *zTeam, int bFacilitator) {
	json_t *pAll = scn_drill_scores_json(d->pDrill);
	json_t *pTeam = json_object_get(json_object_get(pAll, "teams"), zTeam);
	json_t *m = json_pack("{s:s, s:s}", "type", "score", "team", zTeam);
	if (m && json_is_object(pTeam)) json_object_update(m, pTeam);
	if (m && !json_object_get(m, "score")) json_object_set_new(m, "score", json_integer(0));
	if (m && json_object_get(pAll, "joint")) json_object_set(m, "joint", json_object_get(pAll, "joint"));
	if (m) json_object_set_new(m, "expectations", team_expectations(d, zTeam, bFacilitator));
	json_decref(pAll);
	return m;
}

/* True when message m belongs to zTeam (every message does when zTeam is NULL: the facilitator). */
static int of_team(json_t *m, const char *zTeam) {
	const char *z = json_string_value(json_object_get(m, "team"));
	return !zTeam || (z && !strcmp(z, zTeam));
}

json_t *srv_drill_replay(const srv_drill *d, const char *zTeam) {
	json_t *a = json_array(), *v;
	size_t i;
	if (!a) return NULL;
	json_array_foreach(d->pActs, i, v) {
		if (of_team(v, zTeam)) json_array_append(a, v);
	}
	json_array_foreach(d->pReads, i, v) {
		if (of_team(v, zTeam)) json_array_append(a, v);
	}
	json_array_foreach(d->pScoreLog, i, v) {
		if (of_team(v, zTeam)) json_array_append(a, v);
	}
	if (!zTeam) {
		json_array_foreach(d->pActs, i, v) { /* the grades as the facilitator saw them live */
			json_t *p = json_object_get(v, "points");
			if (p) json_array_append_new(a, json_pack("{s:s, s:O, s:O, s:O, s:O?}", "type", "grade", "action", json_object_get(v, "seq"),
			                                          "points", p, "team", json_object_get(v, "team"), "comment", json_object_get(v, "comment")));
		}
		json_array_extend(a, d->pTimeline);
		if (d->pImpact) json_array_append(a, d->pImpact);
		if (json_object_size(d->pHotwash)) json_array_append_new(a, srv_drill_hotwash_msg(d));
	}
	if (json_array_size(d->pFleetHist) > 1 && !zTeam) {  /* the truth, without the teams' per-org views */
		json_t *pSamples = json_array();
		json_array_foreach(d->pFleetHist, i, v) {
			json_t *c = json_object_get(v, "team_views") ? json_copy(v) : json_incref(v);
			json_object_del(c, "team_views");
			json_array_append_new(pSamples, c);
		}
		json_array_append_new(a, json_pack("{s:s, s:o}", "type", "fleet_history", "samples", pSamples));
	}
	if (json_array_size(d->pFleetHist) > 1 && zTeam) {
		json_t *pSamples = json_array();
		json_array_foreach(d->pFleetHist, i, v) json_array_append_new(pSamples, srv_drill_team_fleet(d, v, zTeam));
		json_array_append_new(a, json_pack("{s:s, s:o}", "type", "fleet_history", "samples", pSamples));
	}
	return a;
}

/* Sends m (stolen) to the facilitator as the latest `impact` message. */
static void impact_send(srv_drill *d, json_t *m) {
	if (!m) return;
	json_decref(d->pImpact);
	d->pImpact = m;
	d->sink.to_facilitator(d->sink.ctx, m);
}

/* Once a wall second: "harm averted so far" against the baseline's curve while the drill runs; at its end, once the
 * attribution child is done, the final figures with each team's share (CONTRACT §1's formulas). */
static void impact_tick(srv_drill *d) {
	eng_time_t now = scn_drill_now(d->pDrill);
	double h0 = 0, h = veh_world_harm(scn_drill_world(d->pDrill), NULL);
	if (!d->pLive || d->bImpactFinal) return;
	scn_impact_live_poll(d->pLive);
	if (now >= scn_drill_duration(d->pDrill)) srv_drill_finish(d);
	int bFailed = 0;
	json_t *pFin = scn_impact_live_result(d->pLive, 0, &bFailed);
	if (pFin) {
		json_object_set_new(pFin, "type", json_string("impact"));
		json_object_set_new(pFin, "t_us", json_integer(now));
		json_object_set_new(pFin, "final", json_true());
		d->bImpactFinal = 1;
		impact_send(d, pFin);
		return;
	}
	if (now == d->tImpact || !scn_impact_live_baseline(d->pLive, now, &h0)) return;
	d->tImpact = now;
	impact_send(d, json_pack("{s:s,s:I,s:f,s:f,s:f,s:b}", "type", "impact", "t_us", (json_int_t)now, "harm", h, "baseline",
	                         h0, "averted", h0 > 0 ? (h0 - h) / h0 : 0.0, "final", 0));
}

void srv_drill_finish(srv_drill *d) {
	if (d->bFinishing) return;
	d->bFinishing = 1;
	json_t *pIn = scn_drill_inputs_json(d->pDrill);
	scn_impact_live_finish(d->pLive, pIn, scn_drill_now(d->pDrill), NULL);
	json_decref(pIn);
}

void srv_drill_tick(srv_drill *d) {
	impact_tick(d);
	if (d->nSuppressed > 0) {
		json_t *m = json_pack("{s:s, s:I, s:s, s:s, s:{s:I}}", "type", "event", "t_us", (json_int_t)scn_drill_now(d->pDrill),
		                      "kind", "attack.suppressed", "subject", "server", "detail", "count", (json_int_t)d->nSuppressed);
		if (m) d->sink.to_facilitator(d->sink.ctx, m);
		json_decref(m);
	}
	d->nSuppressed = 0;
	d->nBudget = FACT_BURST;
}

const char *srv_drill_team_org(const srv_drill *d, const char *zTeam) {
	return json_string_value(json_object_get(d->pTeamOrg, zTeam ? zTeam : ""));
}

/* A team's fleet message from a full sample: its "team_view" (CONTRACT §4: what its org observes, never the
 * truth unless the scenario says so) as a `fleet` message. With orgs, a team sees its own org's view (its cars and
 * backend only), and an ISAC's team every org's: the views summed, and each org's under "orgs". New ref. */
json_t *srv_drill_team_fleet(const srv_drill *d, json_t *pFull, const char *zTeam) {
	const char *zOrg = srv_drill_team_org(d, zTeam);
	const char *zKind = json_string_value(json_object_get(d->pOrgKind, zOrg ? zOrg : ""));
	json_t *views = json_object_get(pFull, "team_views");
	int bAll = !zOrg || !views || (zKind && !strcmp(zKind, "isac"));
	json_t *v = bAll ? json_object_get(pFull, "team_view") : json_object_get(views, zOrg);
	json_t *m = v ? json_deep_copy(v) : json_object();
	if (!m) return NULL;
	if (!v && views && zOrg) {  /* an org without cars (a supplier, a regulator): the sample holds no view of it */
		json_object_set_new(m, "org", json_string(zOrg));
		json_object_set_new(m, "total", json_integer(0));
		json_object_set_new(m, "compromised", json_integer(0));
		json_object_set_new(m, "clean", json_integer(0));
		json_object_set(m, "observed", json_object_get(json_object_get(pFull, "team_view"), "observed"));
	}
	if (zOrg && views && bAll) json_object_set(m, "orgs", views);
	json_object_set_new(m, "type", json_string("fleet"));
	json_object_set(m, "t_us", json_object_get(pFull, "t_us"));
	return m;
}

json_t *srv_drill_fleet_msg(const srv_drill *d, const char *zTeam) {
	if (!d->pFleet) return NULL;
	return zTeam ? srv_drill_team_fleet(d, d->pFleet, zTeam) : json_incref(d->pFleet);
}

json_t *srv_drill_take_fleet(srv_drill *d) {
	if (!d->bFleetNew) return NULL;
	d->bFleetNew = 0;
	return json_incref(d->pFleet);
}

json_t *srv_drill_load_tokens(srv_drill *d) {
	eng_journal *j = scn_record_journal(d->pRec);
	char zHex[80];
	json_t *pOut, *pTeams;
	if (eng_journal_token_get(j, FAC_KEY, zHex, sizeof zHex, NULL)) return NULL;
	pOut = json_pack("{s:s, s:{}}", "facilitator", zHex, "teams");
	pTeams = json_object_get(pOut, "teams");
	for (size_t i = 0; i < json_array_size(d->pTeamIds); i++) {
		const char *zTeam = json_string_value(json_array_get(d->pTeamIds, i));
		if (eng_journal_token_get(j, zTeam, zHex, sizeof zHex, NULL) == 0) json_object_set_new(pTeams, zTeam, json_string(zHex));
	}
	return pOut;
}

int srv_drill_store_tokens(srv_drill *d, json_t *pHashes, ky_err *err) {
	eng_journal *j = scn_record_journal(d->pRec);
	const char *zTeam;
	json_t *v;
	int rc;
	json_object_foreach(json_object_get(pHashes, "teams"), zTeam, v) {
		if ((rc = eng_journal_token_put(j, zTeam, json_string_value(v), err))) return rc;
	}
	return eng_journal_token_put(j, FAC_KEY, json_string_value(json_object_get(pHashes, "facilitator")), err);
}

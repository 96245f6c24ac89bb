/* share: a team's `share` (CONTRACT §3) between organisations: who receives it under its TLP, the relay of a report a
 * team received (how the ISAC fans a member's report out to every member), the automated ingestion of its indicators
 * by the recipients' organisations (CONTRACT §2 ingest), and the record of who learned what from whom and when (the
 * journal's "share" event). Without orgs a share is a message to its `to`, exactly as before organisations existed.
 *
 * Delivery with orgs (the sender never receives its own share; it gets its copy from the server):
 *   to a team T:  red: T only;  amber, amber+strict: T and every team of T's organisation;  green, clear: T.
 *   to "all":     red: refused (one named recipient only);  amber: the teams of the sender's own organisation;
 *                 green: the community, every team of an organisation that is not a regulator;  clear: every team.
 * A relay (args.relay = the seq of a share the sender received) passes that report on with its indicators; its TLP may
 * only tighten (clear < green < amber < amber+strict < red) and a red report is never passed on. Every organisation
 * that receives a share with indicators, other than the sender's, ingests them if it has `ingest` (not from a red
 * share): its gateway blocks them that long after.
 *
 * A `notify` whose party is an organisation of the drill (the national drill's regulator `mlit`, the `isac`) is also
 * delivered, as a message marked with the notification's party and stage, to every team of that organisation: the
 * regulator's liaison sees the makers' notifications arrive. It is confidential to them (TLP:AMBER). */
#include "scenarios/drillInt.h"

#include <stdlib.h>
#include <string.h>

static const char *const azTlp[] = { "clear", "green", "amber", "amber+strict", "red", NULL };

static int tlp_rank(const char *z) {
	for (int i = 0; azTlp[i]; i++)
		if (z && !strcmp(z, azTlp[i])) return i;
	return -1;
}

const char *scn_drill__team_org(const scn_drill *d, const char *zTeam) {
	size_t i;
	json_t *t;
	json_array_foreach(d->teams, i, t) {
		if (zTeam && !strcmp(json_string_value(json_object_get(t, "id")), zTeam)) return json_string_value(json_object_get(t, "org"));
	}
	return NULL;
}

/* The kind of zOrg ("oem", "isac", ...), "" when unknown. */
static const char *org_kind(const scn_drill *d, const char *zOrg) {
	const char *zKind = "";
	if (!zOrg || veh_world_org_info(d->world, zOrg, &zKind, NULL)) return "";
	return zKind;
}

/* Appends zTeam to the recipients unless it is the sender or already there. */
static void add_recipient(json_t *a, const char *zTeam, const char *zFrom) {
	size_t i;
	json_t *v;
	if (!strcmp(zTeam, zFrom)) return;
	json_array_foreach(a, i, v) if (!strcmp(json_string_value(v), zTeam)) return;
	json_array_append_new(a, json_string(zTeam));
}

/* The teams that receive a share of zFrom to zTo under zTlp (the rules at the top of the file). New ref. */
static json_t *recipients(const scn_drill *d, const char *zFrom, const char *zTo, const char *zTlp) {
	json_t *a = json_array(), *t;
	size_t i;
	int rank = tlp_rank(zTlp), bAll = !strcmp(zTo, "all");
	const char *zScope = bAll ? scn_drill__team_org(d, zFrom) : scn_drill__team_org(d, zTo);  /* the org AMBER stays in */
	if (!bAll) add_recipient(a, zTo, zFrom);
	json_array_foreach(d->teams, i, t) {
		const char *zTeam = json_string_value(json_object_get(t, "id")), *zOrg = json_string_value(json_object_get(t, "org"));
		int bIn;
		if (rank == 4) bIn = 0;                                                  /* red: the named team only */
		else if (rank >= 2) bIn = zScope && zOrg && !strcmp(zOrg, zScope);       /* amber: within one org */
		else if (!bAll) bIn = 0;                                                 /* green, clear to a team: that team */
		else bIn = rank == 0 || strcmp(org_kind(d, zOrg), "regulator") != 0;     /* the community, or everyone */
		if (bIn) add_recipient(a, zTeam, zFrom);
	}
	return a;
}

/* The share of seq zFrom may relay, or NULL with err set. */
static json_t *relayed(const scn_drill *d, json_t *jRelay, const char *zFrom, const char *zTlp, ky_err *err) {
	int64_t seq = json_integer_value(jRelay);
	size_t i, k;
	json_t *s, *v;
	json_array_foreach(d->shares, i, s) {
		if (json_integer_value(json_object_get(s, "seq")) != seq) continue;
		int bGot = 0;
		json_array_foreach(json_object_get(s, "recipients"), k, v) bGot |= !strcmp(json_string_value(v), zFrom);
		const char *zWas = json_string_value(json_object_get(s, "tlp"));
		if (!bGot) break;
		if (tlp_rank(zWas) == 4) {
			ky_err_set(err, KY_EINVAL, "share: args.relay: share %lld is TLP:RED, for its named recipient only", (long long)seq);
			return NULL;
		}
		if (tlp_rank(zTlp) < tlp_rank(zWas)) {
			ky_err_set(err, KY_EINVAL, "share: args.tlp: '%s' is weaker than the relayed share's '%s' (a relay may only "
			           "tighten the TLP)", zTlp, zWas);
			return NULL;
		}
		return s;
	}
	ky_err_set(err, KY_ENOENT, "share: args.relay: team %s received no share with seq %lld", zFrom, (long long)seq);
	return NULL;
}

/* The union of the indicators of a and b (either may be NULL), in order. New ref. */
static json_t *indicators_union(json_t *a, json_t *b) {
	json_t *u = json_array(), *v, *w;
	size_t i, k;
	json_t *az[2] = { a, b };
	for (int n = 0; n < 2; n++)
		json_array_foreach(az[n], i, v) {
			int bHave = 0;
			json_array_foreach(u, k, w) bHave |= json_equal(v, w);
			if (!bHave) json_array_append(u, v);
		}
	return u;
}

/* Each recipient organisation other than the sender's ingests the indicators (if it has ingest). New ref: the
 * scheduled ingestions [{org, at_us, matched}]. */
static json_t *ingest(scn_drill *d, json_t *orgs, const char *zFromOrg, json_t *ind) {
	json_t *out = json_array(), *v;
	size_t i;
	json_array_foreach(orgs, i, v) {
		const char *zOrg = json_string_value(v);
		json_t *r = NULL;
		ky_err e = { 0 };
		if ((zFromOrg && !strcmp(zOrg, zFromOrg)) || veh_world_ingest(d->world, zOrg, ind, &r, &e)) continue;
		if (json_is_true(json_object_get(r, "scheduled")))
			json_array_append_new(out, json_pack("{s:s,s:O,s:O}", "org", zOrg, "at_us", json_object_get(r, "at_us"), "matched",
			                                     json_object_get(r, "matched")));
		json_decref(r);
	}
	return out;
}

/* The share of record r without orgs: a message to its `to`. */
static void share_plain(scn_drill *d, const scn_action_rec *r) {
	const char *zTlp = json_string_value(json_object_get(r->pArgs, "tlp"));
	json_t *m = json_pack("{s:s,s:s,s:O,s:s,s:O,s:I}", "type", "message", "from", r->zTeam, "to",
	                      json_object_get(r->pArgs, "to"), "tlp", zTlp ? zTlp : "clear", "text",
	                      json_object_get(r->pArgs, "text"), "t_us", (json_int_t)r->t);
	if (m && json_object_get(r->pArgs, "indicators")) json_object_set(m, "indicators", json_object_get(r->pArgs, "indicators"));
	if (m) scn_drill__message(d, m);
}

int scn_drill__share(scn_drill *d, const scn_action_rec *r, json_t **pResult, ky_err *err) {
	*pResult = NULL;
	if (!veh_world_has_orgs(d->world)) {
		share_plain(d, r);
		return 0;
	}
	const char *zTlp = json_string_value(json_object_get(r->pArgs, "tlp"));
	const char *zTo = json_string_value(json_object_get(r->pArgs, "to"));
	const char *zFromOrg = scn_drill__team_org(d, r->zTeam);
	json_t *jRelay = json_object_get(r->pArgs, "relay"), *pOrig = NULL;
	if (!zTlp) zTlp = "clear";
	if (!zTo) return ky_err_set(err, KY_EINVAL, "share: args.to: required");
	if (jRelay && !(pOrig = relayed(d, jRelay, r->zTeam, zTlp, err))) return err->code;
	json_t *ind = indicators_union(json_object_get(pOrig, "indicators"), json_object_get(r->pArgs, "indicators"));
	json_t *to = recipients(d, r->zTeam, zTo, zTlp), *orgs = json_array(), *v;
	size_t i;
	json_array_foreach(to, i, v) {  /* the recipients' organisations, in order of first recipient */
		json_t *o = json_string(scn_drill__team_org(d, json_string_value(v)));
		int bHave = 0;
		size_t k;
		json_t *w;
		json_array_foreach(orgs, k, w) bHave |= json_equal(o, w);
		if (!bHave) json_array_append(orgs, o);
		json_decref(o);
	}
	json_t *ingested = json_array_size(ind) && tlp_rank(zTlp) < 4 ? ingest(d, orgs, zFromOrg, ind) : json_array();
	json_t *m = json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:O,s:I,s:O}", "type", "message", "seq", (json_int_t)r->seq, "from", r->zTeam,
	                      "from_org", zFromOrg, "to", zTo, "tlp", zTlp, "text", json_object_get(r->pArgs, "text"), "t_us",
	                      (json_int_t)r->t, "recipients", to);
	json_t *rec = json_pack("{s:I,s:s,s:s,s:s,s:s,s:O,s:O,s:O,s:O}", "seq", (json_int_t)r->seq, "from", r->zTeam, "from_org",
	                        zFromOrg, "to", zTo, "tlp", zTlp, "recipients", to, "orgs", orgs, "indicators", ind, "ingest",
	                        ingested);
	if (pOrig) {
		json_t *of = json_pack("{s:O,s:O,s:O}", "seq", json_object_get(pOrig, "seq"), "from", json_object_get(pOrig, "from"),
		                       "from_org", json_object_get(pOrig, "from_org"));
		json_object_set(m, "relay_of", of);
		json_object_set_new(rec, "relay_of", of);
	}
	if (json_array_size(ind)) json_object_set(m, "indicators", ind);
	*pResult = json_pack("{s:O,s:O,s:O}", "recipients", to, "orgs", orgs, "ingest", ingested);
	if (pOrig) json_object_set(*pResult, "relay_of", json_object_get(pOrig, "seq"));
	scn_drill__event(d, "share", r->zTeam, rec);  /* who learned what from whom, and when */
	json_array_append_new(d->shares, rec);
	json_decref(ind);
	json_decref(to);
	json_decref(orgs);
	json_decref(ingested);
	if (m) scn_drill__message(d, m);
	return 0;
}

void scn_drill__notify(scn_drill *d, const scn_action_rec *r) {
	const char *zParty = json_string_value(json_object_get(r->pArgs, "party")), *zStage;
	if (!zParty || !veh_world_has_orgs(d->world) || veh_world_org_info(d->world, zParty, NULL, NULL)) return;
	json_t *to = json_array(), *t;
	size_t i;
	json_array_foreach(d->teams, i, t) {
		const char *zOrg = json_string_value(json_object_get(t, "org"));
		if (zOrg && !strcmp(zOrg, zParty)) add_recipient(to, json_string_value(json_object_get(t, "id")), r->zTeam);
	}
	if (!json_array_size(to)) {
		json_decref(to);
		return;
	}
	zStage = json_string_value(json_object_get(r->pArgs, "stage"));
	json_t *m = json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:O,s:I,s:o,s:{s:s,s:s}}", "type", "message", "seq", (json_int_t)r->seq,
	                      "from", r->zTeam, "from_org", scn_drill__team_org(d, r->zTeam), "to", zParty, "tlp", "amber",
	                      "text", json_object_get(r->pArgs, "text"), "t_us", (json_int_t)r->t, "recipients", to, "notify",
	                      "party", zParty, "stage", zStage ? zStage : "initial");
	if (m) scn_drill__message(d, m);
}

/* action: see action.h. The table is aKind below: one row per kind with its schema builder, extra rule and
 * effect (the effects live in respond.c). Schemas are written in the JSON Schema subset of engine/jschema.h, and
 * their patterns in the part of regular-expression syntax that POSIX ERE and ECMAScript share. */
#include "vehicles/action.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "engine/jschema.h"
#include "vehicles/worldInt.h"

const char *const veh_action_parties[] = {
	"regulator", /* the authority the scenario means (R155/R156 type approval, NIS2 CSIRT, ...) */
	"ppc",       /* Japan: Personal Information Protection Commission (APPI breach reports) */
	"mlit",      /* Japan: Ministry of Land, Infrastructure, Transport and Tourism (recalls, R155 approval) */
	"police",
	"jpcert",    /* JPCERT/CC */
	"nco",       /* Japan: National Cybersecurity Office (formerly NISC) */
	"isac",
	"customers",
	"dealers",
	"supplier",
	"partners",
	"mno",       /* a mobile network operator (SMS / APN) */
	NULL,
};

static const char *const azTlp[] = { "clear", "green", "amber", "amber+strict", "red", NULL };
static const char *const azStage[] = { "initial", "detailed", "final", NULL };

/* A token without white space: inject ids, indicators of any kind (IP, domain, hash, URL, apikey:...). The class
 * holds a real space, tab, CR and LF (not escapes), which both regex dialects read literally. */
#define PAT_TOKEN "^[^ \t\r\n]+$"
#define PAT_VERSION "^[0-9]{1,4}[.][0-9]{1,4}([.][0-9]{1,4})?$"
#define PAT_TEXT "[^ \t\r\n]"   /* some text: at least one character that is not white space */

/* --- schema pieces --------------------------------------------------------------------------------- */

static json_t *strings(const char *const *az, int n) {
	json_t *a = json_array();
	for (int i = 0; a && (n < 0 ? az[i] != NULL : i < n); i++) json_array_append_new(a, json_string(az[i]));
	return a;
}

static json_t *str_schema(const char *zDesc) { return json_pack("{s:s,s:s}", "type", "string", "description", zDesc); }

static json_t *token_schema(const char *zDesc) {
	return json_pack("{s:s,s:s,s:s}", "type", "string", "pattern", PAT_TOKEN, "description", zDesc);
}

static json_t *text_schema(const char *zDesc) {
	return json_pack("{s:s,s:s,s:s}", "type", "string", "pattern", PAT_TEXT, "description", zDesc);
}

static json_t *enum_schema(json_t *values, const char *zDesc) {  /* steals values */
	return json_pack("{s:s,s:o,s:s}", "type", "string", "enum", values, "description", zDesc);
}

/* Appends z to buf as a literal of both regex dialects: metacharacters inside a one-character class. */
static void pat_literal(char *buf, size_t n, const char *z) {
	size_t k = strlen(buf);
	for (; *z && k + 5 < n; z++) {
		if (strchr(".[]()*+?{}|^$", *z)) k += (size_t)snprintf(buf + k, n - k, *z == '^' ? "\\^" : *z == ']' ? "\\]" : "[%c]", *z);
		else if (*z == '\\') k += (size_t)snprintf(buf + k, n - k, "\\\\");
		else buf[k++] = *z;
		buf[k] = 0;
	}
}

void veh_action_names_pattern(const json_t *values, char *zPat, size_t n) {
	size_t i;
	json_t *v;
	snprintf(zPat, n, "^(");
	json_array_foreach(values, i, v) {
		if (i && strlen(zPat) + 5 < n) strcat(zPat, "|");
		pat_literal(zPat, n - 4, json_string_value(v));
	}
	strcat(zPat, ")$");
}

/* A name or a list of names, each one of values (steals values): model, region, state of a selector. */
static json_t *names_schema(json_t *values, const char *zDesc) {
	char zPat[4096];
	veh_action_names_pattern(values, zPat, sizeof zPat);
	return json_pack("{s:[ss],s:s,s:{s:s,s:o},s:s}", "type", "string", "array", "pattern", zPat, "items", "type",
	                 "string", "enum", values, "description", zDesc);
}

/* The organisations a selector or a service action may name (only when the drill declares them). */
static json_t *org_ids(const veh_world *w) {
	json_t *a = json_array();
	for (int o = 0; w->bOrgs && o < w->nOrg; o++) json_array_append_new(a, json_string(w->aOrg[o].zId));
	return a;
}

static json_t *selector_props(const veh_world *w) {
	const veh_fleet *f = &w->f;
	const char *azState[VEH_ST_N];
	for (int i = 0; i < VEH_ST_N; i++) azState[i] = veh_state_name(i);
	const char *azEcu[VEH_ECU_N];
	for (int i = 0; i < VEH_ECU_N; i++) azEcu[i] = veh_ecu_name(i);
	json_t *p = json_pack("{s:o,s:o,s:o,s:{s:s,s:s,s:s},s:{s:s,s:s,s:s},s:o}",
	                      "model", names_schema(strings((const char *const *)f->azModel, f->nModel), "car model(s)"),
	                      "region", names_schema(strings((const char *const *)f->azRegion, f->nRegion), "region(s)"),
	                      "ecu", enum_schema(strings(azEcu, VEH_ECU_N), "ECU class"),
	                      "below", "type", "string", "pattern", PAT_VERSION, "description", "firmware below this version (MAJOR.MINOR.PATCH)",
	                      "version", "type", "string", "pattern", PAT_VERSION, "description", "firmware at exactly this version",
	                      "state", names_schema(strings(azState, VEH_ST_N), "car state(s)"));
	if (p && w->bOrgs) json_object_set_new(p, "org", names_schema(org_ids(w), "organisation(s) whose cars (a team acts on its own)"));
	return p;
}

/* The properties of a service action: name, and with orgs the org whose backend (a team's own). */
static json_t *service_props(const veh_world *w, json_t *services) {  /* steals services */
	json_t *p = json_pack("{s:o}", "name", enum_schema(services, "backend service"));
	if (p && w->bOrgs) json_object_set_new(p, "org", enum_schema(org_ids(w), "whose backend (a team acts on its own org's)"));
	return p;
}

static json_t *selector_schema(const veh_world *w, const char *zDesc) {
	return json_pack("{s:s,s:o,s:b,s:s}", "type", "object", "properties", selector_props(w), "additionalProperties", 0,
	                 "description", zDesc);
}

static json_t *object_schema(json_t *props, json_t *required, const char *zDesc) {  /* steals both */
	return json_pack("{s:s,s:o,s:o,s:b,s:s}", "type", "object", "properties", props, "required", required,
	                 "additionalProperties", 0, "description", zDesc);
}

/* --- one schema builder per kind ------------------------------------------------------------------- */

typedef struct schema_ctx {
	const veh_world *w;
	json_t *teams;    /* team ids (borrowed) */
	json_t *parties;  /* every party a notify may name (borrowed) */
} schema_ctx;

static json_t *s_triage(const schema_ctx *c) {
	(void)c;
	return object_schema(json_pack("{s:o}", "inject", token_schema("the inject being handled (its id)")),
	                     json_pack("[s]", "inject"), "marks an inject as being handled");
}

static json_t *s_block(const schema_ctx *c) {
	(void)c;
	return object_schema(json_pack("{s:o}", "value", token_schema("an indicator: IP address, domain, URL, file hash, "
	                                                              "key id (apikey:...)")),
	                     json_pack("[s]", "value"), "blocks command-and-control through an indicator");
}

/* Every service of the drill: the built-in backend, then the declared ones (services{}). */
static json_t *services(const schema_ctx *c) {
	json_t *a = json_array();
	for (int i = 0; a && i < veh__svc_count(c->w); i++) json_array_append_new(a, json_string(veh__svc_label(c->w, i)));
	return a;
}

static json_t *s_isolate(const schema_ctx *c) {
	return object_schema(service_props(c->w, services(c)), json_pack("[s]", "name"), "takes a backend service offline");
}

static json_t *s_restore(const schema_ctx *c) {
	return object_schema(service_props(c->w, services(c)), json_pack("[s]", "name"),
	                     "brings an isolated service back, rebuilt clean");
}

static json_t *s_revoke(const schema_ctx *c) {
	json_t *props = selector_props(c->w);
	json_object_set_new(props, "select", selector_schema(c->w, "cars whose certificates are revoked"));
	char zPat[256] = "^(all|signing_key";
	for (int i = 0; i < VEH_ECU_N; i++) {
		strcat(zPat, "|");
		strcat(zPat, veh_ecu_name(i));
	}
	strcat(zPat, ")$");
	json_t *scope = json_pack("{s:[ss],s:s,s:o,s:b,s:s}", "type", "string", "object", "pattern", zPat, "properties", props,
	                          "additionalProperties", 0, "description",
	                          "\"all\", an ECU class, \"signing_key\" (the OTA signing key) or a selector of cars");
	return object_schema(json_pack("{s:o,s:o}", "scope", scope, "reason", str_schema("why (for the record)")),
	                     json_pack("[s]", "scope"), "cuts the affected cars from the backend until re-provisioned");
}

static json_t *s_ota(const schema_ctx *c) {
	const char *azEcu[VEH_ECU_N];
	for (int i = 0; i < VEH_ECU_N; i++) azEcu[i] = veh_ecu_name(i);
	json_t *props = json_pack("{s:o,s:o,s:{s:s,s:s,s:s},s:{s:s,s:f,s:f,s:s}}", "select",
	                          selector_schema(c->w, "cars to update (default: every car with an older firmware)"), "ecu",
	                          enum_schema(strings(azEcu, VEH_ECU_N), "ECU class to update"), "version", "type", "string",
	                          "pattern", PAT_VERSION, "description", "firmware version to install", "rollout", "type",
	                          "number", "minimum", 0.01, "maximum", 1.0, "description",
	                          "fraction of the targeted cars offered per hour (default 0.25)");
	return object_schema(props, json_pack("[ss]", "ecu", "version"), "pushes firmware over the air");
}

static json_t *s_ota_pause(const schema_ctx *c) {
	(void)c;
	return object_schema(json_pack("{s:{s:s,s:i,s:s}}", "campaign", "type", "integer", "minimum", 1, "description",
	                               "the OTA campaign's number (the fleet view's ota_campaigns)"),
	                     json_pack("[s]", "campaign"), "pauses or resumes one OTA campaign");
}

static json_t *s_rotate(const schema_ctx *c) {
	json_t *ids = json_array();
	for (int k = 0; ids && k < c->w->nCred; k++) json_array_append_new(ids, json_string(c->w->aCred[k].zId));
	return object_schema(json_pack("{s:o}", "credential",
	                               enum_schema(ids, c->w->nCred ? "the credential (credentials{} of the drill)"
	                                                            : "this drill declares no credentials")),
	                     json_pack("[s]", "credential"),
	                     "issues a new secret: a stolen copy stops working; the services that use it are degraded meanwhile");
}

static json_t *s_recall(const schema_ctx *c) {
	const char *azEcu[VEH_ECU_N];
	for (int i = 0; i < VEH_ECU_N; i++) azEcu[i] = veh_ecu_name(i);
	json_t *props = json_pack("{s:o,s:o,s:{s:s,s:s,s:s},s:{s:s,s:f,s:f,s:s},s:{s:s,s:f,s:f,s:s},s:{s:[ss],s:s},s:o}",
	                          "select", selector_schema(c->w, "cars recalled (default: every car with an older firmware)"),
	                          "ecu", enum_schema(strings(azEcu, VEH_ECU_N), "ECU class re-flashed at the dealer"),
	                          "version", "type", "string", "pattern", PAT_VERSION, "description", "firmware version installed",
	                          "per_day", "type", "number", "minimum", 0.001, "maximum", 1.0, "description",
	                          "share of the recalled cars brought in per day (default 0.02)",
	                          "uptake", "type", "number", "minimum", 0.01, "maximum", 1.0, "description",
	                          "share of owners who ever come (default 0.75)",
	                          "visit", "type", "number", "string", "description",
	                          "a customer's time per visit (seconds or \"3h\"; default 3h)",
	                          "via", enum_schema(services(c), "a service the dealers need to book and work (e.g. the DMS)"));
	return object_schema(props, json_pack("[ss]", "ecu", "version"),
	                     "recalls cars to dealers for a fix: slow, no connectivity needed, each visit costs its owner time");
}

static json_t *s_advisory(const schema_ctx *c) {
	const char *az[VEH_FEAT_N];
	for (int i = 0; i < VEH_FEAT_N; i++) az[i] = veh_feature_name(i);
	json_t *props = json_pack("{s:o,s:o,s:o}", "text", text_schema("what the owners are told"), "select",
	                          selector_schema(c->w, "whose owners (default: every owner)"), "feature",
	                          enum_schema(strings(az, VEH_FEAT_N), "a remote feature the advice is about (optional)"));
	return object_schema(props, json_pack("[s]", "text"),
	                     "a notice to car owners (what it changes is the scenario's: on(\"action\"))");
}

static json_t *s_contact(const schema_ctx *c) {
	json_t *props = json_pack("{s:o,s:o}", "party", enum_schema(json_deep_copy(c->parties), "who is asked"), "request",
	                          text_schema("what they are asked to do (block an SMS sender, hold deliveries, ...)"));
	return object_schema(props, json_pack("[ss]", "party", "request"),
	                     "asks an outside party to act; what it does is the scenario's (on(\"action\"))");
}

static json_t *s_disable(const schema_ctx *c) {
	const char *az[VEH_FEAT_N];
	for (int i = 0; i < VEH_FEAT_N; i++) az[i] = veh_feature_name(i);
	json_t *props = json_pack("{s:o,s:o}", "feature", enum_schema(strings(az, VEH_FEAT_N), "remote feature"), "select",
	                          selector_schema(c->w, "cars (default: all that have the feature)"));
	return object_schema(props, json_pack("[s]", "feature"), "removes an attack surface at a cost to customers");
}

static json_t *s_notify(const schema_ctx *c) {
	json_t *props = json_pack("{s:o,s:o,s:o}", "party", enum_schema(json_deep_copy(c->parties), "who is notified"),
	                          "text", text_schema("what is said"), "stage",
	                          enum_schema(strings(azStage, -1), "initial, detailed or final notification"));
	return object_schema(props, json_pack("[ss]", "party", "text"), "a notification to an outside party");
}

static json_t *s_share(const schema_ctx *c) {
	json_t *to = json_deep_copy(c->teams);
	json_array_append_new(to, json_string("all"));
	json_t *props = json_pack("{s:o,s:o,s:o,s:{s:s,s:{s:s,s:s},s:s}}", "to", enum_schema(to, "a team, or \"all\""),
	                          "text", text_schema("the message"), "tlp",
	                          enum_schema(strings(azTlp, -1), "Traffic Light Protocol (default clear)"), "indicators",
	                          "type", "array", "items", "type", "string", "pattern", PAT_TOKEN, "description",
	                          "indicators the recipients can act on");
	if (props && c->w->bOrgs)  /* across organisations: a report received may be passed on (how an ISAC fans it out) */
		json_object_set_new(props, "relay", json_pack("{s:s,s:i,s:s}", "type", "integer", "minimum", 1, "description",
		                                              "the seq of a share you received, passed on with its indicators "
		                                              "(its TLP may only tighten; TLP:RED is never passed on)"));
	return object_schema(props, json_pack("[ss]", "to", "text"), "a message to another team");
}

/* An impact assessment of a component, or a VEX statement about a vulnerability (docs/sbom.md): which of the two,
 * and what each needs, r_assess says. */
static json_t *s_assess(const schema_ctx *c) {
	json_t *props = json_pack("{s:o,s:{s:s,s:s,s:s},s:{s:s,s:i,s:s},s:o}", "component",
	                          text_schema("component: name@version, group/name@version or a package URL"), "range", "type",
	                          "string", "pattern", "^vers:[a-z]", "description",
	                          "the component's versions, a VERS range (vers:generic/<1.2.13)", "affected", "type", "integer",
	                          "minimum", 0, "description", "how many cars carry it (or the statement covers)", "select",
	                          selector_schema(c->w, "the cars that carry it (for a statement: the products it is about)"));
	json_object_set_new(props, "vulnerability", token_schema("a vulnerability id (CVE-2022-37434): makes this a VEX statement"));
	json_object_set_new(props, "status", enum_schema(strings(veh__vex_statuses, -1), "the statement: affected, not_affected, "
	                                                 "fixed or under_investigation"));
	json_object_set_new(props, "justification", enum_schema(strings(veh__vex_justifications, -1),
	                                                        "why not_affected (CycloneDX or CISA names)"));
	json_object_set_new(props, "response", names_schema(strings(veh__vex_responses, -1), "the response(s) to it"));
	json_object_set_new(props, "detail", text_schema("the impact statement"));
	return object_schema(props, json_array(), "an impact assessment against the firmware SBOMs, or a VEX statement");
}

static json_t *s_report(const schema_ctx *c) {
	(void)c;
	return object_schema(json_pack("{s:o}", "text", text_schema("the report")), json_pack("[s]", "text"),
	                     "free text, graded by the facilitator");
}

/* --- rules the schema cannot say ------------------------------------------------------------------- */

static int r_share(json_t *args, int bPartial, ky_err *err) {
	(void)bPartial;
	const char *zTlp = json_string_value(json_object_get(args, "tlp"));
	const char *zTo = json_string_value(json_object_get(args, "to"));
	if (zTlp && zTo && !strcmp(zTlp, "red") && !strcmp(zTo, "all"))
		return ky_err_set(err, KY_EINVAL, "share: args.to: a TLP:RED share goes to one named team, not \"all\"");
	return 0;
}

/* An expectation or a penalty (bPartial) may name any subset: what an action must have is checked only for actions. */
static int r_assess(json_t *args, int bPartial, ky_err *err) {
	/* with neither affected nor select an assessment of a component is qualitative: recorded, nothing to compare */
	static const char *const azVex[] = { "status", "justification", "response", NULL };
	const char *zStatus = json_string_value(json_object_get(args, "status"));
	if (bPartial) return 0;
	if (!json_object_get(args, "vulnerability")) {
		if (!json_object_get(args, "component"))
			return ky_err_set(err, KY_EINVAL, "assess: args.component: required (or args.vulnerability for a VEX statement)");
		for (int i = 0; azVex[i]; i++)
			if (json_object_get(args, azVex[i]))
				return ky_err_set(err, KY_EINVAL, "assess: args.%s: only in a statement about a vulnerability (args.vulnerability)",
				                  azVex[i]);
		return 0;
	}
	if (!zStatus)
		return ky_err_set(err, KY_EINVAL, "assess: args.status: required with args.vulnerability (affected, not_affected, fixed or "
		                  "under_investigation)");
	if ((!strcmp(zStatus, "not_affected") || !strcmp(zStatus, "false_positive")) && !json_object_get(args, "justification") &&
	    !json_object_get(args, "detail"))
		return ky_err_set(err, KY_EINVAL, "assess: args.justification: a not_affected statement needs a justification "
		                  "(code_not_present, code_not_reachable, ...) or a detail");
	return 0;
}

/* --- the table -------------------------------------------------------------------------------------- */

typedef struct kind_row {
	veh_action_info info;
	json_t *(*schema)(const schema_ctx *);
	int (*rule)(json_t *args, int bPartial, ky_err *err);  /* may be NULL; bPartial: an expectation's or penalty's args */
	veh__act_fn *apply;                                   /* may be NULL: paperwork */
} kind_row;

#define W VEH_ACT_WORLD
#define C VEH_ACT_CONFIRM
#define N VEH_ACT_NOFLEET
static const kind_row aKind[] = {
	{ { "triage", N, VEH_SCOPE_NONE, "marks an inject as being handled", "" }, s_triage, NULL, NULL },
	{ { "block_indicator", W | N, VEH_SCOPE_INDICATOR, "stops command-and-control through an indicator", "matched cars" }, s_block, NULL,
	  veh__act_block },
	{ { "isolate_service", W | C | N, VEH_SCOPE_SERVICE, "takes a backend service offline", "" }, s_isolate, NULL, veh__act_isolate },
	{ { "restore_service", W | N, VEH_SCOPE_SERVICE, "brings an isolated service back, rebuilt clean", "" }, s_restore, NULL,
	  veh__act_restore },
	{ { "rotate_credential", W | C | N, VEH_SCOPE_CREDENTIAL,
	    "issues a new secret for a credential: a stolen copy stops working, its services are degraded meanwhile", "" },
	  s_rotate, NULL, veh__act_rotate },
	{ { "revoke_certificate", W | C, VEH_SCOPE_SELECT, "cuts affected cars from the backend until re-provisioned",
	    "coverage cut_cars compromised_cut" },
	  s_revoke, NULL, veh__act_revoke },
	{ { "ota_campaign", W | C, VEH_SCOPE_SELECT, "pushes firmware over the air", "coverage targeted" }, s_ota, NULL, veh__act_ota },
	{ { "disable_feature", W | C, VEH_SCOPE_SELECT, "removes an attack surface at a cost to customers",
	    "coverage affected_customers" }, s_disable, NULL,
	  veh__act_disable },
	{ { "pause_ota_campaign", W, VEH_SCOPE_SERVICE, "pauses one OTA campaign of the OTA server", "" }, s_ota_pause, NULL,
	  veh__act_ota_pause },
	{ { "resume_ota_campaign", W, VEH_SCOPE_SERVICE, "resumes a paused OTA campaign", "" }, s_ota_pause, NULL,
	  veh__act_ota_resume },
	{ { "recall", W | C, VEH_SCOPE_SELECT, "recalls cars to dealers for a fix, at a cost in customer hours", "coverage targeted" },
	  s_recall, NULL, veh__act_recall },
	{ { "customer_advisory", 0, VEH_SCOPE_SELECT, "a notice to car owners (the scenario says what it changes)", "" },
	  s_advisory, NULL, veh__act_advisory },
	{ { "notify", N, VEH_SCOPE_NONE, "a notification to an outside party", "" }, s_notify, NULL, NULL },
	{ { "contact", N, VEH_SCOPE_NONE, "asks an outside party to act (the scenario says what it does)", "" }, s_contact, NULL,
	  NULL },
	{ { "share", N, VEH_SCOPE_NONE, "a message to another team", "" }, s_share, r_share, NULL },
	{ { "assess", N, VEH_SCOPE_NONE, "an impact assessment against the firmware SBOMs, or a VEX statement", "accuracy" }, s_assess, r_assess,
	  veh__act_assess },
	{ { "report", N, VEH_SCOPE_NONE, "free text, graded by the facilitator", "" }, s_report, NULL, NULL },
};
#undef W
#undef C
#undef N
#define N_KIND ((int)(sizeof aKind / sizeof aKind[0]))

const veh_action_info *veh_action_at(int i) { return i >= 0 && i < N_KIND ? &aKind[i].info : NULL; }

static const kind_row *row_of(const char *zKind) {
	for (int i = 0; zKind && i < N_KIND; i++)
		if (!strcmp(aKind[i].info.zKind, zKind)) return &aKind[i];
	return NULL;
}

const veh_action_info *veh_action_find(const char *zKind) {
	const kind_row *r = row_of(zKind);
	return r ? &r->info : NULL;
}

const char *veh_action_names(void) {
	static char z[400];
	if (!z[0])
		for (int i = 0; i < N_KIND; i++) {
			size_t n = strlen(z);
			snprintf(z + n, sizeof z - n, "%s%s", i ? ", " : "", aKind[i].info.zKind);
		}
	return z;
}

json_t *veh_action_kinds_json(void) {
	static const char *const azScope[] = { [VEH_SCOPE_NONE] = "none", [VEH_SCOPE_SELECT] = "select", [VEH_SCOPE_SERVICE] = "service",
		                                   [VEH_SCOPE_INDICATOR] = "indicator", [VEH_SCOPE_CREDENTIAL] = "credential" };
	json_t *a = json_array();
	for (int i = 0; a && i < N_KIND; i++) {
		const veh_action_info *k = &aKind[i].info;
		assert(k->scope >= VEH_SCOPE_NONE && k->scope <= VEH_SCOPE_CREDENTIAL);
		json_array_append_new(a, json_pack("{s:s,s:b,s:b,s:b,s:s,s:s}", "kind", k->zKind, "world", (k->flags & VEH_ACT_WORLD) != 0,
		                                   "confirm", (k->flags & VEH_ACT_CONFIRM) != 0, "nofleet",
		                                   (k->flags & VEH_ACT_NOFLEET) != 0, "scope", azScope[k->scope], "summary",
		                                   k->zSummary));
	}
	return a;
}

json_t *veh_action_schemas(const veh_world *w, json_t *ctx) {
	json_t *parties = strings(veh_action_parties, -1), *o = json_object();
	json_t *extra = json_object_get(ctx, "parties");
	size_t i;
	json_t *v;
	json_array_foreach(extra, i, v) {
		int bHave = 0;
		size_t j;
		json_t *p;
		json_array_foreach(parties, j, p) bHave |= json_equal(p, v);
		if (!bHave && json_is_string(v)) json_array_append(parties, v);
	}
	json_t *teams = json_object_get(ctx, "teams");
	json_t *noTeams = json_array();
	schema_ctx c = { w, json_is_array(teams) ? teams : noTeams, parties };
	for (int k = 0; o && parties && k < N_KIND; k++) {
		json_t *s = aKind[k].schema(&c);
		if (!s) {
			json_decref(o);
			o = NULL;
			break;
		}
		json_object_set_new(o, aKind[k].info.zKind, s);
	}
	json_decref(parties);
	json_decref(noTeams);
	return o;
}

static int check(json_t *schemas, const char *zKind, json_t *args, int bPartial, ky_err *err) {
	const kind_row *r = row_of(zKind);
	char zPath[96];
	if (!r) return ky_err_set(err, KY_EINVAL, "unknown action kind '%s' (known: %s)", zKind ? zKind : "", veh_action_names());
	if (!json_is_object(args)) return ky_err_set(err, KY_EINVAL, "%s: args: expected an object", zKind);
	json_t *s = json_object_get(schemas, zKind);
	snprintf(zPath, sizeof zPath, "%s: args", zKind);
	int rc = bPartial ? eng_jschema_validate_partial(s, args, zPath, err) : eng_jschema_validate(s, args, zPath, err);
	if (rc == 0 && r->rule) rc = r->rule(args, bPartial, err);
	return rc;
}

int veh_action_check(json_t *schemas, const char *zKind, json_t *args, ky_err *err) {
	return check(schemas, zKind, args, 0, err);
}

int veh_action_check_partial(json_t *schemas, const char *zKind, json_t *args, ky_err *err) {
	return check(schemas, zKind, args, 1, err);
}

/* --- scope: what a team of one organisation may act on (CONTRACT §3) ------------------------------------
 * One rule per veh_scope, applied before the kind's effect when the drill declares orgs and the action has a team's
 * org: each checks the args against the org and returns them scoped (a new object: selectors carry "org", a service
 * action names its "org"), or refuses naming the other org. */

typedef struct scope_in {
	const veh_world *w;
	int iOrg;              /* the acting org */
	const char *zTeam, *zKind;
} scope_in;

/* The refusal of an action that names another org's cars or services. */
static int refuse_other(const scope_in *x, const char *zField, const char *zOther, ky_err *err) {
	return ky_err_set(err, KY_EINVAL, "%s: %s: '%s' is another organisation's (team %s acts for %s only)", x->zKind, zField,
	                  zOther, x->zTeam ? x->zTeam : "?", x->w->aOrg[x->iOrg].zId);
}

/* A selector (a JSON object) scoped to the acting org (new ref in *pOut): refused when it names another org, or when
 * its model/region/org could only match other orgs' cars (then the error lists them). */
static int scope_selector(const scope_in *x, json_t *jSel, const char *zField, json_t **pOut, ky_err *err) {
	const veh_world *w = x->w;
	char zWhere[96];
	json_t *jOrg = json_object_get(jSel, "org"), *v;
	size_t i;
	if (json_is_string(jOrg) && strcmp(json_string_value(jOrg), w->aOrg[x->iOrg].zId) != 0) {
		snprintf(zWhere, sizeof zWhere, "%s.org", zField);
		return refuse_other(x, zWhere, json_string_value(jOrg), err);
	}
	json_array_foreach(jOrg, i, v) if (json_is_string(v) && strcmp(json_string_value(v), w->aOrg[x->iOrg].zId) != 0) {
		snprintf(zWhere, sizeof zWhere, "%s.org", zField);
		return refuse_other(x, zWhere, json_string_value(v), err);
	}
	veh_selector s;
	snprintf(zWhere, sizeof zWhere, "%s: %s.", x->zKind, zField);
	if (veh_selector_compile(&w->f, jSel, zWhere, &s, err)) return err->code;
	int bOwn = 0, bOther = 0;
	uint8_t aOther[VEH_ORG_MAX] = { 0 };
	for (int c = 0; c < w->f.nCoh; c++) {
		if (!s.aCohOk[c]) continue;
		int o = w->f.aCoh[c].iOrg;
		bOwn |= o == x->iOrg;
		bOther |= aOther[o] = o != x->iOrg;
	}
	veh_selector_free(&s);
	if (!bOwn && bOther) {
		char zList[300] = "";
		for (int o = 0; o < w->nOrg; o++)
			if (aOther[o]) snprintf(zList + strlen(zList), sizeof zList - strlen(zList), "%s%s", zList[0] ? ", " : "", w->aOrg[o].zId);
		return ky_err_set(err, KY_EINVAL, "%s: %s: matches only cars of %s (team %s acts for %s only)", x->zKind, zField, zList,
		                  x->zTeam ? x->zTeam : "?", w->aOrg[x->iOrg].zId);
	}
	*pOut = json_is_object(jSel) ? json_copy(jSel) : json_object();
	json_object_set_new(*pOut, "org", json_string(w->aOrg[x->iOrg].zId));
	return 0;
}

static int sc_none(const scope_in *x, json_t *args, json_t **pOut, ky_err *err) {
	(void)x, (void)err;
	*pOut = json_incref(args);
	return 0;
}

/* select (ota_campaign, disable_feature) or scope (revoke_certificate: "all", an ECU class, "signing_key", a selector
 * or { select = selector }): limited to the org's cars; "signing_key" is the org's own key. */
static int sc_select(const scope_in *x, json_t *args, json_t **pOut, ky_err *err) {
	json_t *out = json_copy(args), *jScoped = NULL, *jSel = json_object_get(args, "select"), *jScope = json_object_get(args, "scope");
	int rc = 0;
	if (jScope) {
		const char *z = json_string_value(jScope);
		json_t *jInner = z ? NULL : json_object_get(jScope, "select");
		if (z && !strcmp(z, "signing_key")) {
			/* the org's own signing key: nothing to scope */
		} else if (z) {
			json_t *j = strcmp(z, "all") == 0 ? json_object() : json_pack("{ss}", "ecu", z);
			rc = scope_selector(x, j, "scope", &jScoped, err);
			json_decref(j);
			if (!rc) json_object_set_new(out, "scope", jScoped);
		} else if ((rc = scope_selector(x, jInner ? jInner : jScope, jInner ? "scope.select" : "scope", &jScoped, err)) == 0) {
			json_object_set_new(out, "scope", jScoped);
		}
	} else {
		rc = scope_selector(x, jSel ? jSel : NULL, "select", &jScoped, err);
		if (!rc) json_object_set_new(out, "select", jScoped);
	}
	if (rc) {
		json_decref(out);
		return rc;
	}
	*pOut = out;
	return 0;
}

/* The refusal of a world-changing action by an org without cars or a vehicle backend. */
static int refuse_nofleet(const veh_world *w, int iOrg, const char *zKind, ky_err *err) {
	return ky_err_set(err, KY_EINVAL, "%s: organisation %s is a %s without cars or a vehicle backend: it acts through "
	                  "share, notify, report, assess, triage and block_indicator (and on the services it runs)", zKind,
	                  w->aOrg[iOrg].zId, veh__org_kind_name(w->aOrg[iOrg].kind));
}

/* isolate_service, restore_service (and the OTA campaign kinds): the org's own backend, or a declared service of the
 * org (which an org without cars may also run: a supplier's build system). */
static int sc_service(const scope_in *x, json_t *args, json_t **pOut, ky_err *err) {
	const veh_world *w = x->w;
	const char *zOrg = json_string_value(json_object_get(args, "org"));
	const char *zName = json_string_value(json_object_get(args, "name"));
	int s = zName ? veh__svc_find(w, zName) : -1;
	if (zOrg && strcmp(zOrg, w->aOrg[x->iOrg].zId) != 0) return refuse_other(x, "org", zOrg, err);
	if (s >= VEH_SVC_N && w->aSvcX[s - VEH_SVC_N].iOrg != x->iOrg)
		return ky_err_set(err, KY_EINVAL, "%s: name: '%s' is %s's service (team %s acts for %s only)", x->zKind, zName,
		                  w->aOrg[w->aSvcX[s - VEH_SVC_N].iOrg].zId, x->zTeam ? x->zTeam : "?", w->aOrg[x->iOrg].zId);
	if (s < VEH_SVC_N && !veh__org_has_fleet(w, x->iOrg)) return refuse_nofleet(w, x->iOrg, x->zKind, err);
	*pOut = json_copy(args);
	json_object_set_new(*pOut, "org", json_string(w->aOrg[x->iOrg].zId));
	return 0;
}

/* rotate_credential: a credential the org holds, or one that reaches the org's services (its issuer can revoke it). */
static int sc_credential(const scope_in *x, json_t *args, json_t **pOut, ky_err *err) {
	const veh_world *w = x->w;
	int k = veh__cred_find(w, json_string_value(json_object_get(args, "credential")));
	if (k >= 0) {
		const veh_cred *c = &w->aCred[k];
		int bOk = c->iHolder == x->iOrg || (c->iOrg == x->iOrg && (c->reach & ((1ull << VEH_SVC_N) - 1)));
		for (int s = VEH_SVC_N; !bOk && s < veh__svc_count(w); s++)
			bOk = (c->reach >> s & 1u) && w->aSvcX[s - VEH_SVC_N].iOrg == x->iOrg;
		if (!bOk)
			return ky_err_set(err, KY_EINVAL, "%s: credential: '%s' is held by %s and reaches %s's services (team %s acts "
			                  "for %s only)", x->zKind, c->zId, c->zHeldBy, w->aOrg[c->iOrg].zId, x->zTeam ? x->zTeam : "?",
			                  w->aOrg[x->iOrg].zId);
	}
	*pOut = json_incref(args);
	return 0;
}

/* The one table of scope rules, indexed by veh_scope (VEH_SCOPE_INDICATOR: the effect blocks at the acting org's
 * gateway, nothing in the args to scope). */
static int (*const aScopeRule[])(const scope_in *, json_t *, json_t **, ky_err *) = {
	[VEH_SCOPE_NONE] = sc_none, [VEH_SCOPE_SELECT] = sc_select, [VEH_SCOPE_SERVICE] = sc_service,
	[VEH_SCOPE_INDICATOR] = sc_none, [VEH_SCOPE_CREDENTIAL] = sc_credential,
};

int veh_action_scope(veh_world *w, const char *zTeam, const char *zOrg, const char *zKind, json_t *args, json_t **pOut,
                     ky_err *err) {
	const kind_row *r = row_of(zKind);
	int iOrg = veh__org_index(w, zOrg);
	*pOut = NULL;
	if (!r) return ky_err_set(err, KY_ENOENT, "unknown action '%s' (known: %s)", zKind, veh_action_names());
	if (iOrg < 0) return ky_err_set(err, KY_ENOENT, "%s: unknown organisation '%s'", zKind, zOrg ? zOrg : "");
	if (!veh__org_has_fleet(w, iOrg) && !(r->info.flags & VEH_ACT_NOFLEET)) return refuse_nofleet(w, iOrg, zKind, err);
	scope_in x = { w, iOrg, zTeam, zKind };
	return aScopeRule[r->info.scope](&x, args, pOut, err);
}

/* veh_world_action's dispatch (worldInt.h): the scope of the acting org, then the kind's effect, or nothing for
 * paperwork. */
int veh__action(veh_world *w, const char *zTeam, int iOrg, const char *zKind, json_t *args, json_t **result,
                ky_err *err) {
	const kind_row *r = row_of(zKind);
	json_t *scoped = NULL;
	if (!r) return ky_err_set(err, KY_ENOENT, "unknown action '%s' (known: %s)", zKind, veh_action_names());
	if (iOrg >= 0 && w->bOrgs) {
		int rc = veh_action_scope(w, zTeam, w->aOrg[iOrg].zId, zKind, args, &scoped, err);
		if (rc) return rc;
		args = scoped;
	}
	int rc = r->apply ? r->apply(w, zTeam, iOrg, zKind, args, result, err) : 0;
	json_decref(scoped);
	return rc;
}

/* action: the one table of team action kinds (CONTRACT §3). Each kind has its argument schema (JSON Schema, the
 * `exercise.catalog.actions` of CONTRACT §4), the rules beyond it, its effect on the world, its scope and whether
 * it changes the world. The drill (validation and apply), `kyodo check` (expectations and penalties), the server's
 * catalog and the pages' forms all derive from this table, so a rule is written once with one wording.
 * Knows nothing of Lua, sockets or pixels; teams and parties are names the drill passes in.
 * Ownership: json_t arguments are borrowed; results are new references. */
#ifndef VEH_ACTION_H
#define VEH_ACTION_H

#include <jansson.h>

#include "engine/err.h"

typedef struct veh_world veh_world;

/* What a kind is. */
enum {
	VEH_ACT_WORLD = 1,    /* changes the world: an expectation on it is met only by an effective action */
	VEH_ACT_CONFIRM = 2,  /* fleet-wide consequences: the pages ask the participant to confirm first */
	VEH_ACT_NOFLEET = 4,  /* open to a team whose organisation has no fleet (an ISAC, a supplier) */
};

/* How an organisation's scope applies to a kind's args (CONTRACT §3, multi-organisation drills). */
typedef enum veh_scope {
	VEH_SCOPE_NONE = 0,   /* paperwork: nothing in the world to scope */
	VEH_SCOPE_SELECT,     /* a selector of cars (select, scope) limited to the org's cars */
	VEH_SCOPE_SERVICE,    /* a backend service name: the org's own service */
	VEH_SCOPE_INDICATOR,  /* an indicator blocked for the org's cars and services only */
	VEH_SCOPE_CREDENTIAL, /* a credential the org holds, or that reaches its services */
} veh_scope;

typedef struct veh_action_info {
	const char *zKind;
	unsigned flags;       /* VEH_ACT_* */
	veh_scope scope;
	const char *zSummary; /* one line, English, for help texts and docs */
	const char *zEffects; /* numbers of its result an expectation's effect{} may require (at least), space-separated */
} veh_action_info;

/* The kinds in table order; NULL past the end. */
const veh_action_info *veh_action_at(int i);
/* The kind named zKind, or NULL. */
const veh_action_info *veh_action_find(const char *zKind);
/* "triage, block_indicator, ..." for messages (static storage). */
const char *veh_action_names(void);

/* The kinds in table order with what the pages need beside the schemas (new ref):
 * [{"kind":K,"world":B,"confirm":B,"nofleet":B,"scope":"none|select|service|indicator","summary":"..."},...]. */
json_t *veh_action_kinds_json(void);

/* The default parties a `notify` can name (NULL-terminated; a scenario may add its own). */
extern const char *const veh_action_parties[];

/* The pattern of a "name or list of names" property over values (strings), as the schemas write it: "^(a|b)$" with
 * each name a literal of both POSIX ERE and ECMAScript (server/scope.c rebuilds it for a team's narrower list). */
void veh_action_names_pattern(const json_t *values, char *zPat, size_t n);
/* The schema of every kind for this world, {"triage":{...},"block_indicator":{...},...}: enums of the world's
 * services, features, ECUs, models and regions, plus what the drill knows (ctx, borrowed, may be NULL):
 * {"teams":["vsoc",...], "parties":["kba",...]} (parties added to the defaults). NULL when out of memory. */
json_t *veh_action_schemas(const veh_world *w, json_t *ctx);

/* Checks an action: the kind is known, args is an object valid against its schema, and the rules the schema
 * cannot say (a TLP:RED share goes to one named team). 0 or KY_EINVAL/KY_ENOENT with err
 * "KIND: args.FIELD: message". schemas from veh_action_schemas. */
int veh_action_check(json_t *schemas, const char *zKind, json_t *args, ky_err *err);
/* The same for the args an expectation or a penalty names (a subset: required fields are not enforced). */
int veh_action_check_partial(json_t *schemas, const char *zKind, json_t *args, ky_err *err);

/* The scope rules (CONTRACT §3, one per veh_scope): args of an action of team zTeam of organisation zOrg, limited to
 * that org: *pOut (new ref) has its selectors carry "org" and its service actions name "org". Refused (KY_EINVAL, the
 * message names the other org) when they name another org's cars or services, or when the org has no fleet and the
 * kind is not VEH_ACT_NOFLEET; KY_ENOENT for an unknown org. veh_world_action_as applies it before every effect. */
int veh_action_scope(veh_world *w, const char *zTeam, const char *zOrg, const char *zKind, json_t *args, json_t **pOut,
                     ky_err *err);

#endif

/* scope (server): see scope.h. */
#include "server/scope.h"

#include <string.h>

#include "vehicles/action.h"

/* Is string z in array a? */
static int has(const json_t *a, const char *z) {
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) if (json_is_string(v) && !strcmp(json_string_value(v), z)) return 1;
	return 0;
}

static void add_unique(json_t *a, json_t *v) {
	if (json_is_string(v) && !has(a, json_string_value(v))) json_array_append(a, v);
}

/* Keeps the elements of array a for which keep(element, ctx) holds; the string value of each dropped element's "id"
 * (or the element itself when a string) goes into pGone when given. */
static void keep_if(json_t *a, int (*keep)(const json_t *, const void *), const void *ctx, json_t *pGone) {
	for (size_t i = json_array_size(a); i-- > 0;) {
		json_t *v = json_array_get(a, i);
		if (keep(v, ctx)) continue;
		if (pGone) add_unique(pGone, json_is_string(v) ? v : json_object_get(v, "id"));
		json_array_remove(a, i);
	}
}

typedef struct owner {
	const char *zOrg;
	const json_t *pTeamOrg;
} owner;

static int own_cohort(const json_t *v, const void *ctx) {
	const owner *o = ctx;
	const char *z = json_string_value(json_object_get(v, "org"));
	return z && !strcmp(z, o->zOrg);
}

/* A declared service: its org's. */
static int own_service(const json_t *v, const void *ctx) { return own_cohort(v, ctx); }

/* A credential: one that reaches the org's backend, or that the org (or one of its teams) holds. */
static int own_credential(const json_t *v, const void *ctx) {
	const owner *o = ctx;
	const char *zReach = json_string_value(json_object_get(v, "reaches_org")), *zHeld = json_string_value(json_object_get(v, "held_by"));
	const char *zHeldOrg = zHeld ? json_string_value(json_object_get(o->pTeamOrg, zHeld)) : NULL;
	return (zReach && !strcmp(zReach, o->zOrg)) || (zHeld && !strcmp(zHeld, o->zOrg)) || (zHeldOrg && !strcmp(zHeldOrg, o->zOrg));
}

static int in_list(const json_t *v, const void *ctx) { return json_is_string(v) && has(ctx, json_string_value(v)); }
static int not_gone(const json_t *v, const void *ctx) { return !in_list(v, ctx); }

/* Drops the values in pGone from every "enum" list of schema j; returns 1 if a list is left empty. */
static int strip_enums(json_t *j, const json_t *pGone) {
	int bEmpty = 0;
	if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v) bEmpty |= strip_enums(v, pGone);
		return bEmpty;
	}
	const char *k;
	json_t *v;
	json_object_foreach(j, k, v) {
		if (!strcmp(k, "enum") && json_is_array(v)) {
			keep_if(v, not_gone, pGone, NULL);
			bEmpty |= json_array_size(v) == 0;
		} else {
			bEmpty |= strip_enums(v, pGone);
		}
	}
	/* a name or a list of names: its pattern spells the list's names (vehicles/action.c) */
	json_t *pNames = json_object_get(json_object_get(j, "items"), "enum");
	if (json_is_array(pNames) && json_is_string(json_object_get(j, "pattern"))) {
		char zPat[4096];
		veh_action_names_pattern(pNames, zPat, sizeof zPat);
		json_object_set_new(j, "pattern", json_string(zPat));
	}
	return bEmpty;
}

/* Drops from catalog list zKey (models, regions) the names no kept cohort has (key zCohortKey); into pGone. */
static void gone_names(json_t *c, const char *zKey, const char *zCohortKey, json_t *pGone) {
	json_t *pUsed = json_array(), *v;
	size_t i;
	json_array_foreach(json_object_get(c, "cohorts"), i, v) add_unique(pUsed, json_object_get(v, zCohortKey));
	keep_if(json_object_get(c, zKey), in_list, pUsed, pGone);
	json_decref(pUsed);
}

static int is_str(const json_t *v, const void *ctx) { return json_is_string(v) && !strcmp(json_string_value(v), ctx); }

/* Narrows every "org" property of schema j (a selector's, a service action's) to zOrg: the team acts on its own. */
static void narrow_org(json_t *j, const char *zOrg) {
	const char *k;
	json_t *v;
	size_t i;
	if (json_is_array(j)) json_array_foreach(j, i, v) narrow_org(v, zOrg);
	json_object_foreach(j, k, v) {
		if (strcmp(k, "org") != 0 || !json_is_object(v)) {
			narrow_org(v, zOrg);
			continue;
		}
		json_t *pNames = json_object_get(json_object_get(v, "items"), "enum");
		keep_if(json_object_get(v, "enum"), is_str, zOrg, NULL);
		keep_if(pNames, is_str, zOrg, NULL);
		if (json_is_array(pNames) && json_is_string(json_object_get(v, "pattern"))) {
			char zPat[512];
			veh_action_names_pattern(pNames, zPat, sizeof zPat);
			json_object_set_new(v, "pattern", json_string(zPat));
		}
	}
}

/* Leaves out of c's "actions" and "action_kinds" every kind whose schema lost all of a list's values. */
static void strip_actions(json_t *c, const json_t *pGone) {
	json_t *acts = json_object_get(c, "actions"), *pDrop = json_array(), *v;
	const char *k;
	void *tmp;
	json_object_foreach_safe(acts, tmp, k, v) {
		if (!strip_enums(v, pGone)) continue;
		json_array_append_new(pDrop, json_string(k));
		json_object_del(acts, k);
	}
	json_t *kinds = json_object_get(c, "action_kinds");
	for (size_t i = json_array_size(kinds); i-- > 0;)
		if (has(pDrop, json_string_value(json_object_get(json_array_get(kinds, i), "kind")))) json_array_remove(kinds, i);
	json_decref(pDrop);
}

void srv_scope_exercise(json_t *e, const char *zOrg, const json_t *pTeamOrg) {
	owner o = { zOrg, pTeamOrg };
	static const char *const azOwn[] = { "catalog", "services", "credentials" };
	for (size_t i = 0; i < sizeof azOwn / sizeof azOwn[0]; i++) {  /* its own copies: e shares them with the drill's */
		json_t *v = json_object_get(e, azOwn[i]);
		if (v) json_object_set_new(e, azOwn[i], json_deep_copy(v));
	}
	json_t *c = json_object_get(e, "catalog"), *pGone = json_array();
	if (!c || !pGone) {
		json_decref(pGone);
		return;
	}
	keep_if(json_object_get(c, "cohorts"), own_cohort, &o, NULL);
	gone_names(c, "models", "model", pGone);
	gone_names(c, "regions", "region", pGone);
	keep_if(json_object_get(c, "declared_services"), own_service, &o, pGone);
	keep_if(json_object_get(e, "services"), own_service, &o, pGone);
	keep_if(json_object_get(c, "credentials"), own_credential, &o, pGone);
	keep_if(json_object_get(e, "credentials"), own_credential, &o, pGone);
	keep_if(json_object_get(c, "services"), not_gone, pGone, NULL);
	strip_actions(c, pGone);
	narrow_org(json_object_get(c, "actions"), zOrg);
	json_decref(pGone);
}

/* script: the Lua scenario API (CONTRACT §2, docs/scenario-api.md) registered in a drill's sandbox.
 * Declarations (scenario, teams, fleet, sbom, inject, at, every, when, on, penalty, outcome) fill the drill;
 * world queries and verbs convert their Lua table to JSON and call veh_world_call. Every error is raised with
 * luaL_error so it carries the scenario's FILE:LINE. It is the only file of the drill that touches Lua: the drill
 * calls back into the scenario through scn_script_ops (drillInt.h). See drillInt.h for the life of a drill. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>

#include "scenarios/drillInt.h"
#include "scenarios/sandbox.h"
#include "vehicles/action.h"
#include "vehicles/atm.h"

#define ADVISORY_MAX_BYTES (1 << 20)

/* The scenario's Lua state, owned by the drill (d->script), opaque outside this file. */
struct scn_script {
	scn_sandbox *sb;
	lua_State *L;
	eng_rng rng;  /* math.random's stream ("scenario.lua") */
};

static scn_drill *drill_of(lua_State *L) { return lua_touserdata(L, lua_upvalueindex(1)); }

static int cur_line(lua_State *L) {
	lua_Debug ar;
	if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar)) return ar.currentline;
	return 0;
}

/* Raises "WHAT: unknown field 'x' (known: a, b)" for a string key of the table at idx not in azKnown. */
static void check_fields(lua_State *L, int idx, const char *zWhat, const char *const *azKnown) {
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING) continue;
		const char *zKey = lua_tostring(L, -1);
		int bOk = 0;
		for (int i = 0; azKnown[i]; i++) bOk |= !strcmp(zKey, azKnown[i]);
		if (bOk) continue;
		luaL_Buffer b;
		luaL_buffinit(L, &b);
		for (int i = 0; azKnown[i]; i++) {
			if (i) luaL_addstring(&b, ", ");
			luaL_addstring(&b, azKnown[i]);
		}
		luaL_pushresult(&b);
		luaL_error(L, "%s: unknown field '%s' (known: %s)", zWhat, zKey, lua_tostring(L, -1));
	}
}

/* The string field zKey of the table at idx, or zDefault when absent (NULL default: required). */
static const char *str_field(lua_State *L, int idx, const char *zWhat, const char *zKey, const char *zDefault) {
	int t = lua_getfield(L, idx, zKey);
	if (t == LUA_TNIL) {
		lua_pop(L, 1);
		if (!zDefault) luaL_error(L, "%s: '%s' is required", zWhat, zKey);
		return zDefault;
	}
	if (t != LUA_TSTRING) luaL_error(L, "%s: '%s' must be a string, not a %s", zWhat, zKey, lua_typename(L, t));
	const char *z = lua_tostring(L, -1);
	lua_pop(L, 1);  /* the table still references the string */
	return z;
}

/* A time value at idx: seconds as a number or a time string. Raises "WHAT: bad time ..." otherwise. */
static eng_time_t time_at(lua_State *L, int idx, const char *zWhat) {
	ky_err err = { 0 };
	eng_time_t t = 0;
	int rc;
	if (lua_type(L, idx) == LUA_TNUMBER) rc = eng_time_from_seconds(lua_tonumber(L, idx), &t, &err);
	else if (lua_type(L, idx) == LUA_TSTRING) rc = eng_time_parse(lua_tostring(L, idx), &t, &err);
	else rc = ky_err_set(&err, KY_EPARSE, "expected seconds or a time string, not a %s", luaL_typename(L, idx));
	if (rc) luaL_error(L, "%s: %s", zWhat, err.zMsg);
	return t;
}

/* The time field zKey (-1 when absent and not required). */
static eng_time_t time_field(lua_State *L, int idx, const char *zWhat, const char *zKey, int bRequired) {
	char zW[128];
	if (lua_getfield(L, idx, zKey) == LUA_TNIL) {
		lua_pop(L, 1);
		if (bRequired) luaL_error(L, "%s: '%s' is required", zWhat, zKey);
		return -1;
	}
	snprintf(zW, sizeof zW, "%s: %s", zWhat, zKey);
	eng_time_t t = time_at(L, -1, zW);
	lua_pop(L, 1);
	return t;
}

/* The value at idx as JSON (new ref), raising "WHAT: message" on failure. */
static json_t *json_arg(lua_State *L, int idx, const char *zWhat) {
	ky_err err = { 0 };
	json_t *j = NULL;
	if (lua_isnoneornil(L, idx)) return json_object();
	if (scn_lua_to_json(L, idx, &j, &err)) luaL_error(L, "%s: %s", zWhat, err.zMsg);
	return j;
}

static void need_loading(lua_State *L, scn_drill *d, const char *zWhat) {
	if (!d->bLoading) luaL_error(L, "%s: only at the top level of the scenario file, not in a callback", zWhat);
}

static void need_running(lua_State *L, scn_drill *d, const char *zWhat) {
	if (d->bLoading) {
		luaL_error(L, "%s: only inside a callback (at, every, when, on): the world starts after the file is loaded",
		           zWhat);
	}
}

/* --- declarations ----------------------------------------------------------------------------------- */

/* scenario{}'s optional list of names zKey (malware, tools) into *pOut (an array of strings, replaced). */
static void string_list(lua_State *L, scn_drill *d, const char *zKey, json_t **pOut) {
	(void)d;
	if (lua_getfield(L, 1, zKey) != LUA_TNIL) {
		char zW[64];
		snprintf(zW, sizeof zW, "scenario: %s", zKey);
		json_t *j = json_arg(L, -1, zW);
		if (json_is_object(j) && json_object_size(j) == 0) {
			json_decref(j);
			j = json_array();
		}
		size_t i;
		json_t *v;
		int bOk = json_is_array(j);
		json_array_foreach(j, i, v) bOk &= json_is_string(v) && json_string_length(v) > 0;
		if (!bOk) {
			json_decref(j);
			luaL_error(L, "scenario: %s must be a list of names (strings)", zKey);
		}
		json_decref(*pOut);
		*pOut = j;
	}
	lua_pop(L, 1);
}

static int l_scenario(lua_State *L) {
	static const char *const azKnown[] = { "id", "title", "description", "duration", "seed", "techniques", "visibility",
		"params", "authors", "version", "malware", "tools", NULL };
	scn_drill *d = drill_of(L);
	need_loading(L, d, "scenario");
	luaL_checktype(L, 1, LUA_TTABLE);
	if (d->bScenario) luaL_error(L, "scenario: declared twice");
	check_fields(L, 1, "scenario", azKnown);
	const char *zId = str_field(L, 1, "scenario", "id", NULL);
	for (const char *p = zId; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.')) {
			luaL_error(L, "scenario: id '%s': use lowercase letters, digits, '-', '_' or '.'", zId);
		}
	}
	d->zId = strdup(zId);
	d->zTitle = strdup(str_field(L, 1, "scenario", "title", NULL));
	d->zDesc = strdup(str_field(L, 1, "scenario", "description", ""));
	d->duration = time_field(L, 1, "scenario", "duration", 1);
	if (d->duration <= 0) luaL_error(L, "scenario: duration must be > 0");
	if (lua_getfield(L, 1, "seed") != LUA_TNIL) {
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0) luaL_error(L, "scenario: seed must be an integer >= 0");
		d->scenarioSeed = (uint64_t)lua_tointeger(L, -1);
	}
	lua_pop(L, 1);
	const char *zVis = str_field(L, 1, "scenario", "visibility", "observed");
	if (strcmp(zVis, "observed") && strcmp(zVis, "truth"))
		luaL_error(L, "scenario: visibility '%s' (known: observed, truth)", zVis);
	d->bTruthVisible = !strcmp(zVis, "truth");
	if (lua_getfield(L, 1, "techniques") != LUA_TNIL) {
		json_t *j = json_arg(L, -1, "scenario: techniques");
		if (!json_is_array(j) && !(json_is_object(j) && json_object_size(j) == 0)) {
			json_decref(j);
			luaL_error(L, "scenario: techniques must be a list of strings");
		}
		if (json_is_object(j)) {
			json_decref(j);
			j = json_array();
		}
		json_decref(d->techniques);
		d->techniques = j;
	}
	lua_pop(L, 1);
	string_list(L, d, "malware", &d->malware);
	string_list(L, d, "tools", &d->tools);
	if (lua_getfield(L, 1, "params") != LUA_TNIL) {
		json_t *j = json_arg(L, -1, "scenario: params");
		ky_err err = { 0 };
		int rc = veh_world_set_params(d->world, j, &err);
		json_decref(j);
		if (rc) luaL_error(L, "scenario: params: %s", err.zMsg);
	}
	lua_pop(L, 1);
	if (!d->zId || !d->zTitle || !d->zDesc) luaL_error(L, "scenario: out of memory");
	d->bScenario = 1;
	return 0;
}

/* orgs { { id = "oem_a", name = "OEM A", kind = "oem", ingest = "30m" }, ... }: the organisations (CONTRACT §2),
 * before the teams and the fleet that name them. */
static int l_orgs(lua_State *L) {
	static const char *const azKnown[] = { "id", "name", "kind", "ingest", "description", NULL };
	scn_drill *d = drill_of(L);
	need_loading(L, d, "orgs");
	luaL_checktype(L, 1, LUA_TTABLE);
	if (json_array_size(d->teams) > 0) luaL_error(L, "orgs: declare the organisations before the teams (each team names its org)");
	lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
	if (n == 0) luaL_error(L, "orgs: expected a list of { id = ..., kind = ... }");
	for (lua_Integer i = 1; i <= n; i++) {
		char zWhat[48];
		snprintf(zWhat, sizeof zWhat, "orgs[%lld]", (long long)i);
		if (lua_rawgeti(L, 1, i) != LUA_TTABLE) luaL_error(L, "%s: expected a table { id = ..., kind = ... }", zWhat);
		int t = lua_gettop(L);
		check_fields(L, t, zWhat, azKnown);
		json_t *j = json_arg(L, t, zWhat);
		json_object_del(j, "description");
		ky_err err = { 0 };
		int rc = veh_world_add_org(d->world, j, &err);
		json_decref(j);
		if (rc) luaL_error(L, "%s: %s", zWhat, err.zMsg);
		lua_pop(L, 1);
	}
	return 0;
}

static int l_teams(lua_State *L) {
	static const char *const azKnown[] = { "id", "name", "description", "org", NULL };
	scn_drill *d = drill_of(L);
	need_loading(L, d, "teams");
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
	if (n == 0) luaL_error(L, "teams: expected a list of { id = ..., name = ... }");
	for (lua_Integer i = 1; i <= n; i++) {
		char zWhat[48];
		snprintf(zWhat, sizeof zWhat, "teams[%lld]", (long long)i);
		if (lua_rawgeti(L, 1, i) != LUA_TTABLE) luaL_error(L, "%s: expected a table { id = ..., name = ... }", zWhat);
		int t = lua_gettop(L);
		check_fields(L, t, zWhat, azKnown);
		const char *zId = str_field(L, t, zWhat, "id", NULL);
		size_t nId = strlen(zId);
		if (nId == 0 || nId > 32) luaL_error(L, "%s: id must be 1 to 32 characters", zWhat);
		for (const char *p = zId; *p; p++) {
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-')) {
				luaL_error(L, "%s: id '%s': use lowercase letters, digits, '_' or '-'", zWhat, zId);
			}
		}
		if (!strcmp(zId, "all") || !strcmp(zId, "control") || !strcmp(zId, "facilitator")) {
			luaL_error(L, "%s: '%s' is a reserved name", zWhat, zId);
		}
		ky_err err = { 0 };
		if (eng_score_add_team(d->score, zId, &err)) luaL_error(L, "teams: %s", err.zMsg);
		const char *zName = str_field(L, t, zWhat, "name", zId);
		const char *zOrg = str_field(L, t, zWhat, "org", "");
		int bOrgs = veh_world_has_orgs(d->world);
		if (bOrgs && !*zOrg) luaL_error(L, "%s: org: required (the organisation the team acts for)", zWhat);
		if (!bOrgs && *zOrg) luaL_error(L, "%s: org: this drill declares no organisations (orgs { ... } before teams)", zWhat);
		if (*zOrg && veh_world_org_info(d->world, zOrg, NULL, NULL)) {
			json_t *jOrgs = veh_world_orgs_json(d->world), *v;
			size_t k;
			luaL_Buffer lb;
			luaL_buffinit(L, &lb);
			json_array_foreach(jOrgs, k, v) {
				if (k) luaL_addstring(&lb, ", ");
				luaL_addstring(&lb, json_string_value(json_object_get(v, "id")));
			}
			json_decref(jOrgs);
			luaL_pushresult(&lb);
			luaL_error(L, "%s: org: unknown organisation '%s' (known: %s)", zWhat, zOrg, lua_tostring(L, -1));
		}
		json_t *jTeam = json_pack("{s:s,s:s}", "id", zId, "name", zName);
		if (*zOrg) json_object_set_new(jTeam, "org", json_string(zOrg));
		json_array_append_new(d->teams, jTeam);
		json_object_set_new(d->backlog, zId, json_array());
		lua_pop(L, 1);
	}
	return 0;
}

/* parties { "kba", { id = "nhtsa", name = "NHTSA" } }: outside parties a `notify` may name, beside the defaults. */
static int l_parties(lua_State *L) {
	scn_drill *d = drill_of(L);
	need_loading(L, d, "parties");
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
	for (lua_Integer i = 1; i <= n; i++) {
		char zWhat[48];
		snprintf(zWhat, sizeof zWhat, "parties[%lld]", (long long)i);
		int t = lua_rawgeti(L, 1, i);
		const char *zId = t == LUA_TSTRING ? lua_tostring(L, -1) : t == LUA_TTABLE ? str_field(L, lua_gettop(L), zWhat, "id", NULL) : NULL;
		if (!zId) luaL_error(L, "%s: expected a party id or { id = ..., name = ... }", zWhat);
		size_t nId = strlen(zId);
		if (nId == 0 || nId > 32) luaL_error(L, "%s: id must be 1 to 32 characters", zWhat);
		for (const char *p = zId; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
				luaL_error(L, "%s: id '%s': use lowercase letters, digits, '_' or '-'", zWhat, zId);
		json_array_append_new(d->parties, json_string(zId));
		if (t == LUA_TTABLE) {
			const char *zName = str_field(L, lua_gettop(L), zWhat, "name", "");
			if (*zName) json_object_set_new(d->partyNames, zId, json_string(zName));
		}
		lua_pop(L, 1);
	}
	return 0;
}

/* services { { id = "dms", name = "Dealer management system", org = "oem_a", customers = 12000 }, ... }: backend
 * services of the drill's story beside the built-in ones (vehicles/world.h veh_world_add_service). */
static int l_services(lua_State *L) {
	scn_drill *d = drill_of(L);
	need_loading(L, d, "services");
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
	if (n == 0) luaL_error(L, "services: expected a list of { id = ..., name = ... }");
	for (lua_Integer i = 1; i <= n; i++) {
		char zWhat[48];
		snprintf(zWhat, sizeof zWhat, "services[%lld]", (long long)i);
		if (lua_rawgeti(L, 1, i) != LUA_TTABLE) luaL_error(L, "%s: expected a table { id = ..., name = ... }", zWhat);
		json_t *j = json_arg(L, lua_gettop(L), zWhat);
		json_object_del(j, "description");
		ky_err err = { 0 };
		int rc = veh_world_add_service(d->world, j, &err);
		json_decref(j);
		if (rc) luaL_error(L, "%s: %s", zWhat, err.zMsg);
		lua_pop(L, 1);
	}
	return 0;
}

/* Is z one of the parties a notify may name (the defaults and parties{})? */
static int party_known(const scn_drill *d, const char *z) {
	size_t i;
	json_t *v;
	for (int k = 0; veh_action_parties[k]; k++)
		if (!strcmp(z, veh_action_parties[k])) return 1;
	json_array_foreach(d->parties, i, v) if (!strcmp(z, json_string_value(v))) return 1;
	return 0;
}

/* The org of team zTeam (NULL: none, or not a team). */
static const char *team_org(const scn_drill *d, const char *zTeam) {
	size_t i;
	json_t *t;
	json_array_foreach(d->teams, i, t) if (!strcmp(zTeam, json_string_value(json_object_get(t, "id"))))
		return json_string_value(json_object_get(t, "org"));
	return NULL;
}

/* credentials { { id = "svc-telemetry-batch", kind = "service_account", held_by = "supplier", reaches = {...} } }:
 * after the teams and the services they name. held_by is a team, an organisation or a party (parties{}); a team's
 * organisation is the holder's (vehicles/world.h veh_world_add_credential). */
static int l_credentials(lua_State *L) {
	scn_drill *d = drill_of(L);
	need_loading(L, d, "credentials");
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
	if (n == 0) luaL_error(L, "credentials: expected a list of { id = ..., kind = ..., held_by = ..., reaches = {...} }");
	for (lua_Integer i = 1; i <= n; i++) {
		char zWhat[48];
		snprintf(zWhat, sizeof zWhat, "credentials[%lld]", (long long)i);
		if (lua_rawgeti(L, 1, i) != LUA_TTABLE) luaL_error(L, "%s: expected a table { id = ..., kind = ..., ... }", zWhat);
		const char *zHeld = str_field(L, lua_gettop(L), zWhat, "held_by", NULL);
		int bTeam = scn_drill__team_known(d, zHeld), bOrg = veh_world_org_info(d->world, zHeld, NULL, NULL) == 0;
		if (!bTeam && !bOrg && !party_known(d, zHeld))
			luaL_error(L, "%s: held_by: '%s' is not a team, an organisation or a party (declare teams{}, orgs{} and "
			              "parties{} before credentials{})", zWhat, zHeld);
		json_t *j = json_arg(L, lua_gettop(L), zWhat);
		json_object_del(j, "description");
		if (bTeam && team_org(d, zHeld)) json_object_set_new(j, "holder_org", json_string(team_org(d, zHeld)));
		ky_err err = { 0 };
		int rc = veh_world_add_credential(d->world, j, &err);
		json_decref(j);
		if (rc) luaL_error(L, "%s: %s", zWhat, err.zMsg);
		lua_pop(L, 1);
	}
	return 0;
}

static void add_cohort(lua_State *L, scn_drill *d, int idx, const char *zWhat) {
	json_t *j = json_arg(L, idx, zWhat);
	ky_err err = { 0 };
	int rc = veh_world_add_cohort(d->world, j, &err);
	json_decref(j);
	if (rc) luaL_error(L, "%s: %s", zWhat, err.zMsg);
	d->bFleet = 1;
}

static int l_fleet(lua_State *L) {
	scn_drill *d = drill_of(L);
	need_loading(L, d, "fleet");
	luaL_checktype(L, 1, LUA_TTABLE);
	if (lua_getfield(L, 1, "model") != LUA_TNIL) {
		lua_pop(L, 1);
		add_cohort(L, d, 1, "fleet");
		return 0;
	}
	lua_pop(L, 1);
	lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
	if (n == 0) luaL_error(L, "fleet: expected a list of cohorts { model = ..., count = ..., ecus = {...} }");
	for (lua_Integer i = 1; i <= n; i++) {
		char zWhat[48];
		snprintf(zWhat, sizeof zWhat, "fleet[%lld]", (long long)i);
		if (lua_rawgeti(L, 1, i) != LUA_TTABLE) luaL_error(L, "%s: expected a table", zWhat);
		add_cohort(L, d, lua_gettop(L), zWhat);
		lua_pop(L, 1);
	}
	return 0;
}

static int l_fleet_call(lua_State *L) {
	lua_remove(L, 1);  /* fleet{...} through __call: drop the fleet table itself */
	return l_fleet(L);
}

static int l_sbom_call(lua_State *L) {
	/* sbom{...}: argument 1 is the sbom table itself (__call) */
	scn_drill *d = drill_of(L);
	need_loading(L, d, "sbom");
	luaL_checktype(L, 2, LUA_TTABLE);
	json_t *j = json_arg(L, 2, "sbom");
	ky_err err = { 0 };
	int rc = veh_world_add_sbom(d->world, j, &err);
	json_decref(j);
	if (rc) luaL_error(L, "sbom: %s", err.zMsg);
	return 0;
}

/* Reads FILE (relative to the scenario's folder, no escape, at most nMax bytes) into a new malloc'd buffer (NUL
 * after the *pLen bytes; the caller frees it before raising anything); raises on error. */
static char *read_scenario_file(lua_State *L, scn_drill *d, const char *zName, const char *zWhat, size_t nMax, size_t *pLen) {
	if (!*zName || zName[0] == '/' || strchr(zName, '\\') || strstr(zName, "..")) {
		luaL_error(L, "%s: '%s': only a file in the scenario's own folder (a relative path without '..')", zWhat,
		           zName);
	}
	char zFull[PATH_MAX], zReal[PATH_MAX], zDirReal[PATH_MAX];
	snprintf(zFull, sizeof zFull, "%s/%s", d->zDir, zName);
	if (!realpath(zFull, zReal)) luaL_error(L, "%s: '%s': no such file beside the scenario", zWhat, zName);
	if (!realpath(d->zDir, zDirReal)) luaL_error(L, "%s: cannot resolve the scenario's folder", zWhat);
	size_t nDir = strlen(zDirReal);
	if (strncmp(zReal, zDirReal, nDir) != 0 || zReal[nDir] != '/') {
		luaL_error(L, "%s: '%s' leads outside the scenario's folder", zWhat, zName);
	}
	int fd = open(zReal, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0) close(fd);
		luaL_error(L, "%s: '%s': cannot open a regular file", zWhat, zName);
	}
	if ((size_t)st.st_size > nMax) {
		close(fd);
		luaL_error(L, "%s: '%s' is larger than %zu MiB", zWhat, zName, nMax >> 20);
	}
	char *buf = malloc((size_t)st.st_size + 1);
	ssize_t got = buf ? read(fd, buf, (size_t)st.st_size) : -1;
	close(fd);
	if (got != (ssize_t)st.st_size) {
		free(buf);
		luaL_error(L, "%s: '%s': read failed", zWhat, zName);
	}
	buf[got] = 0;
	*pLen = (size_t)got;
	/* kept for the journal (meta scenario_files), so that resume and what-if rebuild the drill without this folder */
	json_t *text = json_stringn(buf, (size_t)got); /* NULL when not UTF-8: then not kept */
	if (text) json_object_set_new(d->files, zName, text);
	return buf;
}

/* sbom.load(FILE [, { ecu = ..., version = ... } | { part = true }]): a firmware's SBOM, a part's SBOM or VEX
 * statements (CycloneDX; vehicles/cdx.c decides and checks). Returns the number of top-level components. */
static int l_sbom_load(lua_State *L) {
	static const char *const azKnown[] = { "ecu", "version", "part", NULL };
	scn_drill *d = drill_of(L);
	need_loading(L, d, "sbom.load");
	const char *zName = luaL_checkstring(L, 1);
	veh_sbom_load opt;
	memset(&opt, 0, sizeof opt);
	if (!lua_isnoneornil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		check_fields(L, 2, "sbom.load", azKnown);
		opt.zEcu = str_field(L, 2, "sbom.load", "ecu", "");
		opt.zVersion = str_field(L, 2, "sbom.load", "version", "");
		int t = lua_getfield(L, 2, "part");
		if (t != LUA_TNIL && t != LUA_TBOOLEAN) luaL_error(L, "sbom.load: 'part' must be true or false");
		opt.bPart = lua_toboolean(L, -1);
		lua_pop(L, 1);
		if (opt.bPart && (*opt.zEcu || *opt.zVersion)) luaL_error(L, "sbom.load: a part's SBOM has no ecu or version (give part or ecu/version)");
	}
	size_t n;
	char *buf = read_scenario_file(L, d, zName, "sbom.load", VEH_SBOM_MAX_BYTES, &n);
	ky_err err = { 0 };
	int rc = veh_world_load_cyclonedx(d->world, buf, n, zName, &opt, &err);
	free(buf);
	if (rc) luaL_error(L, "sbom.load: %s", err.zMsg);
	lua_pushinteger(L, opt.nTop);
	return 1;
}

/* inject{ advisory = FILE }: a CycloneDX document with vulnerabilities, carried by the inject message as "advisory". */
static void inject_advisory(lua_State *L, scn_drill *d, const char *zWhat, const char *zFile, json_t *msg) {
	char zW[160];
	size_t n;
	snprintf(zW, sizeof zW, "%s: advisory", zWhat);
	char *buf = read_scenario_file(L, d, zFile, zW, ADVISORY_MAX_BYTES, &n);
	json_t *adv = NULL;
	ky_err err = { 0 };
	int rc = veh_sbom_check_cyclonedx(buf, n, zFile, &adv, &err);
	free(buf);
	if (rc) luaL_error(L, "%s: %s", zW, err.zMsg);
	if (!json_array_size(json_object_get(adv, "vulnerabilities"))) {
		json_decref(adv);
		luaL_error(L, "%s: %s has no vulnerabilities (an advisory is a CycloneDX document with vulnerabilities[])", zW, zFile);
	}
	/* the document itself for tools, and as an attachment the team page shows */
	char *zPretty = json_dumps(adv, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	if (zPretty) json_object_set_new(msg, "attachments", json_pack("[{s:s,s:s,s:s}]", "name", zFile, "type",
	                                                               "application/vnd.cyclonedx+json", "text", zPretty));
	free(zPretty);
	json_object_set_new(msg, "advisory", adv);
}

/* --- injects ---------------------------------------------------------------------------------------- */

static const char *const azSeverity[] = { "info", "low", "medium", "high", "critical", NULL };

/* Parses the expects list at idx into a (owned by the caller's scratch inject, so nothing leaks on an error). */
static void parse_expects(lua_State *L, int idx, const char *zWhat, json_t *a) {
	static const char *const azKnown[] = { "action", "args", "within", "points", "team", "label", "objective", "notes",
		NULL };
	if (lua_type(L, idx) != LUA_TTABLE) luaL_error(L, "%s: expects must be a list of { action = ..., within = ... }", zWhat);
	lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
	for (lua_Integer i = 1; i <= n; i++) {
		char zW[224];
		snprintf(zW, sizeof zW, "%s: expects[%lld]", zWhat, (long long)i);
		if (lua_rawgeti(L, idx, i) != LUA_TTABLE) luaL_error(L, "%s: expected a table", zW);
		int t = lua_gettop(L);
		check_fields(L, t, zW, azKnown);
		const char *zKind = str_field(L, t, zW, "action", NULL);
		if (!veh_action_find(zKind)) luaL_error(L, "%s: unknown action kind '%s' (known: %s)", zW, zKind, veh_action_names());
		eng_time_t within = time_field(L, t, zW, "within", 1);
		if (within <= 0) luaL_error(L, "%s: within must be > 0", zW);
		double points = 10;
		if (lua_getfield(L, t, "points") != LUA_TNIL) {
			if (!lua_isnumber(L, -1) || lua_tonumber(L, -1) < 0) luaL_error(L, "%s: points must be a number >= 0", zW);
			points = lua_tonumber(L, -1);
		}
		lua_pop(L, 1);
		json_t *e = json_pack("{s:s,s:I,s:f,s:i}", "action", zKind, "within_us", (json_int_t)within, "points", points,
		                      "line", cur_line(L));
		json_array_append_new(a, e);
		if (lua_getfield(L, t, "args") != LUA_TNIL) {
			if (lua_type(L, -1) != LUA_TTABLE) luaL_error(L, "%s: args must be a table", zW);
			json_object_set_new(e, "args", json_arg(L, -1, zW));
		}
		lua_pop(L, 1);
		const char *zTeam = str_field(L, t, zW, "team", "");
		if (*zTeam) json_object_set_new(e, "team", json_string(zTeam));
		const char *zLabel = str_field(L, t, zW, "label", "");
		if (*zLabel) json_object_set_new(e, "label", json_string(zLabel));
		/* the HSEEP objective the expectation evidences, and the facilitator's notes (reports and the MSEL only) */
		const char *zObjective = str_field(L, t, zW, "objective", "");
		if (*zObjective) json_object_set_new(e, "objective", json_string(zObjective));
		const char *zNotes = str_field(L, t, zW, "notes", "");
		if (*zNotes) json_object_set_new(e, "notes", json_string(zNotes));
		lua_pop(L, 1);
	}
}

/* Parses the inject table at idx into inj (fields owned by inj); raises on a bad field. */
static void parse_inject(lua_State *L, scn_drill *d, int idx, scn_inject_def *inj) {
	static const char *const azKnown[] = { "id", "at", "to", "severity", "title", "body", "expects", "tlp", "advisory",
		"notes", NULL };
	check_fields(L, idx, "inject", azKnown);
	const char *zId = str_field(L, idx, "inject", "id", "");
	char zAuto[32];
	for (int bUsed = !*zId; bUsed;) {  /* I1, I2, ... skipping ids the file gave explicitly */
		snprintf(zAuto, sizeof zAuto, "I%d", ++d->nAutoInject);
		zId = zAuto;
		bUsed = 0;
		for (int i = 0; i < d->nInj; i++) bUsed |= !strcmp(d->aInj[i].zId, zId);
	}
	char zWhat[96];
	snprintf(zWhat, sizeof zWhat, "inject '%s'", zId);
	for (int i = 0; i < d->nInj; i++) {
		if (!strcmp(d->aInj[i].zId, zId)) luaL_error(L, "%s: id used twice (first at line %d)", zWhat, d->aInj[i].line);
	}
	inj->line = cur_line(L);
	inj->at = time_field(L, idx, zWhat, "at", 0);
	const char *zSev = str_field(L, idx, zWhat, "severity", "medium");
	int bSev = 0;
	for (int i = 0; azSeverity[i]; i++) bSev |= !strcmp(zSev, azSeverity[i]);
	if (!bSev) luaL_error(L, "%s: severity '%s' (known: info, low, medium, high, critical)", zWhat, zSev);
	const char *zTitle = str_field(L, idx, zWhat, "title", NULL);
	const char *zBody = str_field(L, idx, zWhat, "body", "");
	const char *zTlp = str_field(L, idx, zWhat, "tlp", "");
	int tTo = lua_getfield(L, idx, "to");
	json_t *to = inj->to = json_array();
	if (tTo == LUA_TSTRING) {
		json_array_append_new(to, json_string(lua_tostring(L, -1)));
	} else if (tTo == LUA_TTABLE) {
		lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
		for (lua_Integer i = 1; i <= n; i++) {
			if (lua_rawgeti(L, -1, i) != LUA_TSTRING) luaL_error(L, "%s: to[%lld] must be a team id", zWhat, (long long)i);
			json_array_append_new(to, json_string(lua_tostring(L, -1)));
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	if (json_array_size(to) == 0) luaL_error(L, "%s: 'to' is required (a team id, a list of them, or \"all\")", zWhat);
	inj->expects = json_array();
	if (lua_getfield(L, idx, "expects") != LUA_TNIL) parse_expects(L, lua_gettop(L), zWhat, inj->expects);
	lua_pop(L, 1);
	inj->msg = json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", "inject", "id", zId, "severity", zSev, "title", zTitle,
	                     "body", zBody);
	if (!inj->msg) luaL_error(L, "%s: title and body must be valid UTF-8", zWhat);
	if (*zTlp) json_object_set_new(inj->msg, "tlp", json_string(zTlp));
	const char *zNotes = str_field(L, idx, zWhat, "notes", "");
	if (*zNotes) inj->zNotes = strdup(zNotes);
	const char *zAdvisory = str_field(L, idx, zWhat, "advisory", "");
	if (*zAdvisory) inject_advisory(L, d, zWhat, zAdvisory, inj->msg);
	inj->zId = strdup(zId);
}

void scn_script_free_inject(scn_inject_def *inj) {
	free(inj->zId);
	free(inj->zNotes);
	json_decref(inj->to);
	json_decref(inj->msg);
	json_decref(inj->expects);
	memset(inj, 0, sizeof *inj);
}

/* Expands "all" and checks the teams of `to`; raises with the inject's line in the message. */
static int check_inject_teams(scn_drill *d, scn_inject_def *inj, ky_err *err) {
	json_t *to = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(inj->to, i, v) {
		const char *z = json_string_value(v);
		if (!strcmp(z, "all")) {
			size_t j;
			json_t *t;
			json_array_foreach(d->teams, j, t) json_array_append(to, json_object_get(t, "id"));
			continue;
		}
		if (!scn_drill__team_known(d, z)) {
			json_decref(to);
			return ky_err_set(err, KY_ENOENT, "%s:%d: inject '%s': unknown team '%s' in to", d->zPath, inj->line,
			                  inj->zId, z);
		}
		json_array_append_new(to, json_string(z));
	}
	json_decref(inj->to);
	inj->to = to;
	json_object_set(inj->msg, "to", to);
	return 0;
}

int scn_script_register_expects(scn_drill *d, scn_inject_def *inj, ky_err *err) {
	size_t i;
	json_t *e;
	if (inj->bRegistered) return 0;
	json_array_foreach(inj->expects, i, e) {
		const char *zTeam = json_string_value(json_object_get(e, "team"));
		int line = (int)json_integer_value(json_object_get(e, "line"));
		if (!zTeam) {
			if (json_array_size(inj->to) != 1) {
				return ky_err_set(err, KY_EINVAL, "%s:%d: inject '%s': expects[%zu]: 'team' is required when the "
				                  "inject goes to several teams", d->zPath, line, inj->zId, i + 1);
			}
			zTeam = json_string_value(json_array_get(inj->to, 0));
		}
		ky_err e2 = { 0 };
		const char *zKind = json_string_value(json_object_get(e, "action"));
		json_t *args = json_object_get(e, "args");
		if (args && veh_action_check_partial(d->actSchemas, zKind, args, &e2)) {
			return ky_err_set(err, e2.code, "%s:%d: inject '%s': expects[%zu]: no action can meet it: %s", d->zPath, line,
			                  inj->zId, i + 1, e2.zMsg);
		}
		memset(&e2, 0, sizeof e2);
		const char *zLabel = json_string_value(json_object_get(e, "label"));
		if (eng_score_expect(d->score, inj->zId, zTeam, json_string_value(json_object_get(e, "action")),
		                     json_object_get(e, "args"), (eng_time_t)json_integer_value(json_object_get(e, "within_us")),
		                     json_number_value(json_object_get(e, "points")), zLabel, NULL, &e2)) {
			return ky_err_set(err, e2.code, "%s:%d: inject '%s': expects[%zu]: %s", d->zPath, line, inj->zId, i + 1,
			                  e2.zMsg);
		}
	}
	inj->bRegistered = 1;
	return 0;
}

static int l_inject(lua_State *L) {
	scn_drill *d = drill_of(L);
	luaL_checktype(L, 1, LUA_TTABLE);
	/* parse into the drill's scratch inject: whatever a Lua error leaves there is freed next time or by the drill */
	scn_inject_def *inj = &d->injScratch;
	scn_script_free_inject(inj);
	parse_inject(L, d, 1, inj);
	ky_err err = { 0 };
	if (!d->bLoading) {
		eng_time_t now = eng_sim_now(d->sim);
		if (inj->at >= 0 && inj->at < now) inj->at = now;
		if (check_inject_teams(d, inj, &err) || scn_script_register_expects(d, inj, &err)) {
			scn_script_free_inject(inj);
			size_t nPos;
			const char *zRest;
			luaL_error(L, "%s", scn_sandbox_split_pos(err.zMsg, &nPos, &zRest) == 0 ? zRest : err.zMsg);
		}
	} else if (inj->at < 0) {
		scn_script_free_inject(inj);
		luaL_error(L, "inject: 'at' is required at the top level (or send it from a callback)");
	}
	int iInj = d->nInj;
	if (scn_drill__add_inject(d, inj, &err)) {
		scn_script_free_inject(inj);
		luaL_error(L, "inject: %s", err.zMsg);
	}
	lua_pushstring(L, d->aInj[iInj].zId);
	return 1;
}

/* --- timers and handlers ---------------------------------------------------------------------------- */

static int add_cb(lua_State *L, scn_drill *d, scn_callback *cb, const char *zWhat) {
	ky_err err = { 0 };
	cb->line = cur_line(L);
	if (scn_drill__add_callback(d, cb, &err)) luaL_error(L, "%s: %s", zWhat, err.zMsg);
	return 0;
}

static int l_at(lua_State *L) {
	scn_drill *d = drill_of(L);
	scn_callback cb;
	memset(&cb, 0, sizeof cb);
	cb.type = SCN_TIMER_AT;
	cb.t = time_at(L, 1, "at");
	luaL_checktype(L, 2, LUA_TFUNCTION);
	if (!d->bLoading && cb.t < eng_sim_now(d->sim)) cb.t = eng_sim_now(d->sim);
	lua_pushvalue(L, 2);
	cb.fnRef = luaL_ref(L, LUA_REGISTRYINDEX);
	cb.condRef = LUA_NOREF;
	return add_cb(L, d, &cb, "at");
}

static int l_after(lua_State *L) {
	scn_drill *d = drill_of(L);
	scn_callback cb;
	memset(&cb, 0, sizeof cb);
	cb.type = SCN_TIMER_AT;
	cb.t = time_at(L, 1, "after") + (d->bLoading ? 0 : eng_sim_now(d->sim));
	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_pushvalue(L, 2);
	cb.fnRef = luaL_ref(L, LUA_REGISTRYINDEX);
	cb.condRef = LUA_NOREF;
	return add_cb(L, d, &cb, "after");
}

static int l_every(lua_State *L) {
	static const char *const azKnown[] = { "start", "stop", NULL };
	scn_drill *d = drill_of(L);
	scn_callback cb;
	memset(&cb, 0, sizeof cb);
	cb.type = SCN_TIMER_EVERY;
	cb.period = time_at(L, 1, "every");
	if (cb.period < ENG_US_PER_S) luaL_error(L, "every: the period must be at least 1 second");
	luaL_checktype(L, 2, LUA_TFUNCTION);
	eng_time_t base = d->bLoading ? 0 : eng_sim_now(d->sim);
	cb.t = base + cb.period;
	cb.stop = ENG_TIME_MAX;
	if (!lua_isnoneornil(L, 3)) {
		luaL_checktype(L, 3, LUA_TTABLE);
		check_fields(L, 3, "every", azKnown);
		eng_time_t s = time_field(L, 3, "every", "start", 0);
		if (s >= 0) cb.t = s < base ? base : s;
		eng_time_t e = time_field(L, 3, "every", "stop", 0);
		if (e >= 0) cb.stop = e;
	}
	lua_pushvalue(L, 2);
	cb.fnRef = luaL_ref(L, LUA_REGISTRYINDEX);
	cb.condRef = LUA_NOREF;
	return add_cb(L, d, &cb, "every");
}

static int l_when(lua_State *L) {
	static const char *const azKnown[] = { "every", NULL };
	scn_drill *d = drill_of(L);
	scn_callback cb;
	memset(&cb, 0, sizeof cb);
	cb.type = SCN_TIMER_WHEN;
	luaL_checktype(L, 1, LUA_TFUNCTION);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	cb.period = SCN_DRILL_SAMPLE_US;
	if (!lua_isnoneornil(L, 3)) {
		luaL_checktype(L, 3, LUA_TTABLE);
		check_fields(L, 3, "when", azKnown);
		eng_time_t p = time_field(L, 3, "when", "every", 0);
		if (p >= 0 && p < SCN_DRILL_SAMPLE_US) luaL_error(L, "when: every must be at least 1 minute");
		if (p >= 0) cb.period = p;
	}
	cb.t = -1;  /* last evaluation */
	lua_pushvalue(L, 1);
	cb.condRef = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pushvalue(L, 2);
	cb.fnRef = luaL_ref(L, LUA_REGISTRYINDEX);
	return add_cb(L, d, &cb, "when");
}

static int l_on(lua_State *L) {
	scn_drill *d = drill_of(L);
	scn_callback cb;
	memset(&cb, 0, sizeof cb);
	cb.type = SCN_TIMER_ON;
	const char *zEv = luaL_checkstring(L, 1);
	if (strcmp(zEv, "action") != 0 && strcmp(zEv, "inject") != 0) {
		luaL_error(L, "on: unknown event '%s' (known: action, inject)", zEv);
	}
	snprintf(cb.zEvent, sizeof cb.zEvent, "%s", zEv);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_pushvalue(L, 2);
	cb.fnRef = luaL_ref(L, LUA_REGISTRYINDEX);
	cb.condRef = LUA_NOREF;
	return add_cb(L, d, &cb, "on");
}

/* --- world verbs, scoring, messages ------------------------------------------------------------------ */

static int l_world_verb(lua_State *L) {
	scn_drill *d = drill_of(L);
	const char *zVerb = lua_tostring(L, lua_upvalueindex(2));
	int bQuery = !strncmp(zVerb, "fleet.", 6) || !strcmp(zVerb, "service.status") || !strcmp(zVerb, "sbom.affected") ||
	             !strcmp(zVerb, "world.metrics") || !strcmp(zVerb, "credential.status");
	if (!bQuery) need_running(L, d, zVerb);
	if (!lua_isnoneornil(L, 1)) luaL_checktype(L, 1, LUA_TTABLE);
	json_t *args = json_arg(L, 1, zVerb);
	json_t *res = NULL;
	ky_err err = { 0 };
	int rc = veh_world_call(d->world, zVerb, args, &res, &err);
	json_decref(args);
	if (rc) {
		json_decref(res);
		size_t n = strlen(zVerb);
		/* the world's message usually starts with the verb already */
		luaL_error(L, "%s", strncmp(err.zMsg, zVerb, n) == 0 ? err.zMsg : lua_pushfstring(L, "%s: %s", zVerb, err.zMsg));
	}
	scn_lua_push_json(L, res);
	json_decref(res);
	return 1;
}

static int l_world_call(lua_State *L) {
	const char *zVerb = luaL_checkstring(L, 1);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushstring(L, zVerb);
	lua_pushcclosure(L, l_world_verb, 2);
	lua_insert(L, 1);
	lua_remove(L, 2);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

static int l_log(lua_State *L) {
	scn_drill *d = drill_of(L);
	luaL_Buffer b;
	int n = lua_gettop(L);
	luaL_buffinit(L, &b);
	for (int i = 1; i <= n; i++) {
		if (i > 1) luaL_addchar(&b, ' ');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	lua_Debug ar;
	char zPos[300] = "";
	if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar)) snprintf(zPos, sizeof zPos, "%s:%d", ar.short_src, ar.currentline);
	json_t *det = json_pack("{s:s%}", "text", lua_tostring(L, -1), lua_rawlen(L, -1));
	if (!det) det = json_pack("{s:s}", "text", "(log text is not valid UTF-8)");
	d->nLog++;
	scn_drill__event(d, "log", zPos, det);
	json_decref(det);
	return 0;
}

static int l_now(lua_State *L) {
	scn_drill *d = drill_of(L);
	lua_pushnumber(L, (double)eng_sim_now(d->sim) / ENG_US_PER_S);
	return 1;
}

static int l_clock(lua_State *L) {
	scn_drill *d = drill_of(L);
	char z[32];
	eng_time_t t = lua_isnoneornil(L, 1) ? eng_sim_now(d->sim) : time_at(L, 1, "clock");
	lua_pushstring(L, eng_time_format(t, z, sizeof z));
	return 1;
}

static int l_seconds(lua_State *L) {
	lua_pushnumber(L, (double)time_at(L, 1, "seconds") / ENG_US_PER_S);
	return 1;
}

static int l_score_add(lua_State *L) {
	static const char *const azKnown[] = { "team", "points", "reason", NULL };
	scn_drill *d = drill_of(L);
	luaL_checktype(L, 1, LUA_TTABLE);
	check_fields(L, 1, "score.add", azKnown);
	const char *zTeam = str_field(L, 1, "score.add", "team", NULL);
	lua_getfield(L, 1, "points");
	if (!lua_isnumber(L, -1)) luaL_error(L, "score.add: 'points' must be a number");
	double pts = lua_tonumber(L, -1);
	lua_pop(L, 1);
	const char *zReason = str_field(L, 1, "score.add", "reason", "scenario");
	ky_err err = { 0 };
	if (eng_score_adjust(d->score, zTeam, pts, &err)) luaL_error(L, "score.add: %s", err.zMsg);
	json_t *det = json_pack("{s:s,s:f,s:s}", "team", zTeam, "points", pts, "reason", zReason);
	scn_drill__event(d, "score.adjust", zTeam, det);
	json_decref(det);
	lua_pushnumber(L, eng_score_team(d->score, zTeam));
	return 1;
}

static int l_score_get(lua_State *L) {
	scn_drill *d = drill_of(L);
	const char *zTeam = luaL_optstring(L, 1, NULL);
	if (!zTeam) {
		lua_pushnumber(L, eng_score_joint(d->score));
		return 1;
	}
	if (!scn_drill__team_known(d, zTeam)) luaL_error(L, "score.get: unknown team '%s'", zTeam);
	lua_pushnumber(L, eng_score_team(d->score, zTeam));
	return 1;
}

static int l_penalty(lua_State *L) {
	static const char *const azKnown[] = { "action", "args", "points", "team", "once", "reason", NULL };
	scn_drill *d = drill_of(L);
	need_loading(L, d, "penalty");
	luaL_checktype(L, 1, LUA_TTABLE);
	check_fields(L, 1, "penalty", azKnown);
	const char *zKind = str_field(L, 1, "penalty", "action", NULL);
	if (!veh_action_find(zKind)) luaL_error(L, "penalty: unknown action kind '%s' (known: %s)", zKind, veh_action_names());
	lua_getfield(L, 1, "points");
	if (!lua_isnumber(L, -1) || lua_tonumber(L, -1) == 0) luaL_error(L, "penalty: 'points' must be a non-zero number");
	double pts = lua_tonumber(L, -1);
	lua_pop(L, 1);
	const char *zTeam = str_field(L, 1, "penalty", "team", "");
	const char *zReason = str_field(L, 1, "penalty", "reason", zKind);
	lua_getfield(L, 1, "once");
	int bOnce = lua_toboolean(L, -1);
	lua_pop(L, 1);
	json_t *args = NULL;
	if (lua_getfield(L, 1, "args") != LUA_TNIL) args = json_arg(L, -1, "penalty: args");
	lua_pop(L, 1);
	json_t *def = json_pack("{s:s,s:s,s:i}", "action", zKind, "team", zTeam, "line", cur_line(L));
	if (def && args) json_object_set(def, "args", args);
	if (def) json_array_append_new(d->penaltyDefs, def);
	ky_err err = { 0 };
	int rc = eng_score_penalty(d->score, *zTeam ? zTeam : NULL, zKind, args, pts < 0 ? -pts : pts, bOnce, zReason, &err);
	json_decref(args);
	if (rc) luaL_error(L, "penalty: %s", err.zMsg);
	return 0;
}

static void add_outcome(lua_State *L, scn_drill *d, int idx, const char *zWhat) {
	static const char *const azKnown[] = { "metric", "best", "worst", "points", NULL };
	check_fields(L, idx, zWhat, azKnown);
	const char *zMetric = str_field(L, idx, zWhat, "metric", NULL);
	double v[3] = { 0, 0, 0 };
	const char *azNum[3] = { "best", "worst", "points" };
	for (int i = 0; i < 3; i++) {
		int t = lua_getfield(L, idx, azNum[i]);
		if (t == LUA_TNIL && i == 0) v[i] = 0;
		else if (!lua_isnumber(L, -1)) luaL_error(L, "%s: '%s' must be a number", zWhat, azNum[i]);
		else v[i] = lua_tonumber(L, -1);
		lua_pop(L, 1);
	}
	ky_err err = { 0 };
	if (eng_score_outcome_term(d->score, zMetric, v[0], v[1], v[2], &err)) luaL_error(L, "%s: %s", zWhat, err.zMsg);
	json_array_append_new(d->outcomeDefs, json_pack("{s:s,s:s,s:i}", "metric", zMetric, "what", zWhat, "line", cur_line(L)));
}

static int l_outcome(lua_State *L) {
	scn_drill *d = drill_of(L);
	need_loading(L, d, "outcome");
	luaL_checktype(L, 1, LUA_TTABLE);
	if (lua_getfield(L, 1, "metric") != LUA_TNIL) {
		lua_pop(L, 1);
		add_outcome(L, d, 1, "outcome");
		return 0;
	}
	lua_pop(L, 1);
	lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
	for (lua_Integer i = 1; i <= n; i++) {
		char zW[48];
		snprintf(zW, sizeof zW, "outcome[%lld]", (long long)i);
		if (lua_rawgeti(L, 1, i) != LUA_TTABLE) luaL_error(L, "%s: expected a table", zW);
		add_outcome(L, d, lua_gettop(L), zW);
		lua_pop(L, 1);
	}
	return 0;
}

/* --- dashboard { tiles = {...}, series = {...} } ---------------------------------------------------------- */

#define DASH_MAX 8  /* tiles, and series, a dashboard may have: more would not be read at a glance */

/* A label at idx: a string, or a table of language code -> string ({ en = "Thefts", ja = "盗難" }). New ref. */
static json_t *dash_label(lua_State *L, int idx, const char *zWhat) {
	if (lua_type(L, idx) == LUA_TSTRING) return json_string(lua_tostring(L, idx));
	if (lua_type(L, idx) != LUA_TTABLE) luaL_error(L, "%s: label: a string or { en = ..., ja = ... }", zWhat);
	json_t *o = json_object();
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		const char *zLang = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
		if (!zLang || strlen(zLang) < 2 || strlen(zLang) > 8 || lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "%s: label: expected language codes with strings ({ en = ..., ja = ... })", zWhat);
		json_object_set_new(o, zLang, json_string(lua_tostring(L, -1)));
		lua_pop(L, 1);
	}
	return o;
}

/* The metrics of cars share one axis; any other metric gets its own (its own scale on the chart). */
static const char *dash_axis(const char *zMetric) {
	static const char *const azCars[] = { "total", "clean", "compromised", "patched", "offline", "bricked", "revoked", NULL };
	for (int i = 0; azCars[i]; i++)
		if (!strcmp(azCars[i], zMetric)) return "cars";
	return zMetric;
}

/* One entry of tiles or series at idx (a metric name or { metric = ..., label = ..., axis = ... }). New ref. */
static json_t *dash_entry(lua_State *L, scn_drill *d, int idx, const char *zWhat, int bSeries) {
	static const char *const azTile[] = { "metric", "label", NULL };
	static const char *const azSeries[] = { "metric", "label", "axis", NULL };
	const char *zMetric, *zAxis = NULL;
	json_t *e;
	if (lua_type(L, idx) == LUA_TSTRING) {
		zMetric = lua_tostring(L, idx);
		e = json_pack("{s:s}", "metric", zMetric);
	} else if (lua_type(L, idx) == LUA_TTABLE) {
		check_fields(L, idx, zWhat, bSeries ? azSeries : azTile);
		zMetric = str_field(L, idx, zWhat, "metric", NULL);
		if (bSeries) zAxis = str_field(L, idx, zWhat, "axis", "");
		e = json_pack("{s:s}", "metric", zMetric);
		if (lua_getfield(L, idx, "label") != LUA_TNIL) json_object_set_new(e, "label", dash_label(L, lua_gettop(L), zWhat));
		lua_pop(L, 1);
	} else {
		luaL_error(L, "%s: expected a metric name or { metric = ..., label = ... }", zWhat);
		return NULL;
	}
	if (bSeries) json_object_set_new(e, "axis", json_string(zAxis && *zAxis ? zAxis : dash_axis(zMetric)));
	json_array_append_new(d->dashboardDefs, json_pack("{s:s,s:s,s:i}", "metric", zMetric, "what", zWhat, "line", cur_line(L)));
	return e;
}

static json_t *dash_list(lua_State *L, scn_drill *d, const char *zKey, int bSeries) {
	json_t *a = json_array();
	if (lua_getfield(L, 1, zKey) == LUA_TNIL) {
		lua_pop(L, 1);
		return a;
	}
	if (!lua_istable(L, -1)) luaL_error(L, "dashboard: %s: expected a list", zKey);
	int t = lua_gettop(L);
	lua_Integer n = (lua_Integer)lua_rawlen(L, t);
	if (n > DASH_MAX) luaL_error(L, "dashboard: %s: at most %d (it has %lld)", zKey, DASH_MAX, (long long)n);
	for (lua_Integer i = 1; i <= n; i++) {
		char zW[48];
		snprintf(zW, sizeof zW, "dashboard: %s[%lld]", zKey, (long long)i);
		lua_rawgeti(L, t, i);
		json_array_append_new(a, dash_entry(L, d, lua_gettop(L), zW, bSeries));
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return a;
}

/* dashboard { tiles = {...}, series = {...} }: what the pages show of the fleet for this drill (docs/scenario-api.md). */
static int l_dashboard(lua_State *L) {
	static const char *const azKnown[] = { "tiles", "series", NULL };
	scn_drill *d = drill_of(L);
	need_loading(L, d, "dashboard");
	luaL_checktype(L, 1, LUA_TTABLE);
	check_fields(L, 1, "dashboard", azKnown);
	if (d->dashboard) luaL_error(L, "dashboard: declared twice");
	json_t *tiles = dash_list(L, d, "tiles", 0), *series = dash_list(L, d, "series", 1);
	d->dashboard = json_pack("{s:o,s:o}", "tiles", tiles, "series", series);
	return 0;
}

static int l_message(lua_State *L) {
	static const char *const azKnown[] = { "to", "from", "text", "tlp", NULL };
	scn_drill *d = drill_of(L);
	need_running(L, d, "message");
	luaL_checktype(L, 1, LUA_TTABLE);
	check_fields(L, 1, "message", azKnown);
	const char *zTo = str_field(L, 1, "message", "to", NULL);
	if (strcmp(zTo, "all") != 0 && !scn_drill__team_known(d, zTo)) luaL_error(L, "message: unknown team '%s' in to", zTo);
	const char *zFrom = str_field(L, 1, "message", "from", "control");
	const char *zTlp = str_field(L, 1, "message", "tlp", "clear");
	const char *zText = str_field(L, 1, "message", "text", NULL);
	json_t *m = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "type", "message", "from", zFrom, "to", zTo, "tlp", zTlp, "text",
	                      zText, "t_us", (json_int_t)eng_sim_now(d->sim));
	if (!m) luaL_error(L, "message: text must be valid UTF-8");
	scn_drill__message(d, m);
	return 0;
}

/* --- registration ----------------------------------------------------------------------------------- */

static void set_fn(lua_State *L, scn_drill *d, int tbl, const char *zName, lua_CFunction fn) {
	lua_pushlightuserdata(L, d);
	lua_pushcclosure(L, fn, 1);
	lua_setfield(L, tbl, zName);
}

static void set_verb(lua_State *L, scn_drill *d, int tbl, const char *zName, const char *zVerb) {
	lua_pushlightuserdata(L, d);
	lua_pushstring(L, zVerb);
	lua_pushcclosure(L, l_world_verb, 2);
	lua_setfield(L, tbl, zName);
}

/* env[zNs] = a table whose functions azName[i] call the world verb "zNs.azName[i]". */
static void set_verb_table(lua_State *L, scn_drill *d, int env, const char *zNs, const char *const *azName) {
	lua_newtable(L);
	int t = lua_gettop(L);
	for (int i = 0; azName[i]; i++) {
		char z[64];
		snprintf(z, sizeof z, "%s.%s", zNs, azName[i]);
		set_verb(L, d, t, azName[i], z);
	}
	lua_setfield(L, env, zNs);
}

static int register_api(lua_State *L) {
	static const char *const azAttack[] = { "compromise", "spread", "stop", "exfiltrate", "abuse_feature",
		"malicious_ota", "steal_credential", NULL };
	static const char *const azService[] = { "degrade", "status", NULL };
	static const char *const azCredential[] = { "status", NULL };
	scn_drill *d = lua_touserdata(L, 1);
	scn_sandbox_push_env(d->script->sb);
	int env = lua_gettop(L);
	set_fn(L, d, env, "scenario", l_scenario);
	set_fn(L, d, env, "orgs", l_orgs);
	set_fn(L, d, env, "teams", l_teams);
	set_fn(L, d, env, "parties", l_parties);
	set_fn(L, d, env, "services", l_services);
	set_fn(L, d, env, "credentials", l_credentials);
	set_fn(L, d, env, "inject", l_inject);
	set_fn(L, d, env, "at", l_at);
	set_fn(L, d, env, "after", l_after);
	set_fn(L, d, env, "every", l_every);
	set_fn(L, d, env, "when", l_when);
	set_fn(L, d, env, "on", l_on);
	set_fn(L, d, env, "log", l_log);
	set_fn(L, d, env, "print", l_log);
	set_fn(L, d, env, "now", l_now);
	set_fn(L, d, env, "clock", l_clock);
	set_fn(L, d, env, "seconds", l_seconds);
	set_fn(L, d, env, "penalty", l_penalty);
	set_fn(L, d, env, "outcome", l_outcome);
	set_fn(L, d, env, "dashboard", l_dashboard);
	set_fn(L, d, env, "message", l_message);
	set_verb(L, d, env, "alert", "alert");

	/* fleet: callable (declaration) with fleet.count / fleet.select */
	lua_newtable(L);
	int t = lua_gettop(L);
	set_verb(L, d, t, "count", "fleet.count");
	set_verb(L, d, t, "select", "fleet.select");
	lua_newtable(L);
	lua_pushlightuserdata(L, d);
	lua_pushcclosure(L, l_fleet_call, 1);
	lua_setfield(L, -2, "__call");
	lua_setmetatable(L, t);
	lua_setfield(L, env, "fleet");

	lua_newtable(L);
	t = lua_gettop(L);
	set_fn(L, d, t, "load", l_sbom_load);
	set_verb(L, d, t, "affected", "sbom.affected");
	lua_newtable(L);
	set_fn(L, d, lua_gettop(L), "__call", l_sbom_call);
	lua_setmetatable(L, t);
	lua_setfield(L, env, "sbom");

	set_verb_table(L, d, env, "attack", azAttack);
	set_verb_table(L, d, env, "service", azService);
	set_verb_table(L, d, env, "credential", azCredential);
	lua_newtable(L);
	t = lua_gettop(L);
	set_fn(L, d, t, "call", l_world_call);
	set_verb(L, d, t, "metrics", "world.metrics");
	lua_setfield(L, env, "world");
	lua_newtable(L);
	t = lua_gettop(L);
	set_fn(L, d, t, "add", l_score_add);
	set_fn(L, d, t, "get", l_score_get);
	lua_setfield(L, env, "score");
	return 0;
}

/* --- the drill's hooks into Lua (drillInt.h scn_script_ops) ---------------------------------------- */

/* Calls the function of registry ref with nArgs arguments already pushed; returns the first result's truth
 * (bWantResult) or 1 unless it returned false; -1 on error, reported as a scenario error. */
static int call_ref(scn_drill *d, int ref, int nArgs, int bWantResult, const char *zWhat) {
	lua_State *L = d->script->L;
	lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
	lua_insert(L, -nArgs - 1);
	ky_err err = { 0 };
	if (scn_sandbox_call(d->script->sb, nArgs, 1, SCN_SANDBOX_BUDGET, &err)) {
		scn_drill__script_error(d, &err, zWhat);
		return -1;
	}
	int r = bWantResult ? lua_toboolean(L, -1) : !(lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1));
	lua_pop(L, 1);
	return r;
}

static int ops_call_timer(scn_drill *d, int ref, const char *zWhat) {
	lua_pushnumber(d->script->L, (double)eng_sim_now(d->sim) / ENG_US_PER_S);
	return call_ref(d, ref, 1, 0, zWhat);
}

static int ops_test(scn_drill *d, int ref, const char *zWhat) { return call_ref(d, ref, 0, 1, zWhat); }

static json_t *ops_call_on(scn_drill *d, int ref, json_t *arg, const char *zWhat) {
	lua_State *L = d->script->L;
	lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
	scn_lua_push_json(L, arg);
	ky_err err = { 0 };
	if (scn_sandbox_call(d->script->sb, 1, 1, SCN_SANDBOX_BUDGET, &err)) {
		scn_drill__script_error(d, &err, zWhat);
		return NULL;
	}
	json_t *j = NULL;
	if (lua_type(L, -1) == LUA_TTABLE && scn_lua_to_json(L, -1, &j, &err)) {
		ky_err_prefix(&err, "the table it returned");
		scn_drill__script_error(d, &err, zWhat);
		j = NULL;
	}
	lua_pop(L, 1);
	return j;
}

static const scn_script_ops aOps = { ops_call_timer, ops_test, ops_call_on };

int scn_script_open(scn_drill *d, ky_err *err) {
	scn_script *s = calloc(1, sizeof *s);
	if (!s) return ky_err_set(err, KY_ENOMEM, "%s: out of memory", d->zPath);
	d->script = s;
	d->ops = &aOps;
	eng_sim_stream(d->sim, "scenario.lua", &s->rng);
	s->sb = scn_sandbox_new(SCN_SANDBOX_MEM_CAP, &s->rng, err);
	if (!s->sb) return err ? err->code : KY_ENOMEM;
	lua_State *L = s->L = scn_sandbox_state(s->sb);
	lua_pushcfunction(L, register_api);
	lua_pushlightuserdata(L, d);
	if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
		ky_err_set(err, KY_ENOMEM, "scenario API: %s", lua_tostring(L, -1));
		lua_pop(L, 1);
		return err ? err->code : KY_ENOMEM;
	}
	if (scn_sandbox_load(s->sb, d->zSource, d->nSource, d->zPath, err)) return err ? err->code : KY_EPARSE;
	d->bLoading = 1;
	int rc = scn_sandbox_call(s->sb, 0, 0, SCN_SANDBOX_LOAD_BUDGET, err);
	d->bLoading = 0;
	return rc;
}

void scn_script_close(scn_drill *d) {
	if (!d->script) return;
	scn_sandbox_free(d->script->sb);
	free(d->script);
	d->script = NULL;
}

int scn_script_split_pos(const char *zMsg, size_t *pnPos, const char **pzRest) {
	return scn_sandbox_split_pos(zMsg, pnPos, pzRest);
}

/* Penalties name an action no team could take, or a team that does not exist: refused ("FILE:LINE: ..."). */
static int check_penalties(scn_drill *d, ky_err *err) {
	size_t i;
	json_t *p;
	json_array_foreach(d->penaltyDefs, i, p) {
		ky_err e2 = { 0 };
		const char *zTeam = json_string_value(json_object_get(p, "team"));
		int line = (int)json_integer_value(json_object_get(p, "line"));
		json_t *args = json_object_get(p, "args");
		if (zTeam && *zTeam && !scn_drill__team_known(d, zTeam))
			return ky_err_set(err, KY_ENOENT, "%s:%d: penalty: unknown team '%s'", d->zPath, line, zTeam);
		if (args && veh_action_check_partial(d->actSchemas, json_string_value(json_object_get(p, "action")), args, &e2))
			return ky_err_set(err, e2.code, "%s:%d: penalty: no action can match it: %s", d->zPath, line, e2.zMsg);
	}
	return 0;
}

/* An outcome term on a metric the world does not have would pay its points whatever happens, and a dashboard
 * entry on one would show nothing: refused. defs: [{"metric","what","line"}]. */
static int check_metrics(scn_drill *d, json_t *defs, ky_err *err) {
	json_t *m = veh_world_metrics_json(d->world);
	size_t i;
	json_t *o;
	int rc = 0;
	json_array_foreach(defs, i, o) {
		const char *zMetric = json_string_value(json_object_get(o, "metric"));
		if (json_is_number(json_object_get(m, zMetric))) continue;
		char zKnown[600] = "";
		const char *zKey;
		json_t *v;
		json_object_foreach(m, zKey, v) {
			size_t n = strlen(zKnown);
			if (json_is_number(v) && n + strlen(zKey) + 3 < sizeof zKnown) snprintf(zKnown + n, sizeof zKnown - n, "%s%s", n ? ", " : "", zKey);
		}
		rc = ky_err_set(err, KY_ENOENT, "%s:%d: %s: unknown metric '%s' (known: %s)", d->zPath,
		                (int)json_integer_value(json_object_get(o, "line")), json_string_value(json_object_get(o, "what")),
		                zMetric, zKnown);
		break;
	}
	json_decref(m);
	return rc;
}

/* Technique ids: every "ATM-T" in the file (declarations and callbacks alike) must be a technique of the Auto-ISAC
 * matrix (vehicles/atm.c); scenario{ techniques } may also hold MITRE ATT&CK ids (T1234 or T1234.001). */
static int check_techniques(scn_drill *d, ky_err *err) {
	int line = 1;
	for (const char *p = d->zSource; p < d->zSource + d->nSource && *p; p++) {
		if (*p == '\n') line++;
		if (strncmp(p, "ATM-T", 5) != 0) continue;
		char zId[16];
		size_t n = 5;
		while (n < 12 && p[n] >= '0' && p[n] <= '9') n++;
		snprintf(zId, sizeof zId, "%.*s", (int)n, p);
		if (n != 9 || !veh_atm_find(zId))
			return ky_err_set(err, KY_ENOENT, "%s:%d: '%s' is not a technique of the Auto-ISAC Automotive Threat Matrix "
			                  "(ATM-T0001 ... ATM-T0077; the table is vehicles/atm.c)", d->zPath, line, zId);
	}
	size_t i;
	json_t *t;
	json_array_foreach(d->techniques, i, t) {
		const char *z = json_string_value(t);
		if (!strncmp(z, "ATM-", 4)) continue;  /* checked above */
		int bOk = z[0] == 'T' && strlen(z) >= 5;
		for (int k = 1; bOk && k < 5; k++) bOk = z[k] >= '0' && z[k] <= '9';
		if (bOk && z[5]) bOk = z[5] == '.' && strlen(z) == 9 && z[6] >= '0' && z[6] <= '9' && z[7] >= '0' && z[7] <= '9' &&
		                      z[8] >= '0' && z[8] <= '9';
		if (!bOk)
			return ky_err_set(err, KY_EINVAL, "%s:1: scenario: techniques[%zu]: '%s' is neither an Auto-ISAC ATM id "
			                  "(ATM-T0012) nor a MITRE ATT&CK id (T1195 or T1195.002)", d->zPath, i + 1, z);
	}
	return 0;
}

int scn_script_validate(scn_drill *d, ky_err *err) {
	if (!d->bScenario) return ky_err_set(err, KY_EINVAL, "%s:1: no scenario { id = ..., title = ..., duration = ... }", d->zPath);
	if (json_array_size(d->teams) == 0) return ky_err_set(err, KY_EINVAL, "%s:1: no teams { ... }", d->zPath);
	if (!d->bFleet) return ky_err_set(err, KY_EINVAL, "%s:1: no fleet { ... }", d->zPath);
	char z1[32], z2[32];
	for (int i = 0; i < d->nInj; i++) {
		scn_inject_def *inj = &d->aInj[i];
		if (check_inject_teams(d, inj, err) || scn_script_register_expects(d, inj, err)) return err ? err->code : KY_EINVAL;
		if (inj->at > d->duration) {
			return ky_err_set(err, KY_EINVAL, "%s:%d: inject '%s': at %s is after the end of the drill (%s)", d->zPath,
			                  inj->line, inj->zId, eng_time_format(inj->at, z1, sizeof z1),
			                  eng_time_format(d->duration, z2, sizeof z2));
		}
	}
	for (int i = 0; i < d->nCb; i++) {
		scn_callback *cb = &d->aCb[i];
		if (cb->type == SCN_TIMER_AT && cb->t > d->duration) {
			return ky_err_set(err, KY_EINVAL, "%s:%d: at %s is after the end of the drill (%s)", d->zPath, cb->line,
			                  eng_time_format(cb->t, z1, sizeof z1), eng_time_format(d->duration, z2, sizeof z2));
		}
	}
	if (check_penalties(d, err) || check_metrics(d, d->outcomeDefs, err) || check_metrics(d, d->dashboardDefs, err) ||
	    check_techniques(d, err) || scn_names_check(d, err))
		return err ? err->code : KY_EINVAL;
	return 0;
}

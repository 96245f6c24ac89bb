/* sandbox: see sandbox.h. */
#include "scenarios/sandbox.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#define HOOK_STEP 1000  /* instructions between two budget checks */

struct scn_sandbox {
	lua_State *L;
	size_t used, cap;
	int64_t nInstr, budget;
	eng_rng *pRng;
	int envRef;
	int bInCall;  /* inside scn_sandbox_call: the allocator may note the position of a refused allocation */
	int nDepth;   /* nested scn_sandbox_call (a callback sending an inject runs the on("inject") handlers) */
	char zLastPos[160];  /* last position seen by the hook: where an out-of-memory error most likely is */
};

static scn_sandbox *sb_of(lua_State *L) { return *(scn_sandbox **)lua_getextraspace(L); }

/* Remembers the innermost Lua line running now (for an out-of-memory message, which gets no handler).
 * Reads the call info only (lua_getstack/lua_getinfo "Sl" allocate nothing). */
static void note_position(scn_sandbox *sb) {
	lua_Debug ar;
	for (int level = 0; lua_getstack(sb->L, level, &ar); level++) {
		if (lua_getinfo(sb->L, "Sl", &ar) && ar.currentline > 0) {
			snprintf(sb->zLastPos, sizeof sb->zLastPos, "%s:%d", ar.short_src, ar.currentline);
			return;
		}
	}
}

/* The capped allocator: refuses growth past the cap (Lua then collects garbage and retries, then raises
 * LUA_ERRMEM). */
static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
	scn_sandbox *sb = ud;
	size_t old = ptr ? osize : 0;
	if (nsize == 0) {
		free(ptr);
		sb->used -= old;
		return NULL;
	}
	if (nsize > old && sb->used + (nsize - old) > sb->cap) {
		if (sb->bInCall) note_position(sb);
		return NULL;
	}
	void *p = realloc(ptr, nsize);
	if (!p) return NULL;
	sb->used = sb->used - old + nsize;
	return p;
}

static void sb_hook(lua_State *L, lua_Debug *ar) {
	scn_sandbox *sb = sb_of(L);
	sb->nInstr += HOOK_STEP;
	int line = -1;
	const char *zSrc = "?";
	if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0) {
		line = ar->currentline;
		zSrc = ar->short_src;
		snprintf(sb->zLastPos, sizeof sb->zLastPos, "%s:%d", zSrc, line);
	}
	if (sb->nInstr > sb->budget) {
		lua_pushfstring(L, "%s: instruction budget of %I exceeded (an endless loop?)",
		                sb->zLastPos[0] ? sb->zLastPos : "?", (lua_Integer)sb->budget);
		lua_error(L);
	}
}

/* --- safe replacements ------------------------------------------------------------------------------ */

/* Key order for pairs and JSON objects: numbers ascending, then strings bytewise, then the rest as found. */
typedef struct sb_key {
	int rank;  /* 0 number, 1 string, 2 other */
	double num;
	const char *z;
	size_t n;
	int pos;   /* index in the keys table (1-based), for "other" and stability */
} sb_key;

static int key_cmp(const void *pa, const void *pb) {
	const sb_key *a = pa, *b = pb;
	if (a->rank != b->rank) return a->rank - b->rank;
	if (a->rank == 0 && a->num != b->num) return a->num < b->num ? -1 : 1;
	if (a->rank == 1) {
		size_t n = a->n < b->n ? a->n : b->n;
		int c = memcmp(a->z, b->z, n);
		if (c) return c;
		if (a->n != b->n) return a->n < b->n ? -1 : 1;
	}
	return a->pos - b->pos;
}

/* Pushes a new sequence of the keys of the table at idx in the deterministic order. */
static void push_sorted_keys(lua_State *L, int idx) {
	idx = lua_absindex(L, idx);
	lua_newtable(L);
	int t = lua_gettop(L), n = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		lua_pushvalue(L, -1);
		lua_rawseti(L, t, ++n);
	}
	if (n < 2) return;
	sb_key *a = malloc((size_t)n * sizeof *a);
	if (!a) luaL_error(L, "out of memory sorting table keys");
	for (int i = 0; i < n; i++) {
		lua_rawgeti(L, t, i + 1);
		a[i].pos = i + 1;
		a[i].z = NULL;
		a[i].n = 0;
		a[i].num = 0;
		if (lua_type(L, -1) == LUA_TNUMBER) {
			a[i].rank = 0;
			a[i].num = lua_tonumber(L, -1);
		} else if (lua_type(L, -1) == LUA_TSTRING) {
			a[i].rank = 1;
			a[i].z = lua_tolstring(L, -1, &a[i].n);  /* kept alive by the keys table */
		} else {
			a[i].rank = 2;
		}
		lua_pop(L, 1);
	}
	qsort(a, (size_t)n, sizeof *a, key_cmp);
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		lua_rawgeti(L, t, a[i].pos);
		lua_rawseti(L, -2, i + 1);
	}
	free(a);
	lua_replace(L, t);
}

static int pairs_iter(lua_State *L) {
	/* upvalues: 1 table, 2 keys, 3 position */
	lua_Integer i = lua_tointeger(L, lua_upvalueindex(3));
	for (;;) {
		i++;
		if (lua_rawgeti(L, lua_upvalueindex(2), i) == LUA_TNIL) return 0;
		lua_pushvalue(L, -1);
		if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) break;
		lua_pop(L, 2);  /* removed during the traversal: skip */
	}
	lua_pushinteger(L, i);
	lua_replace(L, lua_upvalueindex(3));
	return 2;
}

static int sb_pairs(lua_State *L) {
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_pushvalue(L, 1);
	push_sorted_keys(L, 1);
	lua_pushinteger(L, 0);
	lua_pushcclosure(L, pairs_iter, 3);
	return 1;
}

static int sb_load(lua_State *L) {
	size_t n;
	if (lua_type(L, 1) != LUA_TSTRING) return luaL_error(L, "load: only a string of Lua text can be loaded here");
	const char *z = lua_tolstring(L, 1, &n);
	const char *zName = luaL_optstring(L, 2, "=(load)");
	const char *zMode = luaL_optstring(L, 3, "t");
	if (strcmp(zMode, "t") != 0) {
		luaL_pushfail(L);
		lua_pushstring(L, "load: only text chunks (mode 't') are allowed in a scenario");
		return 2;
	}
	if (luaL_loadbufferx(L, z, n, zName, "t") != LUA_OK) {
		luaL_pushfail(L);
		lua_insert(L, -2);
		return 2;
	}
	if (!lua_isnoneornil(L, 4)) lua_pushvalue(L, 4);
	else lua_rawgeti(L, LUA_REGISTRYINDEX, sb_of(L)->envRef);
	if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
	return 1;
}

static int sb_random(lua_State *L) {
	eng_rng *r = sb_of(L)->pRng;
	lua_Integer lo, hi;
	switch (lua_gettop(L)) {
	case 0:
		lua_pushnumber(L, eng_rng_double(r));
		return 1;
	case 1:
		lo = 1;
		hi = luaL_checkinteger(L, 1);
		break;
	case 2:
		lo = luaL_checkinteger(L, 1);
		hi = luaL_checkinteger(L, 2);
		break;
	default:
		return luaL_error(L, "math.random: wrong number of arguments");
	}
	luaL_argcheck(L, lo <= hi, lua_gettop(L), "interval is empty");
	uint64_t span = (uint64_t)hi - (uint64_t)lo + 1;
	uint64_t v = span ? eng_rng_below(r, span) : eng_rng_u64(r);
	lua_pushinteger(L, (lua_Integer)((uint64_t)lo + v));
	return 1;
}

/* string.rep, refusing up front a result larger than the memory left (with the caller's file:line). */
static int sb_rep(lua_State *L) {
	scn_sandbox *sb = sb_of(L);
	size_t l, lsep = 0;
	luaL_checklstring(L, 1, &l);
	lua_Integer n = luaL_checkinteger(L, 2);
	luaL_optlstring(L, 3, "", &lsep);
	if (n > 0) {
		double total = (double)l * (double)n + (double)lsep * (double)(n - 1);
		double left = (double)(sb->cap - (sb->used < sb->cap ? sb->used : sb->cap));
		if (total > left) {
			return luaL_error(L, "string.rep: a result of %I bytes is over the scenario's memory cap (%d MiB)",
			                  (lua_Integer)(total < 9e18 ? total : 9e18), (int)(sb->cap >> 20));
		}
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

/* setmetatable without finalizers: a __gc metamethod could run outside any budgeted call (in a collection
 * step between callbacks, or when the drill closes) and so escape the instruction budget. Lua marks an object
 * for finalization only when its metatable has __gc at setmetatable time, so checking here is enough. */
static int sb_setmetatable(lua_State *L) {
	if (lua_type(L, 2) == LUA_TTABLE && lua_getfield(L, 2, "__gc") != LUA_TNIL) {
		return luaL_error(L, "setmetatable: __gc finalizers are not allowed in a scenario");
	}
	lua_settop(L, 2);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, 2, 1);
	return 1;
}

/* Copies field zName of the table at src into the table at dst. */
static void copy_field(lua_State *L, int src, int dst, const char *zName) {
	lua_getfield(L, src, zName);
	lua_setfield(L, dst, zName);
}

/* Pushes a fresh copy of library table global zLib minus the names in azDrop (NULL-terminated). */
static void push_lib_copy(lua_State *L, const char *zLib, const char *const *azDrop) {
	lua_getglobal(L, zLib);
	int src = lua_gettop(L);
	lua_newtable(L);
	lua_pushnil(L);
	while (lua_next(L, src)) {
		int bDrop = 0;
		if (lua_type(L, -2) == LUA_TSTRING) {
			for (int i = 0; azDrop && azDrop[i]; i++) bDrop |= !strcmp(lua_tostring(L, -2), azDrop[i]);
		}
		if (bDrop) {
			lua_pop(L, 1);
			continue;
		}
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, src + 1);
	}
	lua_remove(L, src);
}

static int sb_setup(lua_State *L) {
	static const luaL_Reg aLib[] = {
		{ LUA_GNAME, luaopen_base }, { LUA_STRLIBNAME, luaopen_string }, { LUA_TABLIBNAME, luaopen_table },
		{ LUA_MATHLIBNAME, luaopen_math }, { LUA_UTF8LIBNAME, luaopen_utf8 }, { LUA_COLIBNAME, luaopen_coroutine },
	};
	static const char *const azBase[] = { "assert", "error", "ipairs", "next", "pcall", "rawequal", "rawget",
		"rawlen", "rawset", "select", "setmetatable", "getmetatable", "tonumber", "tostring", "type", "xpcall",
		"_VERSION", NULL };
	static const char *const azStrDrop[] = { "dump", NULL };
	static const char *const azMathDrop[] = { "random", "randomseed", NULL };
	scn_sandbox *sb = lua_touserdata(L, 1);
	for (size_t i = 0; i < sizeof aLib / sizeof aLib[0]; i++) {
		luaL_requiref(L, aLib[i].name, aLib[i].func, 1);
		lua_pop(L, 1);
	}
	lua_pushglobaltable(L);
	int g = lua_gettop(L);
	lua_newtable(L);
	int env = lua_gettop(L);
	for (int i = 0; azBase[i]; i++) copy_field(L, g, env, azBase[i]);
	lua_pushcfunction(L, sb_pairs);
	lua_setfield(L, env, "pairs");
	lua_pushcfunction(L, sb_load);
	lua_setfield(L, env, "load");
	lua_getfield(L, g, "setmetatable");
	lua_pushcclosure(L, sb_setmetatable, 1);
	lua_setfield(L, env, "setmetatable");

	push_lib_copy(L, LUA_STRLIBNAME, azStrDrop);
	lua_getfield(L, -1, "rep");
	lua_pushcclosure(L, sb_rep, 1);
	lua_setfield(L, -2, "rep");
	lua_pushvalue(L, -1);
	lua_setfield(L, env, "string");
	/* strings' methods ("x"):rep(...) go to the sandbox's copy */
	lua_pushliteral(L, "");
	lua_getmetatable(L, -1);
	lua_pushvalue(L, -3);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 3);

	push_lib_copy(L, LUA_TABLIBNAME, NULL);
	lua_setfield(L, env, "table");
	push_lib_copy(L, LUA_MATHLIBNAME, azMathDrop);
	lua_pushcfunction(L, sb_random);
	lua_setfield(L, -2, "random");
	lua_setfield(L, env, "math");
	push_lib_copy(L, LUA_UTF8LIBNAME, NULL);
	lua_setfield(L, env, "utf8");
	push_lib_copy(L, LUA_COLIBNAME, NULL);
	lua_setfield(L, env, "coroutine");
	lua_pushvalue(L, env);
	lua_setfield(L, env, "_G");
	sb->envRef = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

scn_sandbox *scn_sandbox_new(size_t memCap, eng_rng *pRng, ky_err *err) {
	scn_sandbox *sb = calloc(1, sizeof *sb);
	if (!sb) goto oom;
	sb->cap = memCap ? memCap : SCN_SANDBOX_MEM_CAP;
	sb->pRng = pRng;
	sb->budget = SCN_SANDBOX_LOAD_BUDGET;
	sb->L = lua_newstate(sb_alloc, sb);
	if (!sb->L) goto oom;
	*(scn_sandbox **)lua_getextraspace(sb->L) = sb;
	lua_pushcfunction(sb->L, sb_setup);
	lua_pushlightuserdata(sb->L, sb);
	if (lua_pcall(sb->L, 1, 0, 0) != LUA_OK) {
		ky_err_set(err, KY_ENOMEM, "lua sandbox: %s", lua_tostring(sb->L, -1));
		scn_sandbox_free(sb);
		return NULL;
	}
	return sb;
oom:
	scn_sandbox_free(sb);
	ky_err_set(err, KY_ENOMEM, "lua sandbox: out of memory");
	return NULL;
}

void scn_sandbox_free(scn_sandbox *sb) {
	if (!sb) return;
	if (sb->L) lua_close(sb->L);
	free(sb);
}

lua_State *scn_sandbox_state(scn_sandbox *sb) { return sb->L; }
void scn_sandbox_push_env(scn_sandbox *sb) { lua_rawgeti(sb->L, LUA_REGISTRYINDEX, sb->envRef); }
size_t scn_sandbox_mem(const scn_sandbox *sb) { return sb->used; }

int scn_sandbox_split_pos(const char *z, size_t *pnPos, const char **pzRest) {
	for (const char *p = z; *p && *p != ' ' && *p != '"' && *p != '\''; p++) {
		if (*p != ':' || p == z || p[1] < '0' || p[1] > '9') continue;
		const char *q = p + 1;
		while (*q >= '0' && *q <= '9') q++;
		if (*q != ':') continue;
		*pnPos = (size_t)(q - z);
		q++;
		while (*q == ' ') q++;
		*pzRest = q;
		return 0;
	}
	return -1;
}

int scn_sandbox_load(scn_sandbox *sb, const char *zText, size_t n, const char *zFile, ky_err *err) {
	lua_State *L = sb->L;
	char zChunk[512];
	snprintf(zChunk, sizeof zChunk, "@%s", zFile);
	if (n >= 4 && zText[0] == LUA_SIGNATURE[0]) {
		return ky_err_set(err, KY_EPARSE, "%s:1: a precompiled (binary) chunk is not a scenario", zFile);
	}
	int rc = luaL_loadbufferx(L, zText, n, zChunk, "t");
	if (rc != LUA_OK) {
		const char *zMsg = lua_tostring(L, -1);
		ky_err_set(err, rc == LUA_ERRMEM ? KY_ENOMEM : KY_EPARSE, "%s", zMsg ? zMsg : "load failed");
		lua_pop(L, 1);
		return err ? err->code : KY_EPARSE;
	}
	scn_sandbox_push_env(sb);
	if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
	return 0;
}

/* Message handler: makes sure the message starts with the innermost Lua position. */
static int sb_msgh(lua_State *L) {
	const char *zMsg = lua_tostring(L, 1);
	if (!zMsg) {
		if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) zMsg = lua_tostring(L, -1);
		else zMsg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	}
	size_t nPos;
	const char *zRest;
	if (scn_sandbox_split_pos(zMsg, &nPos, &zRest) == 0) {
		lua_pushstring(L, zMsg);
		return 1;
	}
	lua_Debug ar;
	for (int level = 1; lua_getstack(L, level, &ar); level++) {
		if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
			lua_pushfstring(L, "%s:%d: %s", ar.short_src, ar.currentline, zMsg);
			return 1;
		}
	}
	scn_sandbox *sb = sb_of(L);
	lua_pushfstring(L, "%s: %s", sb->zLastPos[0] ? sb->zLastPos : "?:0", zMsg);
	return 1;
}

int scn_sandbox_call(scn_sandbox *sb, int nArgs, int nResults, int64_t budget, ky_err *err) {
	lua_State *L = sb->L;
	int base = lua_gettop(L) - nArgs;
	if (sb->nDepth >= SCN_SANDBOX_MAX_DEPTH) {
		lua_settop(L, base - 1);
		note_position(sb);
		return ky_err_set(err, KY_ELIMIT, "%s: callbacks nested more than %d deep (an inject sent from on(\"inject\")?)",
		                  sb->zLastPos[0] ? sb->zLastPos : "?:0", SCN_SANDBOX_MAX_DEPTH);
	}
	lua_pushcfunction(L, sb_msgh);
	lua_insert(L, base);
	/* The outermost call arms the budget and the hook; a nested call shares what is left of them, so a callback
	 * cannot reset its own budget (or drop the hook) by triggering another one. */
	int bOuter = sb->nDepth++ == 0;
	if (bOuter) {
		sb->nInstr = 0;
		sb->budget = budget > 0 ? budget : SCN_SANDBOX_BUDGET;
		sb->zLastPos[0] = 0;
		lua_sethook(L, sb_hook, LUA_MASKCOUNT, HOOK_STEP);
		sb->bInCall = 1;
	}
	int rc = lua_pcall(L, nArgs, nResults, base);
	sb->nDepth--;
	if (bOuter) {
		sb->bInCall = 0;
		lua_sethook(L, NULL, 0, 0);
	}
	if (rc == LUA_OK) {
		lua_remove(L, base);
		return 0;
	}
	const char *zMsg = lua_tostring(L, -1);
	if (rc == LUA_ERRMEM) {
		ky_err_set(err, KY_ENOMEM, "%s: out of memory: the scenario's memory cap (%d MiB) was reached",
		           sb->zLastPos[0] ? sb->zLastPos : "?:0", (int)(sb->cap >> 20));
	} else if (sb->nInstr > sb->budget) {
		ky_err_set(err, KY_ELIMIT, "%s", zMsg ? zMsg : "instruction budget exceeded");
	} else {
		ky_err_set(err, KY_EINVAL, "%s", zMsg ? zMsg : "error");
	}
	lua_settop(L, base - 1);
	if (bOuter) lua_gc(L, LUA_GCCOLLECT);
	return err ? err->code : KY_EINVAL;
}

/* --- JSON ------------------------------------------------------------------------------------------- */

static int to_json(lua_State *L, int idx, json_t **pOut, int depth, char *zPath, size_t nPath, ky_err *err);

static int table_to_json(lua_State *L, int idx, json_t **pOut, int depth, char *zPath, size_t nPath, ky_err *err) {
	lua_Integer len = (lua_Integer)lua_rawlen(L, idx), nKeys = 0;
	int bArray = len > 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		nKeys++;
		if (bArray && (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > len)) bArray = 0;
	}
	if (bArray && nKeys != len) bArray = 0;
	size_t nBase = strlen(zPath);
	if (bArray) {
		json_t *a = json_array();
		for (lua_Integer i = 1; i <= len; i++) {
			json_t *v;
			lua_rawgeti(L, idx, i);
			snprintf(zPath + nBase, nPath - nBase, "[%lld]", (long long)i);
			int rc = to_json(L, lua_gettop(L), &v, depth + 1, zPath, nPath, err);
			lua_pop(L, 1);
			if (rc) {
				json_decref(a);
				return rc;
			}
			json_array_append_new(a, v);
		}
		zPath[nBase] = 0;
		*pOut = a;
		return 0;
	}
	json_t *o = json_object();
	push_sorted_keys(L, idx);
	int keys = lua_gettop(L);
	for (lua_Integer i = 1; lua_rawgeti(L, keys, i) != LUA_TNIL; i++) {
		char zNum[32];
		const char *zKey;
		if (lua_type(L, -1) == LUA_TSTRING) {
			zKey = lua_tostring(L, -1);
		} else if (lua_type(L, -1) == LUA_TNUMBER) {
			if (lua_isinteger(L, -1)) snprintf(zNum, sizeof zNum, "%lld", (long long)lua_tointeger(L, -1));
			else snprintf(zNum, sizeof zNum, "%.17g", lua_tonumber(L, -1));
			zKey = zNum;
		} else {
			zPath[nBase] = 0;
			json_decref(o);
			return ky_err_set(err, KY_EINVAL, "%s: a table key of type %s cannot become JSON",
			                  zPath[0] ? zPath : "value", luaL_typename(L, -1));
		}
		snprintf(zPath + nBase, nPath - nBase, "%s%s", nBase ? "." : "", zKey);
		lua_pushvalue(L, -1);
		lua_rawget(L, idx);
		json_t *v;
		int rc = to_json(L, lua_gettop(L), &v, depth + 1, zPath, nPath, err);
		if (rc) {
			json_decref(o);
			return rc;
		}
		json_object_set_new(o, zKey, v);
		lua_pop(L, 2);
	}
	lua_pop(L, 2);
	zPath[nBase] = 0;
	*pOut = o;
	return 0;
}

static int to_json(lua_State *L, int idx, json_t **pOut, int depth, char *zPath, size_t nPath, ky_err *err) {
	const char *zWhere = zPath[0] ? zPath : "value";
	if (depth > 32) return ky_err_set(err, KY_EINVAL, "%s: nested deeper than 32 levels (a cycle?)", zWhere);
	switch (lua_type(L, idx)) {
	case LUA_TNIL: *pOut = json_null(); return 0;
	case LUA_TBOOLEAN: *pOut = json_boolean(lua_toboolean(L, idx)); return 0;
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx)) {
			*pOut = json_integer((json_int_t)lua_tointeger(L, idx));
		} else {
			double d = lua_tonumber(L, idx);
			if (!isfinite(d)) return ky_err_set(err, KY_EINVAL, "%s: %g is not a JSON number", zWhere, d);
			*pOut = json_real(d);
		}
		return 0;
	case LUA_TSTRING: {
		size_t n;
		const char *z = lua_tolstring(L, idx, &n);
		*pOut = json_stringn(z, n);
		if (!*pOut) return ky_err_set(err, KY_EINVAL, "%s: string is not valid UTF-8", zWhere);
		return 0;
	}
	case LUA_TTABLE: return table_to_json(L, idx, pOut, depth, zPath, nPath, err);
	default:
		return ky_err_set(err, KY_EINVAL, "%s: a %s cannot become JSON", zWhere, luaL_typename(L, idx));
	}
}

int scn_lua_to_json(lua_State *L, int idx, json_t **pOut, ky_err *err) {
	char zPath[256] = "";
	int top = lua_gettop(L);
	*pOut = NULL;
	luaL_checkstack(L, 80, "json");
	int rc = to_json(L, lua_absindex(L, idx), pOut, 0, zPath, sizeof zPath, err);
	lua_settop(L, top);
	return rc;
}

void scn_lua_push_json(lua_State *L, json_t *v) {
	luaL_checkstack(L, 4, "json");
	if (!v) {
		lua_pushnil(L);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *x;
		lua_createtable(L, 0, (int)json_object_size(v));
		json_object_foreach(v, k, x) {
			if (json_is_null(x)) continue;
			scn_lua_push_json(L, x);
			lua_setfield(L, -2, k);
		}
		return;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *x;
		lua_createtable(L, (int)json_array_size(v), 0);
		json_array_foreach(v, i, x) {
			scn_lua_push_json(L, x);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		return;
	}
	case JSON_STRING: lua_pushlstring(L, json_string_value(v), json_string_length(v)); return;
	case JSON_INTEGER: lua_pushinteger(L, (lua_Integer)json_integer_value(v)); return;
	case JSON_REAL: lua_pushnumber(L, json_real_value(v)); return;
	case JSON_TRUE: lua_pushboolean(L, 1); return;
	case JSON_FALSE: lua_pushboolean(L, 0); return;
	default: lua_pushnil(L); return;
	}
}

/* sandbox: see sandbox.h. */
#include "scenarios/sandbox.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#include "scenarios/pattern.h"

#define HOOK_STEP 1000   /* instructions between two budget checks */
#define CALL_COST 2      /* budget charged per function call (C functions run no counted instruction) */
#define ALLOC_SHIFT 6    /* budget charged per 64 bytes allocated (string concatenation, buffers) */

struct scn_sandbox {
	lua_State *L;
	size_t used, cap;
	int64_t nInstr, budget;
	int64_t tDeadline;   /* wall-clock backstop of the outermost call (CLOCK_MONOTONIC us) */
	int64_t timeLimitUs; /* its length (SCN_SANDBOX_TIME_US) */
	eng_rng *pRng;
	int envRef;
	int bInCall;  /* inside scn_sandbox_call: the allocator may note the position of a refused allocation */
	int nDepth;   /* nested scn_sandbox_call (a callback sending an inject runs the on("inject") handlers) */
	int bOver;    /* the budget or the time limit was exceeded in this call: every hook raises again */
	int bTimeUp;  /* ... and it was the time limit */
	size_t nBigString;  /* a string of this many bytes was refused (over SCN_SANDBOX_MAX_STRING) */
	char zLastPos[160];  /* last position seen: where an out-of-memory error most likely is */
	char zOverPos[160];  /* where the budget ran out */
};

/* Each thread's extra space holds the sandbox pointer (copied from the main thread into every new coroutine);
 * its low bit marks a coroutine the budget stopped (see raise_over). */
static scn_sandbox *sb_of(lua_State *L) { return (scn_sandbox *)(*(uintptr_t *)lua_getextraspace(L) & ~(uintptr_t)1); }
static int is_stopped(lua_State *co) { return (*(uintptr_t *)lua_getextraspace(co) & 1) != 0; }

/* Adds n >= 0 to the instructions used, saturating (a charge may claim anything). */
static void add_instr(scn_sandbox *sb, int64_t n) { sb->nInstr = n > INT64_MAX - sb->nInstr ? INT64_MAX : sb->nInstr + n; }

static int64_t mono_us(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Remembers the innermost Lua line running now in zPos. Reads the call info only (lua_getstack/lua_getinfo "Sl"
 * allocate nothing). */
static void note_position_in(lua_State *L, char *zPos, size_t nPos) {
	lua_Debug ar;
	for (int level = 0; lua_getstack(L, level, &ar); level++) {
		if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
			snprintf(zPos, nPos, "%s:%d", ar.short_src, ar.currentline);
			return;
		}
	}
}

static void note_position(scn_sandbox *sb) { note_position_in(sb->L, sb->zLastPos, sizeof sb->zLastPos); }

/* The capped allocator: refuses growth past the cap (Lua then collects garbage and retries, then raises
 * LUA_ERRMEM), and any one string over SCN_SANDBOX_MAX_STRING (so that no single comparison or conversion of a
 * string, which the count hook cannot interrupt, takes long). Inside a call every byte allocated is also charged
 * to the instruction budget. When ptr is NULL, osize is the type of the object being made (lua_Alloc). */
static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
	scn_sandbox *sb = ud;
	size_t old = ptr ? osize : 0;
	if (nsize == 0) {
		free(ptr);
		sb->used -= old;
		return NULL;
	}
	if (!ptr && osize == LUA_TSTRING && nsize > SCN_SANDBOX_MAX_STRING) {
		sb->nBigString = nsize;
		if (sb->bInCall) note_position(sb);
		return NULL;
	}
	if (nsize > old && sb->used + (nsize - old) > sb->cap) {
		if (sb->bInCall) note_position(sb);
		return NULL;
	}
	void *p = realloc(ptr, nsize);
	if (!p) return NULL;
	sb->used = sb->used - old + nsize;
	if (sb->bInCall && nsize > old) add_instr(sb, (int64_t)((nsize - old) >> ALLOC_SHIFT));
	return p;
}

static void sb_hook(lua_State *L, lua_Debug *ar);

/* Raises the budget error on thread L, and from now on checks every instruction of L: an error caught by pcall
 * (or a coroutine's resume) is raised again at the next instruction, so nothing swallows it for long.
 * An error raised inside a hook leaves the thread's hooks off until a pcall boundary restores them (ldo.c): an
 * xpcall message handler, or the <close> handlers that coroutine.wrap and coroutine.close run on a dead coroutine,
 * would run unchecked. So xpcall calls its handler after the pcall (sb_xpcall), and a coroutine stopped here is
 * marked and never closed (sb_auxwrap, sb_coclose). */
static int raise_over(lua_State *L, scn_sandbox *sb) {
	if (L != sb->L) {
		*(uintptr_t *)lua_getextraspace(L) |= 1;
		lua_sethook(sb->L, sb_hook, LUA_MASKCOUNT | LUA_MASKCALL, 1); /* the resumer stops at its next instruction */
	}
	if (!sb->bOver) {
		sb->bOver = 1;
		note_position_in(L, sb->zOverPos, sizeof sb->zOverPos);
	}
	lua_sethook(L, lua_gethook(L), LUA_MASKCOUNT | LUA_MASKCALL, 1);
	if (sb->bTimeUp)
		return luaL_error(L, "%s: time limit of %f s exceeded", sb->zOverPos[0] ? sb->zOverPos : "?:0",
		                  (double)sb->timeLimitUs / 1e6);
	return luaL_error(L, "%s: instruction budget of %I exceeded (an endless loop?)", sb->zOverPos[0] ? sb->zOverPos : "?:0",
	                  (lua_Integer)sb->budget);
}

/* Count events charge the instructions run; call events (every function, C ones too, which run no counted
 * instruction: a C metamethod called from a C loop) charge CALL_COST. The wall clock is read at count events only,
 * as a backstop for what no count sees (comparing two long strings, say). */
static void sb_hook(lua_State *L, lua_Debug *ar) {
	scn_sandbox *sb = sb_of(L);
	if (ar->event == LUA_HOOKCOUNT) {
		add_instr(sb, lua_gethookcount(L));
		if (!sb->bOver && mono_us() > sb->tDeadline) sb->bTimeUp = 1;
	} else {
		add_instr(sb, CALL_COST);
	}
	if (sb->bOver || sb->bTimeUp || sb->nInstr > sb->budget) raise_over(L, sb);
}

/* Charges n steps of work done in C (a pattern match, a table shift) to the budget of the running call. */
static void sb_charge(lua_State *L, int64_t n) {
	scn_sandbox *sb = sb_of(L);
	if (sb->nDepth == 0 || n <= 0) return;
	add_instr(sb, n);
	if (sb->nInstr > sb->budget) raise_over(L, sb);
}

/* b - a as a charge (0 when b <= a; saturated), without signed overflow. */
static int64_t span(lua_Integer a, lua_Integer b) {
	lua_Unsigned d = (lua_Unsigned)b - (lua_Unsigned)a;
	return b <= a ? 0 : d > (lua_Unsigned)INT64_MAX ? INT64_MAX : (int64_t)d;
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
	{ /* a sort in C: n log n comparisons, each worth a few instructions */
		int64_t lg = 1;
		while (lg < 62 && ((int64_t)1 << lg) <= n) lg++;
		sb_charge(L, 2 * (int64_t)n * lg);
	}
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
	if (n <= 0 || l + lsep == 0) { /* the standard rep would loop n times copying nothing */
		lua_pushliteral(L, "");
		return 1;
	}
	{
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

/* A C function of the standard library whose work grows with the length of its string arguments and allocates
 * nothing the allocator could charge (utf8.len, tonumber): charged one step per 64 bytes, then called. */
static int sb_linear(lua_State *L) {
	int64_t n = 1;
	for (int i = 1; i <= lua_gettop(L); i++)
		if (lua_type(L, i) == LUA_TSTRING) n += (int64_t)(lua_rawlen(L, i) >> ALLOC_SHIFT);
	sb_charge(L, n);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

/* table.move: the standard one loops e - f + 1 times in C whatever the tables hold (nil into nil allocates
 * nothing), so the count is charged first. */
static int sb_tmove(lua_State *L) {
	lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
	sb_charge(L, span(f, e)); /* e - f + 1 moves, near enough */
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

/* table.sort: n log n comparisons in C; charged by the raw length (metamethods are charged as calls). */
static int sb_tsort(lua_State *L) {
	luaL_checktype(L, 1, LUA_TTABLE);
	int64_t n = (int64_t)lua_rawlen(L, 1), lg = 1;
	while (lg < 62 && ((int64_t)1 << lg) <= n) lg++;
	sb_charge(L, 2 * n * lg);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 0);
	return 0;
}

/* table.insert and table.remove as the manual says, with each element shifted charged: the length comes from
 * __len, which may claim anything, and shifting nils allocates nothing. */
static int sb_tinsert(lua_State *L) {
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_Integer e = (lua_Integer)((lua_Unsigned)luaL_len(L, 1) + 1u), pos; /* first empty element (wraps as Lua's) */
	switch (lua_gettop(L)) {
	case 2: pos = e; break;
	case 3:
		pos = luaL_checkinteger(L, 2);
		luaL_argcheck(L, (lua_Unsigned)pos - 1u < (lua_Unsigned)e, 2, "position out of bounds");
		sb_charge(L, span(pos, e));
		for (lua_Integer i = e; i > pos; i--) { /* move up elements */
			lua_geti(L, 1, i - 1);
			lua_seti(L, 1, i);
		}
		break;
	default: return luaL_error(L, "wrong number of arguments to 'insert'");
	}
	lua_seti(L, 1, pos);
	return 0;
}

static int sb_tremove(lua_State *L) {
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_Integer size = luaL_len(L, 1), pos = luaL_optinteger(L, 2, size);
	if (pos != size) luaL_argcheck(L, (lua_Unsigned)pos - 1u <= (lua_Unsigned)size, 2, "position out of bounds");
	lua_geti(L, 1, pos);
	sb_charge(L, span(pos, size));
	for (; pos < size; pos++) {
		lua_geti(L, 1, pos + 1);
		lua_seti(L, 1, pos);
	}
	lua_pushnil(L);
	lua_seti(L, 1, pos);
	return 1;
}

/* xpcall(f, h, ...): f under pcall, then h called on the error once the pcall has returned (not from inside the
 * error, where the hooks may be off: see raise_over). h's own error gives "error in error handling". */
static int xpcall_done(lua_State *L, int status, lua_KContext extra) {
	if (status == LUA_OK || status == LUA_YIELD) return lua_gettop(L) - (int)extra; /* true and the results */
	lua_pushvalue(L, 2);
	lua_insert(L, -2);
	if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
		lua_pop(L, 1);
		lua_pushliteral(L, "error in error handling");
	}
	lua_pushboolean(L, 0);
	lua_insert(L, -2);
	return 2;
}

static int sb_xpcall(lua_State *L) {
	int n = lua_gettop(L);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_pushboolean(L, 1);
	lua_pushvalue(L, 1);
	lua_rotate(L, 3, 2); /* f, h, true, f, args... */
	return xpcall_done(L, lua_pcallk(L, n - 2, LUA_MULTRET, 0, 2, xpcall_done), 2);
}

/* The function coroutine.wrap returns: resumes; on an error closes the coroutine's <close> variables, as the
 * standard one does, unless the budget stopped it. */
static int sb_auxwrap(lua_State *L) {
	lua_State *co = lua_tothread(L, lua_upvalueindex(1));
	int n = lua_gettop(L), nRes, st;
	if (!lua_checkstack(co, n)) return luaL_error(L, "too many arguments to resume");
	lua_xmove(L, co, n);
	st = lua_resume(co, L, n, &nRes);
	if (st == LUA_OK || st == LUA_YIELD) {
		if (!lua_checkstack(L, nRes + 1)) {
			lua_pop(co, nRes);
			return luaL_error(L, "too many results to resume");
		}
		lua_xmove(co, L, nRes);
		return nRes;
	}
	lua_xmove(co, L, 1); /* the error */
	if (!is_stopped(co)) {
		st = lua_resetthread(co); /* close its <close> variables; their error, if any, wins */
		lua_xmove(co, L, 1);
	}
	if (st != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
		luaL_where(L, 1);
		lua_insert(L, -2);
		lua_concat(L, 2);
	}
	return lua_error(L);
}

static int sb_cowrap(lua_State *L) {
	luaL_checktype(L, 1, LUA_TFUNCTION);
	lua_State *co = lua_newthread(L);
	lua_pushvalue(L, 1);
	lua_xmove(L, co, 1);
	lua_pushcclosure(L, sb_auxwrap, 1);
	return 1;
}

static int sb_coclose(lua_State *L) {
	lua_State *co = lua_tothread(L, 1);
	if (co && is_stopped(co))
		return luaL_error(L, "coroutine.close: this coroutine was stopped by the instruction budget; its <close> "
		                     "variables are not run");
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

/* Replaces function zName of the table at -1 by fn with the original as its upvalue. */
static void wrap_field(lua_State *L, const char *zName, lua_CFunction fn) {
	lua_getfield(L, -1, zName);
	lua_pushcclosure(L, fn, 1);
	lua_setfield(L, -2, zName);
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
	lua_pushvalue(L, env);
	wrap_field(L, "tonumber", sb_linear);
	lua_pushcfunction(L, sb_xpcall);
	lua_setfield(L, -2, "xpcall");
	lua_pop(L, 1);
	lua_pushcfunction(L, sb_pairs);
	lua_setfield(L, env, "pairs");
	lua_pushcfunction(L, sb_load);
	lua_setfield(L, env, "load");
	lua_getfield(L, g, "setmetatable");
	lua_pushcclosure(L, sb_setmetatable, 1);
	lua_setfield(L, env, "setmetatable");

	lua_getglobal(L, LUA_STRLIBNAME); /* find, match, gmatch, gsub with every step charged (set in the library */
	scn_pattern_open(L, -1, sb_charge); /* itself too, so that error messages call them string.find, ...) */
	lua_pop(L, 1);
	push_lib_copy(L, LUA_STRLIBNAME, azStrDrop);
	wrap_field(L, "rep", sb_rep);
	lua_pushvalue(L, -1);
	lua_setfield(L, env, "string");
	/* strings' methods ("x"):rep(...) go to the sandbox's copy; getmetatable("") gives false, so the metatable
	 * cannot be changed under the scenario's own feet */
	lua_pushliteral(L, "");
	lua_getmetatable(L, -1);
	lua_pushvalue(L, -3);
	lua_setfield(L, -2, "__index");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 3);

	push_lib_copy(L, LUA_TABLIBNAME, NULL);
	wrap_field(L, "move", sb_tmove);
	wrap_field(L, "sort", sb_tsort);
	lua_pushcfunction(L, sb_tinsert);
	lua_setfield(L, -2, "insert");
	lua_pushcfunction(L, sb_tremove);
	lua_setfield(L, -2, "remove");
	lua_setfield(L, env, "table");
	push_lib_copy(L, LUA_MATHLIBNAME, azMathDrop);
	lua_pushcfunction(L, sb_random);
	lua_setfield(L, -2, "random");
	lua_setfield(L, env, "math");
	push_lib_copy(L, LUA_UTF8LIBNAME, NULL);
	wrap_field(L, "len", sb_linear);
	wrap_field(L, "offset", sb_linear);
	wrap_field(L, "codepoint", sb_linear);
	lua_setfield(L, env, "utf8");
	push_lib_copy(L, LUA_COLIBNAME, NULL);
	lua_pushcfunction(L, sb_cowrap);
	lua_setfield(L, -2, "wrap");
	wrap_field(L, "close", sb_coclose);
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
	sb->timeLimitUs = SCN_SANDBOX_TIME_US;
	sb->L = lua_newstate(sb_alloc, sb);
	if (!sb->L) goto oom;
	assert(((uintptr_t)sb & 1) == 0);
	*(uintptr_t *)lua_getextraspace(sb->L) = (uintptr_t)sb;
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
void scn_sandbox_set_time_limit(scn_sandbox *sb, int64_t us) { sb->timeLimitUs = us > 0 ? us : SCN_SANDBOX_TIME_US; }
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
		sb->tDeadline = mono_us() + sb->timeLimitUs;
		sb->bOver = sb->bTimeUp = 0;
		sb->nBigString = 0;
		sb->zLastPos[0] = sb->zOverPos[0] = 0;
		lua_sethook(L, sb_hook, LUA_MASKCOUNT | LUA_MASKCALL, HOOK_STEP);
		sb->bInCall = 1;
	}
	int rc = lua_pcall(L, nArgs, nResults, base);
	sb->nDepth--;
	if (bOuter) {
		sb->bInCall = 0;
		lua_sethook(L, NULL, 0, 0);
	}
	if (rc == LUA_OK && sb->bOver) { /* exhausted in a coroutine whose resumer then returned at once */
		lua_settop(L, base);
		lua_pushliteral(L, "budget");
		rc = LUA_ERRRUN;
	}
	if (rc == LUA_OK) {
		lua_remove(L, base);
		return 0;
	}
	const char *zMsg = lua_tostring(L, -1);
	const char *zWhere = sb->zLastPos[0] ? sb->zLastPos : "?:0";
	if (sb->bOver) {
		/* said here, not by the error raised: the message handler itself may have been refused */
		if (sb->bTimeUp)
			ky_err_set(err, KY_ELIMIT, "%s: time limit of %g s exceeded (a string too long to compare, or C work "
			           "the instruction count does not see)", sb->zOverPos[0] ? sb->zOverPos : "?:0",
			           (double)sb->timeLimitUs / 1e6);
		else
			ky_err_set(err, KY_ELIMIT, "%s: instruction budget of %lld exceeded (an endless loop?)",
			           sb->zOverPos[0] ? sb->zOverPos : "?:0", (long long)sb->budget);
	} else if (rc == LUA_ERRMEM && sb->nBigString) {
		ky_err_set(err, KY_ENOMEM, "%s: a string of %zu bytes is over the %d MiB one string of a scenario may hold",
		           zWhere, sb->nBigString, (int)(SCN_SANDBOX_MAX_STRING >> 20));
	} else if (rc == LUA_ERRMEM) {
		ky_err_set(err, KY_ENOMEM, "%s: out of memory: the scenario's memory cap (%d MiB) was reached", zWhere,
		           (int)(sb->cap >> 20));
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

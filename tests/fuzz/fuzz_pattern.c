/* fuzz_pattern: the sandbox's pattern functions (scenarios/pattern.c) against the standard library's, on a subject,
 * a pattern and a replacement cut from the input (separated by 0xff bytes). Properties: find, match, gmatch and gsub
 * give the same results and the same errors (the function name in argument errors aside). Inputs for which ours
 * needs more than 200,000 steps are skipped before the standard ones run (they could run for hours). */
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "scenarios/pattern.h"
#include "tests/fuzz/fuzz.h"

static lua_State *gL;
static int gnCompareRef, gnMineRef;

#define STEP_LIMIT 200000

static int64_t gnSteps;

static void charge(lua_State *L, int64_t n) {
	gnSteps += n;
	if (gnSteps > STEP_LIMIT) luaL_error(L, "fuzz: step limit");
}

static const char zCompare[] =
	"local mine, s, p, r, init = ...\n"
	"local function norm(v) return type(v) == 'string' and v:gsub(\"to '[^']*'\", \"to '?'\") or v end\n"
	"local function pack(ok, ...) return { ok = ok, n = select('#', ...), ... } end\n"
	"local function same(a, b) if a.ok ~= b.ok or a.n ~= b.n then return false end\n"
	"  for i = 1, a.n do if norm(a[i]) ~= norm(b[i]) then return false end end return true end\n"
	"local function skip(b) return not b.ok and tostring(b[1]):find('fuzz: step limit', 1, true) end\n"
	"local function gm(f) local t = {} for x, y in f(s, p, init) do t[#t + 1] = tostring(x) .. '/' .. tostring(y) end\n"
	"  return table.concat(t, ',') end\n"
	"local calls = { { 'find', s, p, init }, { 'find', s, p, init, true }, { 'match', s, p, init },\n"
	"  { 'gsub', s, p, r }, { 'gsub', s, p, r, 2 }, { 'gsub', s, p, { a = 'T' } } }\n"
	"for i, c in ipairs(calls) do\n"
	"  local b = pack(pcall(mine[c[1]], c[2], c[3], c[4], c[5]))\n"
	"  if skip(b) then return 'skip' end\n"
	"  local a = pack(pcall(string[c[1]], c[2], c[3], c[4], c[5]))\n"
	"  if not same(a, b) then error(c[1] .. ' ' .. i .. ' differs: ' .. tostring(a[1]) .. ' vs ' .. tostring(b[1])) end\n"
	"end\n"
	"local b = pack(pcall(gm, mine.gmatch))\n"
	"if skip(b) then return 'skip' end\n"
	"local a = pack(pcall(gm, string.gmatch))\n"
	"if not same(a, b) then error('gmatch differs: ' .. tostring(a[1]) .. ' vs ' .. tostring(b[1])) end\n"
	"return 'same'\n";

int LLVMFuzzerInitialize(int *argc, char ***argv) {
	(void)argc, (void)argv;
	gL = luaL_newstate();
	luaL_openlibs(gL);
	FUZZ_ASSERT(luaL_loadbuffer(gL, zCompare, sizeof zCompare - 1, "=compare") == LUA_OK);
	gnCompareRef = luaL_ref(gL, LUA_REGISTRYINDEX);
	lua_newtable(gL);
	scn_pattern_open(gL, -1, charge);
	gnMineRef = luaL_ref(gL, LUA_REGISTRYINDEX);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	const char *z = (const char *)data, *zEnd = z + size, *a = memchr(z, 0xff, size), *b;
	lua_State *L;
	if (!gL) LLVMFuzzerInitialize(NULL, NULL);
	L = gL;
	if (size > 512) return 0; /* the standard functions have no step limit */
	b = a ? memchr(a + 1, 0xff, (size_t)(zEnd - a - 1)) : NULL;
	lua_rawgeti(L, LUA_REGISTRYINDEX, gnCompareRef);
	lua_rawgeti(L, LUA_REGISTRYINDEX, gnMineRef);
	lua_pushlstring(L, z, a ? (size_t)(a - z) : size);                                        /* subject */
	lua_pushlstring(L, a ? a + 1 : "", a ? (size_t)((b ? b : zEnd) - a - 1) : 0);              /* pattern */
	lua_pushlstring(L, b ? b + 1 : "%0", b ? (size_t)(zEnd - b - 1) : 2);                     /* replacement */
	lua_pushinteger(L, size > 0 ? (lua_Integer)(int8_t)data[0] % 8 : 1);                       /* init */
	gnSteps = 0;
	if (lua_pcall(L, 5, 1, 0) != LUA_OK) {
		fprintf(stderr, "fuzz_pattern: %s\n", lua_tostring(L, -1));
		FUZZ_ASSERT(!"the pattern functions differ from the standard library's");
	}
	lua_settop(L, 0);
	return 0;
}

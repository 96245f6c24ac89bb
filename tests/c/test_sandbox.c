/* The Lua sandbox under attack: budget errors that pcall, coroutines and xpcall cannot swallow, C work charged to
 * the budget, the wall-clock backstop, the string cap, and the charged pattern functions agreeing with the
 * standard library's. The scenario-level escapes (kyodo check on tests/data/scn/esc_*.lua) are in
 * tests/sh/test_scenarios.sh. */
#include "tests/c/ky_test.h"

#include <lauxlib.h>
#include <lualib.h>

#include "engine/rng.h"
#include "scenarios/pattern.h"
#include "scenarios/sandbox.h"

static scn_sandbox *sandbox(eng_rng *r) {
	ky_err err = { 0 };
	eng_rng_seed(r, 1, 0);
	scn_sandbox *sb = scn_sandbox_new(0, r, &err);
	if (!sb) ky_test_fail(__FILE__, __LINE__, "scn_sandbox_new: %s", err.zMsg);
	return sb;
}

/* Loads and runs zSrc as chunk "t.lua" with budget; returns the rc, err filled. */
static int run(scn_sandbox *sb, const char *zSrc, int64_t budget, ky_err *err) {
	int rc = scn_sandbox_load(sb, zSrc, strlen(zSrc), "t.lua", err);
	if (rc) return rc;
	return scn_sandbox_call(sb, 0, 0, budget, err);
}

TEST(budget_error_is_not_swallowed_by_pcall_xpcall_or_coroutines) {
	static const char *const azSrc[] = {
		"while true do pcall(function() while true do end end) end",
		"while true do xpcall(function() while true do end end, function() while true do end end) end",
		"while true do local co = coroutine.wrap(function() while true do end end); pcall(co) end",
		"local co = coroutine.create(function() while true do coroutine.yield() end end)\nwhile true do coroutine.resume(co) end",
		"while true do pcall(string.rep, 'x', 10) end",
	};
	eng_rng r;
	scn_sandbox *sb = sandbox(&r);
	for (size_t i = 0; i < sizeof azSrc / sizeof azSrc[0]; i++) {
		ky_err err = { 0 };
		ASSERT_EQ_INT(run(sb, azSrc[i], 2000000, &err), KY_ELIMIT);
		ASSERT_CONTAINS(err.zMsg, "t.lua:");
		ASSERT_CONTAINS(err.zMsg, "instruction budget of 2000000 exceeded");
	}
	ky_err err = { 0 };
	ASSERT_EQ_INT(run(sb, "x = 1 + 1", 2000000, &err), 0); /* still usable */
	scn_sandbox_free(sb);
}

TEST(a_coroutine_stopped_by_the_budget_is_never_closed_unchecked) {
	eng_rng r;
	scn_sandbox *sb = sandbox(&r);
	ky_err err = { 0 };
	/* first call: the coroutine dies by the budget with a pending <close> that would loop forever */
	ASSERT_EQ_INT(run(sb, "co = coroutine.create(function()\n"
	                      "  local x <close> = setmetatable({}, { __close = function() while true do end end })\n"
	                      "  while true do end end)\n"
	                      "coroutine.resume(co)", 1000000, &err), KY_ELIMIT);
	/* second call, fresh budget: closing it is refused instead of running the handler with the hooks off */
	ASSERT_EQ_INT(run(sb, "coroutine.close(co)", 1000000, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "t.lua:1: coroutine.close: this coroutine was stopped by the instruction budget");
	/* a coroutine that ended in an ordinary error still closes its variables */
	ASSERT_EQ_INT(run(sb, "closed = false\n"
	                      "local co = coroutine.wrap(function()\n"
	                      "  local x <close> = setmetatable({}, { __close = function() closed = true end })\n"
	                      "  error('boom') end)\n"
	                      "assert(not pcall(co))\nassert(closed)", 1000000, &err), 0);
	scn_sandbox_free(sb);
}

TEST(c_loops_are_charged_to_the_budget) {
	static const char *const azSrc[] = {
		"string.find(('a'):rep(1e5), '.-.-.-.-b')",
		"local s = ('a'):rep(3000):gsub('.-.-.-b', 'x')",
		"for w in ('a'):rep(5000):gmatch('.-.-.-b') do end",
		"string.find(('a'):rep(4e6), ('a'):rep(2e6) .. 'b', 1, true)",
		"table.move({}, 1, math.maxinteger - 1, 2)",
		"table.insert(setmetatable({}, { __len = function() return math.maxinteger - 1 end }), 1, 0)",
		"table.remove(setmetatable({}, { __len = function() return math.maxinteger - 1 end }), 1)",
		"local t = setmetatable({}, { __index = rawlen })\nlocal s = table.concat(t, '', 1, 1e12)",
		"local t = {} for i = 1, 2e5 do t[i] = i end\nwhile true do table.sort(t) end",
		"local s = (''):rep(math.maxinteger) while true do end",
	};
	eng_rng r;
	scn_sandbox *sb = sandbox(&r);
	for (size_t i = 0; i < sizeof azSrc / sizeof azSrc[0]; i++) {
		ky_err err = { 0 };
		int rc = run(sb, azSrc[i], 20000000, &err);
		if (rc != KY_ELIMIT) ky_test_fail(__FILE__, __LINE__, "case %zu: rc %d (%s), want KY_ELIMIT", i, rc, err.zMsg);
		ASSERT_CONTAINS(err.zMsg, "t.lua:");
	}
	scn_sandbox_free(sb);
}

TEST(the_wall_clock_backstop_stops_what_no_count_sees) {
	eng_rng r;
	scn_sandbox *sb = sandbox(&r);
	ky_err err = { 0 };
	scn_sandbox_set_time_limit(sb, 300000);
	/* comparing two long equal-length strings is one VM instruction of a few milliseconds */
	ASSERT_EQ_INT(run(sb, "local s = ('a'):rep(16e6 - 64)\nlocal t = ('a'):rep(16e6 - 65) .. 'a'\n"
	                      "while true do local b = (s == t) end", 1000000000, &err), KY_ELIMIT);
	ASSERT_CONTAINS(err.zMsg, "t.lua:3: time limit of 0.3 s exceeded");
	scn_sandbox_free(sb);
}

TEST(one_string_is_capped_and_the_string_metatable_is_locked) {
	eng_rng r;
	scn_sandbox *sb = sandbox(&r);
	ky_err err = { 0 };
	ASSERT_EQ_INT(run(sb, "local s = ('a'):rep(8e6) .. ('b'):rep(9e6)", 0, &err), KY_ENOMEM);
	ASSERT_CONTAINS(err.zMsg, "t.lua:1: a string of 17000025 bytes is over the 16 MiB");
	ASSERT_EQ_INT(run(sb, "assert(getmetatable('') == false)\nassert(('x'):rep(3) == 'xxx')", 0, &err), 0);
	ASSERT_EQ_INT(run(sb, "getmetatable('').__index = {}", 0, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "t.lua:1: attempt to index a boolean value");
	scn_sandbox_free(sb);
}

/* Runs each case through the standard library and through scn_pattern's functions in one plain state (no
 * charge) and compares every result and error message. */
TEST(pattern_functions_agree_with_the_standard_library) {
	static const char zCmp[] =
		"local mine = ...\n"
		"local function pack(ok, ...) return { ok = ok, n = select('#', ...), ... } end\n"
		"local function norm(v) return type(v) == 'string' and v:gsub(\"to '[^']*'\", \"to '?'\") or v end\n"
		"local function same(a, b) if a.ok ~= b.ok or a.n ~= b.n then return false end\n"
		"  for i = 1, a.n do if norm(a[i]) ~= norm(b[i]) then return false end end return true end\n"
		"local function show(r) local t = { tostring(r.ok) } for i = 1, r.n do t[#t + 1] = tostring(r[i]) end return table.concat(t, ' ') end\n"
		"local function gm(f, s, p, i) local t = {} for a, b in f(s, p, i) do t[#t + 1] = tostring(a) .. '/' .. tostring(b) end return table.concat(t, ',') end\n"
		"local cases = {\n"
		"  {'hello world', 'o w'}, {'hello world', 'l+'}, {'hello', '^h(.)'}, {'hello', 'l*$'}, {'a.b', '.', 1, true},\n"
		"  {'key = value', '(%w+)%s*=%s*(%w+)'}, {'THE (quick) fox', '%((%a+)%)'}, {'f(a(b)c)d', '%b()'},\n"
		"  {'THE (quick) fox', '%f[%a]%a+'}, {'aaa', 'a-b'}, {'aaa', 'a-$'}, {'abc', '()b()'}, {'abcabc', '(abc)%1'},\n"
		"  {'x', '[%a-]'}, {'a]b', '[]]'}, {'a-b', '[a-]'}, {'^caret', '^^'}, {'x$y', '$y'}, {'abc', ''},\n"
		"  {'abc', 'b', -1}, {'abc', 'b', -10}, {'abc', 'b', 10}, {'abc', '', 4}, {'abc', '', 5},\n"
		"  {'abc', '%'}, {'abc', '[a'}, {'abc', '(a'}, {'abc', 'a)'}, {'abc', '%1'}, {'abc', '%0'}, {'abc', '%bx'},\n"
		"  {'abc', '%f'}, {'abc', '%fa'}, {'a\\0b', '%z'}, {'a\\0b', '\\0'}, {'a\\0b', '[\\0]'}, {'a1B2', '%u%d'},\n"
		"  {'  x', '%S'}, {'\\1\\2', '%c+'}, {'x=1, y=2', '(%w+)=(%w+)'}, {'aaa', 'a?a?a?aaa'}, {'[[x]]', '%[(.-)%]'},\n"
		"  {string.rep('a', 40), string.rep('(a)', 33)}, {'abc', '%g+'}, {'é', '[\\128-\\255]+'}, {'x', '[^%s]'},\n"
		"}\n"
		"local bad = 0\n"
		"for i, c in ipairs(cases) do\n"
		"  for _, name in ipairs({ 'find', 'match' }) do\n"
		"    local a = pack(pcall(string[name], c[1], c[2], c[3], c[4]))\n"
		"    local b = pack(pcall(mine[name], c[1], c[2], c[3], c[4]))\n"
		"    if not same(a, b) then bad = bad + 1 print('case ' .. i .. ' ' .. name .. ': ' .. show(a) .. ' | ' .. show(b)) end\n"
		"  end\n"
		"  for _, r in ipairs({ '<%0>', '%1%1', '%%', '%', '%2', 'x', false, 7 }) do\n"
		"    local a = pack(pcall(string.gsub, c[1], c[2], r))\n"
		"    local b = pack(pcall(mine.gsub, c[1], c[2], r))\n"
		"    if not same(a, b) then bad = bad + 1 print('case ' .. i .. ' gsub ' .. tostring(r) .. ': ' .. show(a) .. ' | ' .. show(b)) end\n"
		"  end\n"
		"  local a = pack(pcall(gm, string.gmatch, c[1], c[2], c[3]))\n"
		"  local b = pack(pcall(gm, mine.gmatch, c[1], c[2], c[3]))\n"
		"  if not same(a, b) then bad = bad + 1 print('case ' .. i .. ' gmatch: ' .. show(a) .. ' | ' .. show(b)) end\n"
		"end\n"
		"local t = { hello = 'HI' }\n"
		"for _, f in ipairs({ function(w) return t[w] end, t }) do\n"
		"  local a = pack(string.gsub('hello world', '%w+', f))\n"
		"  local b = pack(mine.gsub('hello world', '%w+', f))\n"
		"  if not same(a, b) then bad = bad + 1 print('gsub repl: ' .. show(a) .. ' | ' .. show(b)) end\n"
		"end\n"
		"return bad\n";
	lua_State *L = luaL_newstate();
	luaL_openlibs(L);
	ASSERT_EQ_INT(luaL_loadstring(L, zCmp), LUA_OK);
	lua_newtable(L);
	scn_pattern_open(L, -1, NULL);
	if (lua_pcall(L, 1, 1, 0) != LUA_OK) ky_test_fail(__FILE__, __LINE__, "%s", lua_tostring(L, -1));
	ASSERT_EQ_INT(lua_tointeger(L, -1), 0);
	lua_close(L);
}

/* pattern: Lua 5.4's string.find, string.match, string.gmatch and string.gsub for the sandbox, written anew so that
 * every step of the matcher is charged to the caller's instruction budget. The standard library matches in C
 * with no limit on backtracking: string.find(("a"):rep(1e5), ".-.-.-.-b") runs for hours, beyond the reach of the
 * count hook. Here matching charges one step per pattern item tried (and per byte compared by a plain find), and
 * the charge function raises the budget error. Same results and the same error messages as the standard functions
 * (a differential fuzz target, tests/fuzz/fuzz_pattern.c, holds them to it). Knows nothing of the drill. */
#ifndef SCN_PATTERN_H
#define SCN_PATTERN_H

#include <stdint.h>

#include <lua.h>

/* Called every few thousand steps with the steps since the last call; may raise a Lua error (lua_error), which
 * unwinds the match (nothing of it is left on the stack). */
typedef void (*scn_pattern_charge_fn)(lua_State *L, int64_t nSteps);

/* Sets find, match, gmatch and gsub in the table at index idx, each charging through fnCharge (NULL: no charge). */
void scn_pattern_open(lua_State *L, int idx, scn_pattern_charge_fn fnCharge);

#endif

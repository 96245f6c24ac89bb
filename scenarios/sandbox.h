/* sandbox: one Lua 5.4 state for one scenario, safe to run a stranger's script in.
 * A capped allocator (every byte through it; past the cap allocations fail with LUA_ERRMEM and the state stays
 * usable; no one string over SCN_SANDBOX_MAX_STRING), an instruction budget per call (a count and call hook
 * re-armed before each call; C work that loops without running instructions is charged too: pattern matching,
 * table shifts and moves, sorting, allocation; once exhausted every instruction raises again, so pcall cannot
 * swallow it), a wall-clock backstop per call (SCN_SANDBOX_TIME_US, for what no count sees), and a fresh _ENV
 * holding only copies of the safe libraries: base functions without dofile/loadfile/require/collectgarbage, `load`
 * of text only into the sandbox, string (no dump; its metatable locked), table, math (random from an engine
 * stream, no randomseed), utf8, coroutine. `pairs` iterates in a deterministic order (numbers ascending, then
 * strings bytewise). The escapes tried against it: tests/data/scn/esc_*.lua and docs/security.md.
 * Errors come back as "FILE:LINE: message" in a ky_err. Also: Lua values <-> JSON (jansson).
 * Knows nothing of the world or the drill. */
#ifndef SCN_SANDBOX_H
#define SCN_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <lua.h>

#include "engine/err.h"
#include "engine/rng.h"

typedef struct scn_sandbox scn_sandbox;

#define SCN_SANDBOX_MEM_CAP (64u << 20)         /* bytes of Lua heap */
#define SCN_SANDBOX_BUDGET 20000000LL           /* VM instructions per callback */
#define SCN_SANDBOX_LOAD_BUDGET 100000000LL     /* VM instructions for the top-level chunk */
#define SCN_SANDBOX_MAX_DEPTH 8                 /* nested calls (a callback triggering handlers) */
#define SCN_SANDBOX_MAX_STRING (16u << 20)      /* bytes of one Lua string */
#define SCN_SANDBOX_TIME_US (10LL * 1000000)    /* wall-clock backstop of one call (budget exhausted in C) */

/* A new sandbox; pRng (borrowed, must outlive it) backs math.random. NULL with err set on failure. */
scn_sandbox *scn_sandbox_new(size_t memCap, eng_rng *pRng, ky_err *err);
void scn_sandbox_free(scn_sandbox *sb);
lua_State *scn_sandbox_state(scn_sandbox *sb);
/* The wall-clock backstop of one call (default SCN_SANDBOX_TIME_US; <= 0 restores it). */
void scn_sandbox_set_time_limit(scn_sandbox *sb, int64_t us);
/* Pushes the sandbox's _ENV table (for registering the scenario API in it). */
void scn_sandbox_push_env(scn_sandbox *sb);

/* Compiles text zText (n bytes) as chunk zFile (used in messages) with _ENV as its environment and pushes the
 * function. Binary chunks are refused. KY_EPARSE with "FILE:LINE: message" on a syntax error. */
int scn_sandbox_load(scn_sandbox *sb, const char *zText, size_t n, const char *zFile, ky_err *err);
/* Calls the function below nArgs arguments on the stack (like lua_pcall) under an instruction budget.
 * Re-entrant: a call made while another runs (a callback whose inject triggers on("inject") handlers) shares
 * the outer call's budget; more than SCN_SANDBOX_MAX_DEPTH levels is KY_ELIMIT.
 * On error pops the function and arguments, leaves nothing, and fills err with "FILE:LINE: message"
 * (KY_ELIMIT for the budget, KY_ENOMEM for the memory cap, KY_EINVAL for a runtime error). */
int scn_sandbox_call(scn_sandbox *sb, int nArgs, int nResults, int64_t budget, ky_err *err);
/* Splits an error message "FILE:LINE: rest" into its position and message (pointers into z; *pnPos length of
 * "FILE:LINE"). 0 when it has a position, -1 otherwise. */
int scn_sandbox_split_pos(const char *z, size_t *pnPos, const char **pzRest);
/* Bytes in use by the state. */
size_t scn_sandbox_mem(const scn_sandbox *sb);

/* The Lua value at idx as JSON (new ref in *pOut). Tables with keys 1..n become arrays, other tables objects
 * (keys must be strings or numbers; an empty table is an object). Strings must be UTF-8. Functions, userdata,
 * NaN, cycles or nesting deeper than 32 are errors (KY_EINVAL, message names the key path). */
int scn_lua_to_json(lua_State *L, int idx, json_t **pOut, ky_err *err);
/* Pushes a JSON value as Lua (objects and arrays as tables; null as nil). NULL pushes nil. */
void scn_lua_push_json(lua_State *L, json_t *v);

#endif

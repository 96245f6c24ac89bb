/* pattern: see pattern.h. The matcher follows the Lua 5.4 reference manual, §6.4.1 (patterns) and §6.4 (find,
 * match, gmatch, gsub): a backtracking matcher over (subject, pattern) with up to 32 captures. Every entry into
 * m_match and every single-character test counts one step; steps are charged in slices of PAT_SLICE. */
#include "scenarios/pattern.h"

#include <ctype.h>
#include <string.h>

#include <lauxlib.h>

#define PAT_MAXCAPTURES 32   /* LUA_MAXCAPTURES */
#define PAT_MAXDEPTH 200     /* nested m_match calls (C stack), as the standard library's MAXCCALLS */
#define PAT_SLICE 4096       /* steps between two charges */
#define PAT_ESC '%'
#define PAT_SPECIALS "^$*+?.([%-"

enum { CAP_UNFINISHED = -1, CAP_POSITION = -2 };

typedef struct pat_state {
	const char *zSrc, *zSrcEnd;   /* the subject */
	const char *zPatEnd;          /* end of the pattern */
	lua_State *L;
	scn_pattern_charge_fn fnCharge;
	int64_t nSteps;               /* steps since the last charge */
	int nDepth;                   /* m_match recursion left */
	int nLevel;                   /* captures open or closed */
	struct {
		const char *zInit;
		ptrdiff_t len;            /* CAP_UNFINISHED, CAP_POSITION or a length */
	} aCap[PAT_MAXCAPTURES];
} pat_state;

static void step(pat_state *ms) {
	if (++ms->nSteps >= PAT_SLICE) {
		int64_t n = ms->nSteps;
		ms->nSteps = 0;
		if (ms->fnCharge) ms->fnCharge(ms->L, n);
	}
}

static void flush_steps(pat_state *ms) {
	int64_t n = ms->nSteps;
	ms->nSteps = 0;
	if (n && ms->fnCharge) ms->fnCharge(ms->L, n);
}

/* --- classes ------------------------------------------------------------------------------------------------ */

/* Does c belong to class %cl (a letter), or is it cl itself (any other character after %)? */
static int class_has(int c, int cl) {
	int r;
	switch (tolower(cl)) {
	case 'a': r = isalpha(c); break;
	case 'c': r = iscntrl(c); break;
	case 'd': r = isdigit(c); break;
	case 'g': r = isgraph(c); break;
	case 'l': r = islower(c); break;
	case 'p': r = ispunct(c); break;
	case 's': r = isspace(c); break;
	case 'u': r = isupper(c); break;
	case 'w': r = isalnum(c); break;
	case 'x': r = isxdigit(c); break;
	case 'z': r = c == 0; break; /* deprecated, still in 5.4 */
	default: return cl == c;
	}
	if (isupper(cl)) r = !r;
	return r != 0;
}

/* The end of the single-character class starting at p (one past it). Raises on a malformed class. */
static const char *class_end(pat_state *ms, const char *p) {
	char c = *p++;
	if (c == PAT_ESC) {
		if (p >= ms->zPatEnd) luaL_error(ms->L, "malformed pattern (ends with '%%')");
		return p + 1;
	}
	if (c == '[') {
		if (p < ms->zPatEnd && *p == '^') p++;
		do { /* the first character of a set may be ']' */
			if (p >= ms->zPatEnd) luaL_error(ms->L, "malformed pattern (missing ']')");
			c = *p++;
			if (c == PAT_ESC && p < ms->zPatEnd) p++; /* an escaped character, e.g. %] */
		} while (p >= ms->zPatEnd || *p != ']');
		return p + 1;
	}
	return p;
}

/* Is c in the set [...] from p (at '[') to pEnd (at its ']')? */
static int set_has(int c, const char *p, const char *pEnd) {
	int bIn = 1;
	if (p[1] == '^') {
		bIn = 0;
		p++;
	}
	while (++p < pEnd) {
		if (*p == PAT_ESC) {
			p++;
			if (class_has(c, (unsigned char)*p)) return bIn;
		} else if (p[1] == '-' && p + 2 < pEnd) {
			if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2]) return bIn;
			p += 2;
		} else if ((unsigned char)*p == c) {
			return bIn;
		}
	}
	return !bIn;
}

/* Does the subject character at s match the class from p to ep? */
static int single(pat_state *ms, const char *s, const char *p, const char *ep) {
	int c;
	step(ms);
	if (s >= ms->zSrcEnd) return 0;
	c = (unsigned char)*s;
	switch (*p) {
	case '.': return 1;
	case PAT_ESC: return class_has(c, (unsigned char)p[1]);
	case '[': return set_has(c, p, ep - 1);
	default: return (unsigned char)*p == c;
	}
}

/* --- the matcher -------------------------------------------------------------------------------------------- */

static const char *m_match(pat_state *ms, const char *s, const char *p);

static const char *balance(pat_state *ms, const char *s, const char *p) {
	int nOpen = 1;
	if (p + 1 >= ms->zPatEnd) luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
	if (s >= ms->zSrcEnd || *s != p[0]) return NULL;
	while (++s < ms->zSrcEnd) {
		step(ms);
		if (*s == p[1]) {
			if (--nOpen == 0) return s + 1;
		} else if (*s == p[0]) {
			nOpen++;
		}
	}
	return NULL;
}

static const char *expand_max(pat_state *ms, const char *s, const char *p, const char *ep) {
	ptrdiff_t i = 0;
	while (single(ms, s + i, p, ep)) i++;
	for (; i >= 0; i--) { /* longest first */
		const char *r = m_match(ms, s + i, ep + 1);
		if (r) return r;
	}
	return NULL;
}

static const char *expand_min(pat_state *ms, const char *s, const char *p, const char *ep) {
	for (;;) {
		const char *r = m_match(ms, s, ep + 1);
		if (r) return r;
		if (!single(ms, s, p, ep)) return NULL;
		s++;
	}
}

static const char *capture_open(pat_state *ms, const char *s, const char *p, ptrdiff_t what) {
	const char *r;
	int l = ms->nLevel;
	if (l >= PAT_MAXCAPTURES) luaL_error(ms->L, "too many captures");
	ms->aCap[l].zInit = s;
	ms->aCap[l].len = what;
	ms->nLevel = l + 1;
	if ((r = m_match(ms, s, p)) == NULL) ms->nLevel--;
	return r;
}

static const char *capture_close(pat_state *ms, const char *s, const char *p) {
	int l = ms->nLevel - 1;
	const char *r;
	while (l >= 0 && ms->aCap[l].len != CAP_UNFINISHED) l--;
	if (l < 0) luaL_error(ms->L, "invalid pattern capture");
	ms->aCap[l].len = s - ms->aCap[l].zInit;
	if ((r = m_match(ms, s, p)) == NULL) ms->aCap[l].len = CAP_UNFINISHED;
	return r;
}

static int capture_index(pat_state *ms, int c) {
	int l = c - '1';
	if (l < 0 || l >= ms->nLevel || ms->aCap[l].len == CAP_UNFINISHED)
		return luaL_error(ms->L, "invalid capture index %%%d", l + 1);
	return l;
}

/* %1..%9: the text of an earlier capture again (a position capture never matches). */
static const char *backref(pat_state *ms, const char *s, int c) {
	int l = capture_index(ms, c);
	ptrdiff_t n = ms->aCap[l].len;
	if (n < 0 || ms->zSrcEnd - s < n) return NULL;
	for (ptrdiff_t i = 0; i < n; i += 64) step(ms);
	return memcmp(ms->aCap[l].zInit, s, (size_t)n) == 0 ? s + n : NULL;
}

/* %f[set]: between a character not in the set and one in it (the subject's ends count as '\0'). */
static const char *frontier(pat_state *ms, const char *s, const char *p, const char **pp) {
	const char *ep;
	int prev, cur;
	if (p >= ms->zPatEnd || *p != '[') luaL_error(ms->L, "missing '[' after '%%f' in pattern");
	ep = class_end(ms, p);
	prev = s == ms->zSrc ? 0 : (unsigned char)s[-1];
	cur = s < ms->zSrcEnd ? (unsigned char)*s : 0;
	if (!set_has(prev, p, ep - 1) && set_has(cur, p, ep - 1)) {
		*pp = ep;
		return s;
	}
	return NULL;
}

/* A single-character class with its quantifier (?, *, +, -) or none; for a plain item *ps and *pp move on. */
static const char *item(pat_state *ms, const char **ps, const char **pp, int *pbDone) {
	const char *s = *ps, *p = *pp, *ep = class_end(ms, p);
	char q = ep < ms->zPatEnd ? *ep : '\0';
	*pbDone = 1;
	if (!single(ms, s, p, ep)) {
		if (q == '*' || q == '?' || q == '-') { /* zero repetitions are fine */
			*pp = ep + 1;
			*pbDone = 0;
			return s;
		}
		return NULL;
	}
	switch (q) {
	case '?': {
		const char *r = m_match(ms, s + 1, ep + 1);
		if (r) return r;
		*pp = ep + 1;
		*pbDone = 0;
		return s;
	}
	case '+': return expand_max(ms, s + 1, p, ep);
	case '*': return expand_max(ms, s, p, ep);
	case '-': return expand_min(ms, s, p, ep);
	default:
		*ps = s + 1;
		*pp = ep;
		*pbDone = 0;
		return s + 1;
	}
}

/* Matches pattern p against the subject from s; the end of the match, or NULL. Plain items loop here; only the
 * quantifiers, captures and ? recurse. */
static const char *m_match(pat_state *ms, const char *s, const char *p) {
	int bDone = 0;
	if (ms->nDepth-- == 0) luaL_error(ms->L, "pattern too complex");
	step(ms);
	while (!bDone && s && p < ms->zPatEnd) {
		bDone = 1;
		switch (*p) {
		case '(':
			s = p + 1 < ms->zPatEnd && p[1] == ')' ? capture_open(ms, s, p + 2, CAP_POSITION)
			                                       : capture_open(ms, s, p + 1, CAP_UNFINISHED);
			break;
		case ')': s = capture_close(ms, s, p + 1); break;
		case '$':
			if (p + 1 == ms->zPatEnd) {
				s = s == ms->zSrcEnd ? s : NULL;
				break;
			}
			s = item(ms, &s, &p, &bDone);
			break;
		case PAT_ESC:
			if (p + 1 < ms->zPatEnd && p[1] == 'b') {
				s = balance(ms, s, p + 2);
				if (s) p += 4, bDone = 0;
			} else if (p + 1 < ms->zPatEnd && p[1] == 'f') {
				s = frontier(ms, s, p + 2, &p);
				bDone = s == NULL;
			} else if (p + 1 < ms->zPatEnd && isdigit((unsigned char)p[1])) {
				s = backref(ms, s, (unsigned char)p[1]);
				if (s) p += 2, bDone = 0;
			} else {
				s = item(ms, &s, &p, &bDone);
			}
			break;
		default: s = item(ms, &s, &p, &bDone); break;
		}
		step(ms);
	}
	ms->nDepth++;
	return s;
}

/* --- captures to Lua values --------------------------------------------------------------------------------- */

/* Pushes capture i (or the whole match s..e when there are none and i is 0); returns its length or CAP_POSITION. */
static ptrdiff_t capture_push(pat_state *ms, int i, const char *s, const char *e) {
	ptrdiff_t n;
	if (i >= ms->nLevel) {
		if (i != 0) luaL_error(ms->L, "invalid capture index %%%d", i + 1);
		lua_pushlstring(ms->L, s, (size_t)(e - s));
		return e - s;
	}
	n = ms->aCap[i].len;
	if (n == CAP_UNFINISHED) luaL_error(ms->L, "unfinished capture");
	if (n == CAP_POSITION) lua_pushinteger(ms->L, (ms->aCap[i].zInit - ms->zSrc) + 1);
	else lua_pushlstring(ms->L, ms->aCap[i].zInit, (size_t)n);
	return n;
}

static int captures_push(pat_state *ms, const char *s, const char *e) {
	int n = ms->nLevel == 0 && s ? 1 : ms->nLevel;
	luaL_checkstack(ms->L, n, "too many captures");
	for (int i = 0; i < n; i++) capture_push(ms, i, s, e);
	return n;
}

/* --- the library functions ---------------------------------------------------------------------------------- */

static void state_init(pat_state *ms, lua_State *L, const char *s, size_t ns, const char *p, size_t np) {
	scn_pattern_charge_fn *pFn = lua_touserdata(L, lua_upvalueindex(1));
	ms->L = L;
	ms->zSrc = s;
	ms->zSrcEnd = s + ns;
	ms->zPatEnd = p + np;
	ms->fnCharge = pFn ? *pFn : NULL;
	ms->nSteps = 0;
	ms->nDepth = PAT_MAXDEPTH;
	ms->nLevel = 0;
}

static void state_reset(pat_state *ms) {
	ms->nLevel = 0;
	ms->nDepth = PAT_MAXDEPTH;
}

/* A 1-based, possibly negative start position to an offset in 0..n (n+1 and more: past the end). */
static size_t start_of(lua_Integer pos, size_t n) {
	if (pos > 0) return (size_t)pos - 1;
	if (pos == 0 || pos < -(lua_Integer)n) return 0;
	return (size_t)((lua_Integer)n + pos);
}

static int has_specials(const char *p, size_t n) {
	for (size_t i = 0; i < n; i++)
		if (p[i] && strchr(PAT_SPECIALS, p[i])) return 1;
	return 0;
}

/* A plain find of p in s, charging a step per candidate position and per 64 bytes compared. */
static const char *find_plain(pat_state *ms, const char *s, size_t ns, const char *p, size_t np) {
	if (np == 0) return s;
	while (np <= ns) {
		const char *q = memchr(s, p[0], ns - np + 1);
		if (!q) return NULL;
		for (size_t i = 0; i < np; i += 64) step(ms);
		if (memcmp(q + 1, p + 1, np - 1) == 0) return q;
		ns -= (size_t)(q + 1 - s);
		s = q + 1;
	}
	return NULL;
}

static int find_aux(lua_State *L, int bFind) {
	size_t ns, np;
	const char *s = luaL_checklstring(L, 1, &ns), *p = luaL_checklstring(L, 2, &np);
	size_t init = start_of(luaL_optinteger(L, 3, 1), ns);
	pat_state ms;
	if (init > ns) {
		luaL_pushfail(L);
		return 1;
	}
	state_init(&ms, L, s, ns, p, np);
	if (bFind && (lua_toboolean(L, 4) || !has_specials(p, np))) {
		const char *q = find_plain(&ms, s + init, ns - init, p, np);
		flush_steps(&ms);
		if (!q) {
			luaL_pushfail(L);
			return 1;
		}
		lua_pushinteger(L, (q - s) + 1);
		lua_pushinteger(L, (q - s) + (lua_Integer)np);
		return 2;
	}
	int bAnchor = np > 0 && *p == '^';
	if (bAnchor) p++, np--;
	ms.zPatEnd = p + np;
	const char *s1 = s + init;
	do {
		const char *e;
		state_reset(&ms);
		if ((e = m_match(&ms, s1, p)) != NULL) {
			flush_steps(&ms);
			if (!bFind) return captures_push(&ms, s1, e);
			lua_pushinteger(L, (s1 - s) + 1);
			lua_pushinteger(L, e - s);
			return captures_push(&ms, NULL, NULL) + 2;
		}
	} while (s1++ < ms.zSrcEnd && !bAnchor);
	flush_steps(&ms);
	luaL_pushfail(L);
	return 1;
}

static int p_find(lua_State *L) { return find_aux(L, 1); }
static int p_match(lua_State *L) { return find_aux(L, 0); }

typedef struct gmatch_state {
	const char *zAt;        /* where the next search starts */
	const char *zPat;
	const char *zLast;      /* end of the last match (an empty match there is skipped) */
	pat_state ms;
} gmatch_state;

static int gmatch_next(lua_State *L) {
	gmatch_state *g = lua_touserdata(L, lua_upvalueindex(4));
	g->ms.L = L; /* the iterator may run in another coroutine than the one that made it */
	for (const char *s = g->zAt; s <= g->ms.zSrcEnd; s++) {
		const char *e;
		state_reset(&g->ms);
		if ((e = m_match(&g->ms, s, g->zPat)) != NULL && e != g->zLast) {
			g->zAt = g->zLast = e;
			flush_steps(&g->ms);
			return captures_push(&g->ms, s, e);
		}
	}
	flush_steps(&g->ms);
	return 0;
}

static int p_gmatch(lua_State *L) {
	size_t ns, np;
	const char *s = luaL_checklstring(L, 1, &ns), *p = luaL_checklstring(L, 2, &np);
	size_t init = start_of(luaL_optinteger(L, 3, 1), ns);
	gmatch_state *g;
	if (init > ns) init = ns + 1; /* nothing to match */
	lua_settop(L, 2);
	g = lua_newuserdatauv(L, sizeof *g, 0);
	state_init(&g->ms, L, s, ns, p, np);
	g->zAt = s + init;
	g->zPat = p;
	g->zLast = NULL;
	/* upvalues: the charge function, the subject and pattern (kept alive), the state */
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_pushcclosure(L, gmatch_next, 4);
	return 1;
}

/* gsub's replacement string: %0..%9 and %%. */
static void subst_string(pat_state *ms, luaL_Buffer *b, const char *s, const char *e) {
	lua_State *L = ms->L;
	size_t n;
	const char *z = lua_tolstring(L, 3, &n), *zEnd = z + n, *q;
	while ((q = memchr(z, PAT_ESC, (size_t)(zEnd - z))) != NULL) {
		luaL_addlstring(b, z, (size_t)(q - z));
		q++;
		if (q < zEnd && *q == PAT_ESC) {
			luaL_addchar(b, *q);
		} else if (q < zEnd && *q == '0') {
			luaL_addlstring(b, s, (size_t)(e - s));
		} else if (q < zEnd && isdigit((unsigned char)*q)) {
			ptrdiff_t k = capture_push(ms, *q - '1', s, e);
			(void)k;
			luaL_tolstring(L, -1, NULL); /* a position capture is an integer: its text */
			lua_remove(L, -2);
			luaL_addvalue(b);
		} else {
			luaL_error(L, "invalid use of '%c' in replacement string", PAT_ESC);
		}
		z = q + 1;
	}
	luaL_addlstring(b, z, (size_t)(zEnd - z));
}

/* Adds the replacement of the match s..e; 1 when something replaced it, 0 when the match stays as it was. */
static int subst(pat_state *ms, luaL_Buffer *b, const char *s, const char *e, int tRepl) {
	lua_State *L = ms->L;
	if (tRepl == LUA_TFUNCTION) {
		int n;
		lua_pushvalue(L, 3);
		n = captures_push(ms, s, e);
		lua_call(L, n, 1);
	} else if (tRepl == LUA_TTABLE) {
		capture_push(ms, 0, s, e);
		lua_gettable(L, 3);
	} else {
		subst_string(ms, b, s, e);
		return 1;
	}
	if (!lua_toboolean(L, -1)) { /* nil or false: keep the match */
		lua_pop(L, 1);
		luaL_addlstring(b, s, (size_t)(e - s));
		return 0;
	}
	if (!lua_isstring(L, -1)) return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
	luaL_addvalue(b);
	return 1;
}

static int p_gsub(lua_State *L) {
	size_t ns, np;
	const char *src = luaL_checklstring(L, 1, &ns), *p = luaL_checklstring(L, 2, &np), *zLast = NULL;
	int tRepl = lua_type(L, 3);
	lua_Integer nMax = luaL_optinteger(L, 4, (lua_Integer)ns + 1), n = 0;
	int bAnchor = np > 0 && *p == '^', bChanged = 0;
	pat_state ms;
	luaL_Buffer b;
	luaL_argexpected(L, tRepl == LUA_TNUMBER || tRepl == LUA_TSTRING || tRepl == LUA_TFUNCTION || tRepl == LUA_TTABLE, 3,
	                 "string/function/table");
	luaL_buffinit(L, &b);
	if (bAnchor) p++, np--;
	state_init(&ms, L, src, ns, p, np);
	while (n < nMax) {
		const char *e;
		state_reset(&ms);
		if ((e = m_match(&ms, src, p)) != NULL && e != zLast) {
			n++;
			bChanged = subst(&ms, &b, src, e, tRepl) | bChanged;
			src = zLast = e;
		} else if (src < ms.zSrcEnd) {
			luaL_addchar(&b, *src++);
		} else {
			break;
		}
		if (bAnchor) break;
	}
	flush_steps(&ms);
	if (!bChanged) {
		lua_pushvalue(L, 1);
	} else {
		luaL_addlstring(&b, src, (size_t)(ms.zSrcEnd - src));
		luaL_pushresult(&b);
	}
	lua_pushinteger(L, n);
	return 2;
}

void scn_pattern_open(lua_State *L, int idx, scn_pattern_charge_fn fnCharge) {
	static const luaL_Reg aFn[] = { { "find", p_find }, { "match", p_match }, { "gmatch", p_gmatch }, { "gsub", p_gsub } };
	idx = lua_absindex(L, idx);
	for (size_t i = 0; i < sizeof aFn / sizeof aFn[0]; i++) {
		scn_pattern_charge_fn *pFn = lua_newuserdatauv(L, sizeof *pFn, 0);
		*pFn = fnCharge;
		lua_pushcclosure(L, aFn[i].func, 1);
		lua_setfield(L, idx, aFn[i].name);
	}
}

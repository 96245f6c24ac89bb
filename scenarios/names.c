/* names: `kyodo check`'s static scan of the service and credential names a scenario uses anywhere, callbacks
 * included (which run only during the drill): a small Lua lexer walks the source, skipping comments and strings,
 * and checks every string literal given to a field that names one:
 *   entry = "…"       an ECU class or a service (attack.compromise)
 *   via = "…"         "c2" or a service (attack.spread, attack.abuse_feature, a recall's dealers)
 *   service = "…"     a service (attack.exfiltrate)
 *   credential = "…"  a declared credential (attack.*, rotate_credential's args)
 *   name = "…"        a service, inside the table of a service.degrade / service.status call
 * against the world's services (built-in and services{}) and credentials (credentials{}). A value that is not a
 * literal (a variable, an expression) is not checked here; the world refuses it at run time with the same message.
 * docs/scenario-api.md "Errors" documents the scan. */
#include "scenarios/drillInt.h"

#include <stdio.h>
#include <string.h>

typedef struct lex {
	const char *p, *end;
	int line;
} lex;

static int is_ident(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

/* At "[" of a long bracket "[==[": its level (number of '='), or -1 if it is not one. */
static int long_level(const char *p, const char *end) {
	int n = 0;
	if (p >= end || *p != '[') return -1;
	for (p++; p < end && *p == '='; p++) n++;
	return p < end && *p == '[' ? n : -1;
}

/* Skips a long bracket body after its opening, up to and including "]==]" of the same level. */
static void skip_long(lex *x, int level) {
	while (x->p < x->end) {
		if (*x->p == '\n') x->line++;
		if (*x->p == ']') {
			const char *q = x->p + 1;
			int n = 0;
			while (q < x->end && *q == '=') q++, n++;
			if (n == level && q < x->end && *q == ']') {
				x->p = q + 1;
				return;
			}
		}
		x->p++;
	}
}

/* Skips a quoted string starting at x->p (the quote); *pz and *pn get its raw body, *pbEsc whether it had escapes. */
static void skip_quoted(lex *x, const char **pz, size_t *pn, int *pbEsc) {
	char q = *x->p++;
	const char *z = x->p;
	*pbEsc = 0;
	while (x->p < x->end && *x->p != q && *x->p != '\n') {
		if (*x->p == '\\') {
			*pbEsc = 1;
			if (x->p + 1 < x->end && x->p[1] == '\n') x->line++;
			x->p++;
		}
		x->p++;
	}
	*pz = z;
	*pn = (size_t)(x->p - z);
	if (x->p < x->end) x->p++;
}

/* Skips white space and comments. */
static void skip_space(lex *x) {
	while (x->p < x->end) {
		if (*x->p == '\n') x->line++, x->p++;
		else if (*x->p == ' ' || *x->p == '\t' || *x->p == '\r') x->p++;
		else if (x->p + 1 < x->end && x->p[0] == '-' && x->p[1] == '-') {
			x->p += 2;
			int lv = long_level(x->p, x->end);
			if (lv >= 0) {
				x->p += lv + 2;
				skip_long(x, lv);
			} else {
				while (x->p < x->end && *x->p != '\n') x->p++;
			}
		} else {
			break;
		}
	}
}

/* The kinds of name a field holds. */
enum { N_ENTRY, N_VIA, N_SERVICE, N_CREDENTIAL, N_NAME };

typedef struct names {
	const scn_drill *d;
	json_t *svc, *cred;  /* the world's service names, the declared credential ids */
} names;

static int in_list(json_t *a, const char *z, size_t n) {
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		const char *s = json_string_value(v);
		if (s && strlen(s) == n && !strncmp(s, z, n)) return 1;
	}
	return 0;
}

static void list_text(json_t *a, char *z, size_t n) {
	size_t i, k = 0;
	json_t *v;
	z[0] = 0;
	json_array_foreach(a, i, v) if (k + 70 < n) k += (size_t)snprintf(z + k, n - k, "%s%s", i ? ", " : "", json_string_value(v));
	if (!json_array_size(a)) snprintf(z, n, "none: the drill declares no credentials{}");
}

/* Checks one literal value of a field of kind; an error "FILE:LINE: …" naming the known names. */
static int check_value(const names *m, int kind, const char *zCtx, const char *z, size_t n, int line, ky_err *err) {
	static const char *const azEcu[] = { "tcu", "gw", "ivi", "bcm", "adas", NULL };
	char zKnown[1500];
	int bOk = 0;
	if (kind == N_ENTRY)
		for (int i = 0; azEcu[i]; i++) bOk |= strlen(azEcu[i]) == n && !strncmp(azEcu[i], z, n);
	if (kind == N_VIA) bOk = n == 2 && !strncmp(z, "c2", 2);
	if (kind == N_CREDENTIAL) bOk = in_list(m->cred, z, n);
	else bOk |= in_list(m->svc, z, n);
	if (bOk) return 0;
	list_text(kind == N_CREDENTIAL ? m->cred : m->svc, zKnown, sizeof zKnown);
	const char *zPath = m->d->zPath;
	switch (kind) {
	case N_ENTRY:
		return ky_err_set(err, KY_ENOENT, "%s:%d: entry: unknown entry point '%.*s' (an ECU: tcu, gw, ivi, bcm, adas; or a "
		                  "service: %s)", zPath, line, (int)n, z, zKnown);
	case N_VIA:
		return ky_err_set(err, KY_ENOENT, "%s:%d: via: unknown path '%.*s' (c2, or a service: %s)", zPath, line, (int)n, z, zKnown);
	case N_CREDENTIAL:
		return ky_err_set(err, KY_ENOENT, "%s:%d: credential: unknown credential '%.*s' (known: %s)", zPath, line, (int)n, z, zKnown);
	default:
		return ky_err_set(err, KY_ENOENT, "%s:%d: %s: unknown service '%.*s' (known: %s)", zPath, line, zCtx, (int)n, z, zKnown);
	}
}

/* The kind of name field z (length n) holds, or -1; `name` only inside a service call's table (bInSvc). */
static int field_kind(const char *z, size_t n, int bInSvc) {
	static const struct { const char *z; int kind; } a[] = {
		{ "entry", N_ENTRY }, { "via", N_VIA }, { "service", N_SERVICE }, { "credential", N_CREDENTIAL }, { "name", N_NAME },
	};
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++)
		if (strlen(a[i].z) == n && !strncmp(a[i].z, z, n)) return a[i].kind == N_NAME && !bInSvc ? -1 : a[i].kind;
	return -1;
}

/* The scan (see the top of the file). depth counts open braces; svcDepth is the depth of a service call's table. */
static int scan(const names *m, ky_err *err) {
	lex x = { m->d->zSource, m->d->zSource + m->d->nSource, 1 };
	int depth = 0, svcDepth = -1, bSvcCall = 0;
	const char *zPrev = NULL;  /* the identifier before the last '.', for service.degrade */
	size_t nPrev = 0;
	while (skip_space(&x), x.p < x.end) {
		char c = *x.p;
		const char *zS;
		size_t nS;
		int bEsc, lv;
		if (c == '"' || c == '\'') {
			skip_quoted(&x, &zS, &nS, &bEsc);
			bSvcCall = 0;
		} else if ((lv = long_level(x.p, x.end)) >= 0) {
			x.p += lv + 2;
			skip_long(&x, lv);
		} else if (c == '{') {
			depth++, x.p++;
			if (bSvcCall && svcDepth < 0) svcDepth = depth;
			bSvcCall = 0;
		} else if (c == '}') {
			if (depth == svcDepth) svcDepth = -1;
			depth--, x.p++;
		} else if (is_ident(c) && !(c >= '0' && c <= '9')) {
			const char *z = x.p;
			while (x.p < x.end && is_ident(*x.p)) x.p++;
			size_t n = (size_t)(x.p - z);
			int bAfterDot = z > m->d->zSource && z[-1] == '.';
			bSvcCall = bAfterDot && zPrev && nPrev == 7 && !strncmp(zPrev, "service", 7) &&
			           ((n == 7 && !strncmp(z, "degrade", 7)) || (n == 6 && !strncmp(z, "status", 6)));
			zPrev = z, nPrev = n;
			int kind = field_kind(z, n, depth == svcDepth);
			if (kind < 0) continue;
			lex y = x;
			skip_space(&y);
			if (y.p >= y.end || *y.p != '=' || (y.p + 1 < y.end && y.p[1] == '=')) continue;
			y.p++;
			skip_space(&y);
			if (y.p >= y.end || (*y.p != '"' && *y.p != '\'')) continue;  /* not a literal: checked at run time */
			int line = y.line;
			skip_quoted(&y, &zS, &nS, &bEsc);
			if (!bEsc && check_value(m, kind, kind == N_NAME ? "service.degrade/status: name" : "service", zS, nS, line, err))
				return err->code;
			x = y;
		} else {
			if (c != '(' && c != '.') bSvcCall = 0;  /* service.degrade { or service.degrade({ */
			x.p++;
		}
	}
	return 0;
}

int scn_names_check(const scn_drill *d, ky_err *err) {
	json_t *cat = veh_world_catalog_json(d->world), *creds = veh_world_credentials_json(d->world);
	names m = { d, json_object_get(cat, "services"), json_array() };
	size_t i;
	json_t *v;
	json_array_foreach(creds, i, v) json_array_append(m.cred, json_object_get(v, "id"));
	int rc = m.svc ? scan(&m, err) : ky_err_set(err, KY_ENOMEM, "%s: out of memory", d->zPath);
	json_decref(m.cred);
	json_decref(creds);
	json_decref(cat);
	return rc;
}

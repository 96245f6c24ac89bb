/* actions (scenarios): see actions.h. */
#include "scenarios/actions.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void scn_actions_free(scn_actions *p) {
	for (int i = 0; i < p->n; i++) {
		free(p->a[i].zTeam);
		free(p->a[i].zKind);
		free(p->a[i].zId);
		free(p->a[i].zInject);
		json_decref(p->a[i].args);
	}
	free(p->a);
	p->a = NULL;
	p->n = 0;
}

static int action_cmp(const void *pa, const void *pb) {
	const scn_action_line *a = pa, *b = pb;
	if (a->t != b->t) return a->t < b->t ? -1 : 1;
	return a->line - b->line; /* stable: file order for equal times */
}

static char *dup_or_null(const char *z) { return z ? strdup(z) : NULL; }

/* One non-empty line (z, n bytes, no newline) into a new element of p. */
static int parse_line(const char *zPath, int line, const char *z, size_t n, scn_actions *p, int *pnAlloc, ky_err *err) {
	json_error_t je;
	json_t *o = json_loadb(z, n, JSON_REJECT_DUPLICATES, &je), *jt = NULL, *args = NULL;
	const char *zT, *zTeam = NULL, *zKind = NULL, *zId = NULL, *zInject = NULL;
	ky_err te = { 0 };
	eng_time_t t = 0;
	int rc;
	if (!o) return ky_err_set(err, KY_EPARSE, "%s:%d: %s", zPath, line, je.text);
	if (json_unpack_ex(o, &je, JSON_STRICT, "{s:o,s:s,s:s,s?o,s?s,s?s}", "t", &jt, "team", &zTeam, "kind", &zKind, "args",
	                   &args, "id", &zId, "inject", &zInject) != 0) {
		rc = ky_err_set(err, KY_EPARSE, "%s:%d: %s", zPath, line, je.text);
		goto out;
	}
	rc = json_is_number(jt) ? eng_time_from_seconds(json_number_value(jt), &t, &te)
	     : (zT = json_string_value(jt)) ? eng_time_parse(zT, &t, &te)
	                                    : ky_err_set(&te, KY_EPARSE, "t must be a time string or seconds");
	if (rc) {
		rc = ky_err_set(err, KY_EPARSE, "%s:%d: t: %s", zPath, line, te.zMsg);
		goto out;
	}
	if (args && !json_is_object(args)) {
		rc = ky_err_set(err, KY_EPARSE, "%s:%d: args must be an object", zPath, line);
		goto out;
	}
	if (p->n == *pnAlloc) {
		int nNew = *pnAlloc ? *pnAlloc * 2 : 64;
		scn_action_line *a = nNew > 0 ? realloc(p->a, (size_t)nNew * sizeof *a) : NULL;
		if (!a) {
			rc = ky_err_set(err, KY_ENOMEM, "%s:%d: out of memory", zPath, line);
			goto out;
		}
		p->a = a;
		*pnAlloc = nNew;
	}
	scn_action_line *a = &p->a[p->n];
	memset(a, 0, sizeof *a);
	a->t = t;
	a->line = line;
	a->zTeam = strdup(zTeam);
	a->zKind = strdup(zKind);
	a->zId = dup_or_null(zId);
	a->zInject = dup_or_null(zInject);
	a->args = args ? json_incref(args) : json_object();
	p->n++;
	if (!a->zTeam || !a->zKind || (zId && !a->zId) || (zInject && !a->zInject) || !a->args)
		rc = ky_err_set(err, KY_ENOMEM, "%s:%d: out of memory", zPath, line);
out:
	json_decref(o);
	return rc;
}

int scn_actions_parse(const char *zPath, const char *p, size_t n, scn_actions *pOut, ky_err *err) {
	int line = 0, nAlloc = 0, rc = 0;
	pOut->a = NULL;
	pOut->n = 0;
	pOut->zPath = zPath;
	for (size_t i = 0; i < n && rc == 0;) {
		const char *z = p + i, *e = memchr(z, '\n', n - i);
		size_t m = e ? (size_t)(e - z) : n - i;
		i += m + (e != NULL);
		if (++line == 0x7fffffff) return ky_err_set(err, KY_ELIMIT, "%s: too many lines", zPath);
		while (m > 0 && (z[m - 1] == '\r' || z[m - 1] == ' ')) m--;
		if (m == 0 || z[0] == '#') continue;
		rc = parse_line(zPath, line, z, m, pOut, &nAlloc, err);
	}
	if (rc) {
		scn_actions_free(pOut);
		return rc;
	}
	if (pOut->n > 1) qsort(pOut->a, (size_t)pOut->n, sizeof *pOut->a, action_cmp);
	return 0;
}

int scn_actions_load(const char *zPath, scn_actions *pOut, ky_err *err) {
	FILE *f = fopen(zPath, "rb");
	char *z = NULL;
	size_t n = 0, nCap = 0;
	int rc;
	memset(pOut, 0, sizeof *pOut);
	if (!f) return ky_err_set(err, KY_EIO, "%s: cannot open the actions file: %s", zPath, strerror(errno));
	for (;;) {
		if (n == nCap) {
			size_t nNew = nCap ? 2 * nCap : 65536;
			char *zNew = realloc(z, nNew);
			if (!zNew) {
				free(z);
				fclose(f);
				return ky_err_set(err, KY_ENOMEM, "%s: out of memory", zPath);
			}
			z = zNew;
			nCap = nNew;
		}
		size_t k = fread(z + n, 1, nCap - n, f);
		n += k;
		if (k == 0) break;
	}
	rc = ferror(f) ? ky_err_set(err, KY_EIO, "%s: cannot read the actions file: %s", zPath, strerror(errno))
	               : scn_actions_parse(zPath, z, n, pOut, err);
	fclose(f);
	free(z);
	return rc;
}

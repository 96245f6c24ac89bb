/* vers: see vers.h. */
#include "vehicles/vers.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *zType;
	int scheme;
} aScheme[] = {
	{ "semver", VEH_VS_SEMVER },   { "npm", VEH_VS_SEMVER },       { "golang", VEH_VS_SEMVER },
	{ "cargo", VEH_VS_SEMVER },    { "composer", VEH_VS_SEMVER },  { "generic", VEH_VS_GENERIC },
	{ "openssl", VEH_VS_GENERIC }, { "intdot", VEH_VS_INTDOT },    { "lexicographic", VEH_VS_LEXICOGRAPHIC },
	{ "all", VEH_VS_ALL },         { "none", VEH_VS_NONE },
};

int veh_vers_scheme(const char *zType) {
	for (size_t i = 0; i < sizeof aScheme / sizeof aScheme[0]; i++)
		if (!strcasecmp(aScheme[i].zType, zType)) return aScheme[i].scheme;
	return -1;
}

int veh_vers_is(const char *z) { return z && !strncasecmp(z, "vers:", 5); }

/* ---- version orders -------------------------------------------------------------------------------------- */

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* Compares two runs of digits as numbers of any length. */
static int num_cmp(const char *a, int na, const char *b, int nb) {
	while (na > 1 && *a == '0') a++, na--;
	while (nb > 1 && *b == '0') b++, nb--;
	if (na != nb) return na < nb ? -1 : 1;
	int c = memcmp(a, b, (size_t)na);
	return c < 0 ? -1 : c > 0;
}

/* generic: elements are runs of digits or letters; separators are ignored. Ranks when kinds differ:
 * pre-release word < zero (and the padding of a shorter version) < letter suffix < post-release word < number > 0. */
enum { G_PRE, G_ZERO, G_LETTER, G_POST, G_NUM };
typedef struct gelem {
	int rank;
	const char *s;
	int n;
} gelem;

static const char *g_next(const char *p, gelem *e) {
	while (*p && !is_digit(*p) && !is_alpha(*p)) p++;
	if (!*p) return NULL;
	const char *s = p;
	if (is_digit(*p)) {
		while (is_digit(*p)) p++;
		e->s = s, e->n = (int)(p - s);
		int bZero = 1;
		for (const char *q = s; q < p; q++) bZero &= *q == '0';
		e->rank = bZero ? G_ZERO : G_NUM;
		return p;
	}
	while (is_alpha(*p)) p++;
	e->s = s, e->n = (int)(p - s);
	static const char *const azPost[] = { "post", "patch", "pl", "p", "errata", NULL };
	e->rank = G_PRE;
	for (int i = 0; azPost[i]; i++)
		if ((int)strlen(azPost[i]) == e->n && !strncasecmp(azPost[i], s, (size_t)e->n)) e->rank = G_POST;
	return p;
}

static int generic_cmp(const char *a, const char *b) {
	const char *pa = a, *pb = b;
	for (;;) {
		gelem x = { G_ZERO, "0", 1 }, y = { G_ZERO, "0", 1 };
		const char *na = pa ? g_next(pa, &x) : NULL, *nb = pb ? g_next(pb, &y) : NULL;
		if (!na && !nb) return 0;
		/* a single letter right after a number and not followed by one is a letter suffix (1.1.1k) */
		if (na && x.rank == G_PRE && x.n == 1 && x.s > a && is_digit(x.s[-1]) && !is_digit(*na)) x.rank = G_LETTER;
		if (nb && y.rank == G_PRE && y.n == 1 && y.s > b && is_digit(y.s[-1]) && !is_digit(*nb)) y.rank = G_LETTER;
		if (!na) x.rank = G_ZERO;
		if (!nb) y.rank = G_ZERO;
		if (x.rank != y.rank) return x.rank < y.rank ? -1 : 1;
		int c = 0;
		if (x.rank == G_NUM) c = num_cmp(x.s, x.n, y.s, y.n);
		else if (x.rank != G_ZERO) {
			int m = x.n < y.n ? x.n : y.n;
			c = strncasecmp(x.s, y.s, (size_t)m);
			if (!c && x.n != y.n) c = x.n < y.n ? -1 : 1;
		}
		if (c) return c < 0 ? -1 : 1;
		pa = na, pb = nb;
	}
}

/* semver: [v|=]MAJOR[.MINOR[.PATCH]][-PRE][+BUILD]; 0 if z is not of that form. */
typedef struct sver {
	const char *aNum[3];
	int anLen[3];
	const char *zPre;   /* after '-', up to '+' or the end; NULL when none */
	int nPre;
} sver;

static int sv_parse(const char *z, sver *v) {
	static const char zZero[] = "0";
	memset(v, 0, sizeof *v);
	if (*z == 'v' || *z == 'V' || *z == '=') z++;
	for (int i = 0; i < 3; i++) {
		v->aNum[i] = zZero, v->anLen[i] = 1;
		if (i > 0) {
			if (*z != '.') continue;
			z++;
		}
		const char *s = z;
		while (is_digit(*z)) z++;
		if (z == s) return 0;
		v->aNum[i] = s, v->anLen[i] = (int)(z - s);
	}
	if (*z == '-') {
		v->zPre = ++z;
		while (*z && *z != '+') {
			if (!is_digit(*z) && !is_alpha(*z) && *z != '.' && *z != '-') return 0;
			z++;
		}
		v->nPre = (int)(z - v->zPre);
		if (!v->nPre) return 0;
	}
	if (*z == '+') {
		for (z++; *z; z++)
			if (!is_digit(*z) && !is_alpha(*z) && *z != '.' && *z != '-') return 0;
	}
	return *z == 0;
}

/* SemVer 2.0 rule 11 for the pre-release identifiers. */
static int pre_cmp(const char *a, int na, const char *b, int nb) {
	const char *ea = a + na, *eb = b + nb;
	while (a < ea && b < eb) {
		const char *xa = memchr(a, '.', (size_t)(ea - a)), *xb = memchr(b, '.', (size_t)(eb - b));
		if (!xa) xa = ea;
		if (!xb) xb = eb;
		int bNa = 1, bNb = 1;
		for (const char *q = a; q < xa; q++) bNa &= is_digit(*q);
		for (const char *q = b; q < xb; q++) bNb &= is_digit(*q);
		int c;
		if (bNa && bNb) c = num_cmp(a, (int)(xa - a), b, (int)(xb - b));
		else if (bNa != bNb) c = bNa ? -1 : 1;
		else {
			size_t m = (size_t)((xa - a) < (xb - b) ? (xa - a) : (xb - b));
			c = memcmp(a, b, m);
			if (!c && (xa - a) != (xb - b)) c = (xa - a) < (xb - b) ? -1 : 1;
		}
		if (c) return c < 0 ? -1 : 1;
		a = xa < ea ? xa + 1 : ea;
		b = xb < eb ? xb + 1 : eb;
	}
	return (a < ea) - (b < eb);
}

static int semver_cmp(const char *a, const char *b) {
	sver x, y;
	if (!sv_parse(a, &x) || !sv_parse(b, &y)) return generic_cmp(a, b);
	for (int i = 0; i < 3; i++) {
		int c = num_cmp(x.aNum[i], x.anLen[i], y.aNum[i], y.anLen[i]);
		if (c) return c;
	}
	if (!x.zPre || !y.zPre) return (x.zPre == NULL) - (y.zPre == NULL);
	return pre_cmp(x.zPre, x.nPre, y.zPre, y.nPre);
}

static int intdot_cmp(const char *a, const char *b) {
	for (;;) {
		const char *sa = a, *sb = b;
		while (is_digit(*a)) a++;
		while (is_digit(*b)) b++;
		int c = num_cmp(sa == a ? "0" : sa, sa == a ? 1 : (int)(a - sa), sb == b ? "0" : sb, sb == b ? 1 : (int)(b - sb));
		if (c) return c;
		int bMoreA = *a == '.', bMoreB = *b == '.';
		if (!bMoreA && !bMoreB) return 0;
		if (bMoreA) a++;
		if (bMoreB) b++;
	}
}

int veh_version_cmp(int scheme, const char *a, const char *b) {
	switch (scheme) {
	case VEH_VS_SEMVER: return semver_cmp(a, b);
	case VEH_VS_INTDOT: return intdot_cmp(a, b);
	case VEH_VS_LEXICOGRAPHIC: {
		int c = strcmp(a, b);
		return c < 0 ? -1 : c > 0;
	}
	default: return generic_cmp(a, b);
	}
}

/* ---- ranges ---------------------------------------------------------------------------------------------- */

static int bad(ky_err *err, const char *z, const char *zWhat) {
	return ky_err_set(err, KY_EPARSE, "'%.200s' is not a version range: %s", z, zWhat);
}

static int hexval(char c) {
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int c_cmp(const void *x, const void *y, void *pScheme) {
	return veh_version_cmp(*(const int *)pScheme, ((const veh_vers_c *)x)->zVer, ((const veh_vers_c *)y)->zVer);
}

/* One constraint [s, e) into c, its version decoded to o; returns the end of the output or NULL. */
static char *parse_constraint(const char *s, const char *e, veh_vers_c *c, char *o) {
	static const struct { const char *z; int op; } aOp[] = {
		{ ">=", VEH_VOP_GE }, { "<=", VEH_VOP_LE }, { "!=", VEH_VOP_NE }, { "<", VEH_VOP_LT }, { ">", VEH_VOP_GT }, { "=", VEH_VOP_EQ },
	};
	c->op = VEH_VOP_EQ;
	for (size_t i = 0; i < sizeof aOp / sizeof aOp[0]; i++) {
		size_t m = strlen(aOp[i].z);
		if ((size_t)(e - s) >= m && !memcmp(s, aOp[i].z, m)) {
			c->op = aOp[i].op;
			s += m;
			break;
		}
	}
	if (s == e) return NULL;
	c->zVer = o;
	for (; s < e; s++) {
		if (strchr("<>=!*", *s)) return NULL;
		if (*s == '%') {
			if (e - s < 3 || hexval(s[1]) < 0 || hexval(s[2]) < 0) return NULL;
			*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o++ = 0;
	return o;
}

/* The specification's rules on the sorted list: unique versions; ignoring != and =, '<'/'<=' and '>'/'>=' alternate. */
static const char *check_sorted(const veh_vers *v) {
	int prevRel = -1;   /* 0: a '<' kind, 1: a '>' kind */
	for (int i = 0; i < v->n; i++) {
		if (i && veh_version_cmp(v->scheme, v->a[i - 1].zVer, v->a[i].zVer) == 0) return "a version appears twice";
		int op = v->a[i].op;
		if (op == VEH_VOP_NE || op == VEH_VOP_EQ) continue;
		int rel = op == VEH_VOP_GT || op == VEH_VOP_GE;
		if (rel == prevRel) return "the '<' and '>' constraints do not alternate (an empty or redundant range)";
		prevRel = rel;
	}
	return NULL;
}

int veh_vers_parse(const char *z, veh_vers *v, ky_err *err) {
	memset(v, 0, sizeof *v);
	if (!veh_vers_is(z)) return bad(err, z, "it does not start with \"vers:\"");
	for (const char *p = z; *p; p++)
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') return bad(err, z, "whitespace is not permitted");
	const char *s = z + 5, *slash = strchr(s, '/');
	if (!slash || slash == s || (size_t)(slash - s) >= sizeof v->zType) return bad(err, z, "no type (vers:TYPE/CONSTRAINTS)");
	memcpy(v->zType, s, (size_t)(slash - s));
	v->scheme = veh_vers_scheme(v->zType);
	if (v->scheme < 0)
		return ky_err_set(err, KY_EPARSE, "'%.200s' is not a version range kyodo reads: unknown type '%s' (known: semver, npm, "
		                  "golang, cargo, composer, generic, openssl, intdot, lexicographic, all, none)", z, v->zType);
	const char *c = slash + 1;
	if (!strcmp(c, "*")) {
		v->bStar = 1;
		return 0;
	}
	if (v->scheme == VEH_VS_ALL || v->scheme == VEH_VS_NONE) return bad(err, z, "all and none take only '*'");
	if (!*c) return bad(err, z, "no constraints");
	if (*c == '|' || c[strlen(c) - 1] == '|' || strstr(c, "||")) return bad(err, z, "an empty constraint (a leading, trailing or double '|')");
	int n = 1;
	for (const char *p = c; *p; p++) n += *p == '|';
	size_t nLen = strlen(c);
	v->zBuf = malloc((size_t)n * sizeof *v->a + nLen + (size_t)n + 1);
	if (!v->zBuf) return ky_err_set(err, KY_ENOMEM, "out of memory");
	v->a = (veh_vers_c *)v->zBuf;
	char *o = v->zBuf + (size_t)n * sizeof *v->a;
	for (const char *p = c; *p;) {
		const char *e = strchr(p, '|');
		if (!e) e = p + strlen(p);
		if (!(o = parse_constraint(p, e, &v->a[v->n], o))) return bad(err, z, "a constraint is not [COMPARATOR]VERSION with a valid escape");
		v->n++;
		p = *e ? e + 1 : e;
	}
	qsort_r(v->a, (size_t)v->n, sizeof *v->a, c_cmp, &v->scheme);
	const char *zWhy = check_sorted(v);
	return zWhy ? bad(err, z, zWhy) : 0;
}

void veh_vers_free(veh_vers *v) {
	free(v->zBuf);
	memset(v, 0, sizeof *v);
}

int veh_vers_contains(const veh_vers *v, const char *zVer) {
	if (v->bStar) return v->scheme != VEH_VS_NONE;
	int s = v->scheme;
	for (int i = 0; i < v->n; i++) {
		int op = v->a[i].op;
		if ((op == VEH_VOP_EQ || op == VEH_VOP_LE || op == VEH_VOP_GE) && !veh_version_cmp(s, zVer, v->a[i].zVer)) return 1;
	}
	for (int i = 0; i < v->n; i++)
		if (v->a[i].op == VEH_VOP_NE && !veh_version_cmp(s, zVer, v->a[i].zVer)) return 0;
	/* the '<' and '>' constraints, in order: intervals between a '>' and the next '<', open at both ends */
	int iPrev = -1, iFirst = -1;
	for (int i = 0; i < v->n; i++) {
		const veh_vers_c *c = &v->a[i];
		if (c->op == VEH_VOP_EQ || c->op == VEH_VOP_NE) continue;
		int bLt = c->op == VEH_VOP_LT || c->op == VEH_VOP_LE;
		if (iFirst < 0) {
			iFirst = i;
			if (bLt && veh_version_cmp(s, zVer, c->zVer) < 0) return 1;
		}
		if (iPrev >= 0 && bLt && (v->a[iPrev].op == VEH_VOP_GT || v->a[iPrev].op == VEH_VOP_GE) &&
		    veh_version_cmp(s, zVer, v->a[iPrev].zVer) > 0 && veh_version_cmp(s, zVer, c->zVer) < 0)
			return 1;
		iPrev = i;
	}
	if (iPrev >= 0 && (v->a[iPrev].op == VEH_VOP_GT || v->a[iPrev].op == VEH_VOP_GE) && veh_version_cmp(s, zVer, v->a[iPrev].zVer) > 0)
		return 1;
	return 0;
}

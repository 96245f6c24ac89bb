/* purl: see purl.h. The per-type rules come from the specification's registered type definitions
 * (types/TYPE-definition.json: namespace_definition / name_definition / version_definition "case_sensitive": false,
 * and PyPI's normalization rule), one table below. */
#include "vehicles/purl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Types whose parts compare without case (registered definitions, case_sensitive = false). */
static const struct {
	const char *zType;
	unsigned char bNs, bName, bVer, bDash;   /* fold namespace, name, version; '_' -> '-' in the name */
} aType[] = {
	{ "alpm", 1, 1, 0, 0 },     { "apk", 1, 1, 0, 0 },      { "bitbucket", 1, 1, 0, 0 }, { "bitnami", 0, 1, 0, 0 },
	{ "brew", 1, 1, 0, 0 },     { "chrome-extension", 0, 1, 0, 0 }, { "composer", 1, 1, 0, 0 },
	{ "deb", 1, 1, 0, 0 },      { "github", 1, 1, 0, 0 },   { "hex", 1, 1, 0, 0 },       { "huggingface", 0, 0, 1, 0 },
	{ "luarocks", 1, 1, 0, 0 }, { "oci", 0, 1, 1, 0 },      { "otp", 0, 1, 0, 0 },       { "pub", 0, 1, 0, 0 },
	{ "pypi", 0, 1, 1, 1 },     { "qpkg", 1, 0, 0, 0 },     { "rpm", 1, 0, 0, 0 },       { "vscode-extension", 1, 1, 1, 0 },
	{ "yocto", 1, 0, 0, 0 },
};

static int type_index(const char *zType) {
	for (size_t i = 0; i < sizeof aType / sizeof aType[0]; i++)
		if (!strcmp(aType[i].zType, zType)) return (int)i;
	return -1;
}

int veh_purl_type_folds(const char *zType) {
	int i = type_index(zType);
	return i >= 0 && aType[i].bName;
}

int veh_purl_is(const char *z) { return z && !strncasecmp(z, "pkg:", 4); }

static int hexval(char c) {
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decodes [s, e) to o (NUL-terminated); returns the end of the output or NULL on a bad escape, a NUL byte or
 * invalid UTF-8 after decoding. */
static char *decode(const char *s, const char *e, char *o) {
	char *o0 = o;
	for (; s < e; s++) {
		if (*s == '%') {
			if (e - s < 3 || hexval(s[1]) < 0 || hexval(s[2]) < 0) return NULL;
			int v = hexval(s[1]) * 16 + hexval(s[2]);
			if (v == 0) return NULL;
			*o++ = (char)v;
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
	/* the decoded bytes must be UTF-8 */
	for (const unsigned char *p = (const unsigned char *)o0; *p;) {
		int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 && *p >= 0xC2 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 && *p < 0xF5 ? 4 : 0;
		if (!n) return NULL;
		for (int k = 1; k < n; k++)
			if ((p[k] & 0xC0) != 0x80) return NULL;
		p += n;
	}
	return o;
}

static void fold(char *z, int bDash) {
	for (; *z; z++) {
		if (*z >= 'A' && *z <= 'Z') *z = (char)(*z + 32);
		if (bDash && *z == '_') *z = '-';
	}
}

static int bad(ky_err *err, const char *z, const char *zWhat) {
	return ky_err_set(err, KY_EPARSE, "'%.200s' is not a package URL: %s", z, zWhat);
}

/* Checks the qualifiers' keys (letters, digits, '.', '-', '_'; not starting with a digit) and values' escapes. */
static int check_qualifiers(const char *s, const char *e) {
	while (s < e) {
		const char *amp = memchr(s, '&', (size_t)(e - s)), *pe = amp ? amp : e;
		const char *eq = memchr(s, '=', (size_t)(pe - s));
		if (!eq || eq == s || (*s >= '0' && *s <= '9')) return 0;
		for (const char *k = s; k < eq; k++)
			if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') || strchr(".-_", *k))) return 0;
		for (const char *v = eq + 1; v < pe; v++)
			if (*v == '%' && (pe - v < 3 || hexval(v[1]) < 0 || hexval(v[2]) < 0)) return 0;
		s = pe + (amp != NULL);
	}
	return 1;
}

int veh_purl_parse(const char *z, veh_purl *p, ky_err *err) {
	memset(p, 0, sizeof *p);
	size_t n = strlen(z);
	const char *e = z + n;
	const char *hash = memchr(z, '#', n);
	if (hash) e = hash;                                   /* subpath: ignored */
	const char *q = memchr(z, '?', (size_t)(e - z));
	if (q) {
		if (!check_qualifiers(q + 1, e)) return bad(err, z, "a qualifier is not key=value with a plain key");
		e = q;
	}
	const char *colon = memchr(z, ':', (size_t)(e - z));
	if (!colon || colon - z != 3 || strncasecmp(z, "pkg", 3)) return bad(err, z, "it does not start with \"pkg:\"");
	const char *s = colon + 1;
	while (s < e && *s == '/') s++;
	const char *slash = memchr(s, '/', (size_t)(e - s));
	if (!slash || slash == s) return bad(err, z, "no type (pkg:TYPE/NAME)");
	if ((size_t)(slash - s) >= sizeof p->zType) return bad(err, z, "the type is too long");
	for (const char *t = s; t < slash; t++) {
		int bOk = (*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || (t > s && ((*t >= '0' && *t <= '9') || *t == '.' || *t == '-' || *t == '+'));
		if (!bOk) return bad(err, z, "the type has a character other than letters, digits, '.', '-' (or starts with one)");
		p->zType[t - s] = (char)(*t >= 'A' && *t <= 'Z' ? *t + 32 : *t);
	}
	s = slash + 1;
	/* version: after the last '@' that does not start a path segment (an npm scope written unencoded) */
	const char *at = NULL;
	for (const char *t = e; t > s && !at; t--) {
		if (t[-1] != '@') continue;
		int bSegStart = t - 1 == s || t[-2] == '/';
		if (!bSegStart || !memchr(t, '/', (size_t)(e - t))) at = t - 1;   /* "@scope/" is an npm scope */
	}
	const char *eName = at ? at : e;
	while (eName > s && eName[-1] == '/') eName--;
	const char *nameStart = eName;
	while (nameStart > s && nameStart[-1] != '/') nameStart--;
	p->zBuf = malloc(3 * n + 3);
	if (!p->zBuf) return ky_err_set(err, KY_ENOMEM, "out of memory");
	char *o = p->zBuf;
	/* namespace: non-empty segments, each decoded, joined with '/' */
	p->zNs = o;
	for (const char *seg = s; seg < nameStart;) {
		const char *se = memchr(seg, '/', (size_t)(nameStart - seg));
		if (!se) se = nameStart;
		if (se > seg) {
			if (o != p->zNs) *o++ = '/';
			char *oe = decode(seg, se, o);
			if (!oe) return bad(err, z, "bad percent-encoding in the namespace");
			if (memchr(o, '/', (size_t)(oe - o))) return bad(err, z, "a namespace segment holds an encoded '/'");
			o = oe;
		}
		seg = se + 1;
	}
	*o++ = 0;
	p->zName = o;
	if (!(o = decode(nameStart, eName, o))) return bad(err, z, "bad percent-encoding in the name");
	if (!*p->zName) return bad(err, z, "no name");
	o++;
	if (at) {
		p->zVer = o;
		if (!(o = decode(at + 1, e, o))) return bad(err, z, "bad percent-encoding in the version");
		if (!*p->zVer) p->zVer = NULL;
	}
	int i = type_index(p->zType);
	if (i >= 0) {
		if (aType[i].bNs) fold((char *)p->zNs, 0);
		if (aType[i].bName) fold((char *)p->zName, aType[i].bDash);
		if (aType[i].bVer && p->zVer) fold((char *)p->zVer, 0);
	}
	return 0;
}

void veh_purl_free(veh_purl *p) {
	free(p->zBuf);
	memset(p, 0, sizeof *p);
}

/* Appends z percent-encoded (everything but unreserved characters; ':' kept as the specification allows). */
static size_t encode(const char *z, char *o, size_t k, size_t n) {
	static const char azHex[] = "0123456789ABCDEF";
	for (const unsigned char *u = (const unsigned char *)z; *u; u++) {
		int bKeep = (*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') || (*u >= '0' && *u <= '9') || strchr(".-_~:", *u);
		if (bKeep) {
			if (k + 1 < n) o[k] = (char)*u;
			k++;
		} else {
			if (k + 3 < n) o[k] = '%', o[k + 1] = azHex[*u >> 4], o[k + 2] = azHex[*u & 15];
			k += 3;
		}
	}
	return k;
}

size_t veh_purl_format(const veh_purl *p, int bVersion, char *z, size_t n) {
	size_t k = 0;
	for (const char *q = "pkg:"; *q; q++, k++)
		if (k + 1 < n) z[k] = *q;
	for (const char *q = p->zType; *q; q++, k++)
		if (k + 1 < n) z[k] = *q;
	if (k + 1 < n) z[k] = '/';
	k++;
	/* namespace segments keep their '/' */
	char zSeg[512];
	for (const char *s = p->zNs; *s;) {
		const char *se = strchr(s, '/');
		size_t m = se ? (size_t)(se - s) : strlen(s);
		if (m >= sizeof zSeg) m = sizeof zSeg - 1;
		memcpy(zSeg, s, m);
		zSeg[m] = 0;
		k = encode(zSeg, z, k, n);
		if (k + 1 < n) z[k] = '/';
		k++;
		s += m + (se != NULL);
	}
	k = encode(p->zName, z, k, n);
	if (bVersion && p->zVer) {
		if (k + 1 < n) z[k] = '@';
		k++;
		k = encode(p->zVer, z, k, n);
	}
	if (n) z[k < n ? k : n - 1] = 0;
	return k;
}

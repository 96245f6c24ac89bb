/* jdoc: see jdoc.h. A recursive-descent parser (depth-capped) that appends nodes to one array and decoded strings
 * to one buffer no longer than the text; a path stack (one frame per open container) names where an error is. */
#include "vehicles/jdoc.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct frame {
	uint32_t iNode;   /* the container */
	uint32_t iKey;    /* object: the current member's key node, VEH_JNONE before the first */
	uint32_t nItem;   /* array: items so far */
} frame;

typedef struct parser {
	veh_jdoc *d;
	const char *p, *zEnd;
	char *zOut;        /* next free byte of d->zStr */
	frame aFrame[VEH_JDOC_DEPTH];
	int nFrame;
	ky_err *err;
} parser;

/* "$.components[3].name" for the frames open now (a key that is not a plain identifier is quoted). */
static void path_format(const parser *ps, char *z, size_t n) {
	size_t k = (size_t)snprintf(z, n, "$");
	for (int f = 0; f < ps->nFrame && k < n; f++) {
		const frame *fr = &ps->aFrame[f];
		const veh_jnode *c = &ps->d->a[fr->iNode];
		if (c->type == VEH_J_ARRAY) {
			k += (size_t)snprintf(z + k, n - k, "[%u]", fr->nItem);
		} else if (fr->iKey != VEH_JNONE) {
			const char *zKey = ps->d->a[fr->iKey].z;
			int bPlain = zKey[0] != 0;
			for (const char *q = zKey; *q; q++)
				if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_' || *q == '-'))
					bPlain = 0;
			k += (size_t)snprintf(z + k, n - k, bPlain ? ".%.80s" : "[\"%.80s\"]", zKey);
		}
	}
}

static int fail(parser *ps, int code, const char *zWhat) {
	char zPath[256];
	size_t off = (size_t)(ps->p - ps->d->zText);
	int line = 1, col = 1;
	for (size_t i = 0; i < off; i++) {
		if (ps->d->zText[i] == '\n') line++, col = 1;
		else if (((unsigned char)ps->d->zText[i] & 0xC0) != 0x80) col++;
	}
	path_format(ps, zPath, sizeof zPath);
	return ky_err_set(ps->err, code, "line %d column %d (%s): %s", line, col, zPath, zWhat);
}

static uint32_t node_new(parser *ps, int type) {
	veh_jdoc *d = ps->d;
	if (d->n == d->nAlloc) {
		if (d->nAlloc >= UINT32_MAX / 2) return VEH_JNONE;
		uint32_t nNew = d->nAlloc ? d->nAlloc * 2 : 1024;
		veh_jnode *a = realloc(d->a, (size_t)nNew * sizeof *a);
		if (!a) return VEH_JNONE;
		d->a = a;
		d->nAlloc = nNew;
	}
	veh_jnode *x = &d->a[d->n];
	memset(x, 0, sizeof *x);
	x->type = (uint8_t)type;
	x->off = (uint32_t)(ps->p - d->zText);
	return d->n++;
}

static void skip_ws(parser *ps) {
	while (ps->p < ps->zEnd && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t')) ps->p++;
}

static int hex4(const char *p, unsigned *pOut) {
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
		else return 0;
	}
	*pOut = v;
	return 1;
}

static char *put_utf8(char *o, unsigned cp) {
	if (cp < 0x80) *o++ = (char)cp;
	else if (cp < 0x800) *o++ = (char)(0xC0 | (cp >> 6)), *o++ = (char)(0x80 | (cp & 0x3F));
	else if (cp < 0x10000) *o++ = (char)(0xE0 | (cp >> 12)), *o++ = (char)(0x80 | ((cp >> 6) & 0x3F)), *o++ = (char)(0x80 | (cp & 0x3F));
	else *o++ = (char)(0xF0 | (cp >> 18)), *o++ = (char)(0x80 | ((cp >> 12) & 0x3F)), *o++ = (char)(0x80 | ((cp >> 6) & 0x3F)),
	     *o++ = (char)(0x80 | (cp & 0x3F));
	return o;
}

/* Length of the valid UTF-8 sequence at p (1..4), 0 if invalid (overlong, surrogate, above U+10FFFF, truncated). */
static int utf8_len(const unsigned char *p, const unsigned char *e) {
	unsigned c = p[0];
	int n = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
	if (!n || e - p < n) return 0;
	for (int i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80) return 0;
	if (c == 0xE0 && p[1] < 0xA0) return 0;      /* overlong */
	if (c == 0xED && p[1] >= 0xA0) return 0;     /* surrogates */
	if (c == 0xF0 && p[1] < 0x90) return 0;      /* overlong */
	if (c == 0xF4 && p[1] >= 0x90) return 0;     /* above U+10FFFF */
	return n;
}

/* An escape after the backslash at ps->p; appends the decoded bytes at *po. */
static int parse_escape(parser *ps, char **po) {
	char c = ps->zEnd - ps->p > 1 ? ps->p[1] : 0; /* a backslash as the document's last byte (found by fuzz_sbom) */
	unsigned cp, lo;
	static const char azFrom[] = "\"\\/bfnrt", azTo[] = "\"\\/\b\f\n\r\t";
	const char *q = c ? strchr(azFrom, c) : NULL;
	if (q) {
		*(*po)++ = azTo[q - azFrom];
		ps->p += 2;
		return 0;
	}
	if (c != 'u' || ps->zEnd - ps->p < 6 || !hex4(ps->p + 2, &cp)) return fail(ps, KY_EPARSE, "bad escape in a string");
	ps->p += 6;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (ps->zEnd - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' || !hex4(ps->p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
			return fail(ps, KY_EPARSE, "a high surrogate \\u escape without its low half");
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		ps->p += 6;
	} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
		return fail(ps, KY_EPARSE, "a lone low surrogate \\u escape");
	} else if (cp == 0) {
		return fail(ps, KY_EPARSE, "\\u0000 inside a string");
	}
	*po = put_utf8(*po, cp);
	return 0;
}

static int parse_string(parser *ps, uint32_t *pNode) {
	uint32_t i = node_new(ps, VEH_J_STRING);
	if (i == VEH_JNONE) return fail(ps, KY_ENOMEM, "out of memory");
	char *o = ps->zOut, *zStart = o;
	ps->p++;  /* the opening quote */
	for (;;) {
		if (ps->p >= ps->zEnd) return fail(ps, KY_EPARSE, "unterminated string");
		unsigned char c = (unsigned char)*ps->p;
		if (c == '"') break;
		if (c == '\\') {
			int rc = parse_escape(ps, &o);
			if (rc) return rc;
		} else if (c < 0x20) {
			return fail(ps, KY_EPARSE, "a control character inside a string (escape it)");
		} else if (c < 0x80) {
			*o++ = (char)c;
			ps->p++;
		} else {
			int n = utf8_len((const unsigned char *)ps->p, (const unsigned char *)ps->zEnd);
			if (!n) return fail(ps, KY_EPARSE, "invalid UTF-8 in a string");
			memcpy(o, ps->p, (size_t)n);
			o += n;
			ps->p += n;
		}
	}
	ps->p++;
	*o++ = 0;
	ps->zOut = o;
	ps->d->a[i].z = zStart;
	ps->d->a[i].n = (uint32_t)(o - zStart - 1);
	ps->d->a[i].end = i + 1;
	*pNode = i;
	return 0;
}

static int parse_number(parser *ps) {
	const char *s = ps->p, *p = s, *e = ps->zEnd;
	if (p < e && *p == '-') p++;
	if (p < e && *p == '0') p++;
	else if (p < e && *p >= '1' && *p <= '9') while (p < e && *p >= '0' && *p <= '9') p++;
	else return fail(ps, KY_EPARSE, "expected a value");
	if (p < e && *p == '.') {
		p++;
		if (!(p < e && *p >= '0' && *p <= '9')) return fail(ps, KY_EPARSE, "a number needs digits after '.'");
		while (p < e && *p >= '0' && *p <= '9') p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-')) p++;
		if (!(p < e && *p >= '0' && *p <= '9')) return fail(ps, KY_EPARSE, "a number needs digits in its exponent");
		while (p < e && *p >= '0' && *p <= '9') p++;
	}
	uint32_t i = node_new(ps, VEH_J_NUMBER);
	if (i == VEH_JNONE) return fail(ps, KY_ENOMEM, "out of memory");
	ps->d->a[i].z = s;
	ps->d->a[i].n = (uint32_t)(p - s);
	ps->d->a[i].end = i + 1;
	ps->p = p;
	return 0;
}

static int parse_value(parser *ps);

static int key_cmp(const void *a, const void *b) {
	const veh_jnode *x = *(const veh_jnode *const *)a, *y = *(const veh_jnode *const *)b;
	return x->n != y->n ? (x->n < y->n ? -1 : 1) : memcmp(x->z, y->z, x->n);
}

/* Refuses an object with a key twice (quadratic for small objects, sorted above 16 members). */
static int check_duplicates(parser *ps, uint32_t iObj) {
	veh_jdoc *d = ps->d;
	uint32_t n = d->a[iObj].n;
	const veh_jnode *aSmall[16], **ap = n <= 16 ? aSmall : malloc(n * sizeof *ap);
	if (!ap) return fail(ps, KY_ENOMEM, "out of memory");
	uint32_t k = 0;
	for (uint32_t c = iObj + 1; c < d->a[iObj].end; c = d->a[c + 1].end) ap[k++] = &d->a[c];
	assert(k == n);
	const char *zDup = NULL;
	if (n <= 16) {
		for (uint32_t i = 0; i < n && !zDup; i++)
			for (uint32_t j = i + 1; j < n && !zDup; j++)
				if (!key_cmp(&ap[i], &ap[j])) zDup = ap[i]->z;
	} else {
		qsort(ap, n, sizeof *ap, key_cmp);
		for (uint32_t i = 1; i < n && !zDup; i++)
			if (!key_cmp(&ap[i - 1], &ap[i])) zDup = ap[i]->z;
	}
	if (ap != aSmall) free((void *)ap);
	if (!zDup) return 0;
	char zMsg[160];
	snprintf(zMsg, sizeof zMsg, "the key \"%.100s\" appears twice in this object", zDup);
	return fail(ps, KY_EPARSE, zMsg);
}

static int parse_container(parser *ps, int bObj) {
	if (ps->nFrame >= VEH_JDOC_DEPTH) return fail(ps, KY_ELIMIT, "nested deeper than 64 levels");
	uint32_t i = node_new(ps, bObj ? VEH_J_OBJECT : VEH_J_ARRAY);
	if (i == VEH_JNONE) return fail(ps, KY_ENOMEM, "out of memory");
	frame *fr = &ps->aFrame[ps->nFrame++];
	fr->iNode = i;
	fr->iKey = VEH_JNONE;
	fr->nItem = 0;
	char cClose = bObj ? '}' : ']';
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->zEnd && *ps->p == cClose) {
		ps->p++;
	} else {
		for (;;) {
			int rc;
			if (bObj) {
				skip_ws(ps);
				if (ps->p >= ps->zEnd || *ps->p != '"') return fail(ps, KY_EPARSE, "expected a key (a string in double quotes)");
				if ((rc = parse_string(ps, &fr->iKey))) return rc;
				skip_ws(ps);
				if (ps->p >= ps->zEnd || *ps->p != ':') return fail(ps, KY_EPARSE, "expected ':' after the key");
				ps->p++;
			}
			if ((rc = parse_value(ps))) return rc;
			fr->iKey = VEH_JNONE;   /* between members the path names the object */
			ps->d->a[i].n++;
			skip_ws(ps);
			if (ps->p < ps->zEnd && *ps->p == ',') {
				ps->p++;
				fr->nItem++;
				continue;
			}
			if (ps->p < ps->zEnd && *ps->p == cClose) {
				ps->p++;
				break;
			}
			return fail(ps, KY_EPARSE, bObj ? "expected ',' or '}'" : "expected ',' or ']'");
		}
	}
	ps->d->a[i].end = ps->d->n;
	if (bObj && ps->d->a[i].n > 1) {
		int rc = check_duplicates(ps, i);
		if (rc) return rc;
	}
	ps->nFrame--;
	return 0;
}

static int parse_word(parser *ps, const char *zWord, int type) {
	size_t n = strlen(zWord);
	if ((size_t)(ps->zEnd - ps->p) < n || memcmp(ps->p, zWord, n) != 0) return fail(ps, KY_EPARSE, "expected a value");
	uint32_t i = node_new(ps, type);
	if (i == VEH_JNONE) return fail(ps, KY_ENOMEM, "out of memory");
	ps->d->a[i].end = i + 1;
	ps->p += n;
	return 0;
}

static int parse_value(parser *ps) {
	uint32_t iDummy;
	skip_ws(ps);
	if (ps->p >= ps->zEnd) return fail(ps, KY_EPARSE, "unexpected end of the text");
	switch (*ps->p) {
	case '{': return parse_container(ps, 1);
	case '[': return parse_container(ps, 0);
	case '"': return parse_string(ps, &iDummy);
	case 't': return parse_word(ps, "true", VEH_J_TRUE);
	case 'f': return parse_word(ps, "false", VEH_J_FALSE);
	case 'n': return parse_word(ps, "null", VEH_J_NULL);
	default: return parse_number(ps);
	}
}

int veh_jdoc_parse(veh_jdoc *d, const char *zText, size_t nText, ky_err *err) {
	memset(d, 0, sizeof *d);
	if (nText >= UINT32_MAX) return ky_err_set(err, KY_ELIMIT, "JSON text larger than 4 GiB");
	if (nText >= 3 && !memcmp(zText, "\xEF\xBB\xBF", 3)) zText += 3, nText -= 3;
	d->zText = zText;
	d->nText = nText;
	d->zStr = malloc(nText + 1);
	d->nAlloc = nText / 16 > 1024 ? (uint32_t)(nText / 16) : 1024;   /* CycloneDX averages 11-26 bytes a node */
	d->a = malloc((size_t)d->nAlloc * sizeof *d->a);
	if (!d->zStr || !d->a) {
		veh_jdoc_free(d);
		return ky_err_set(err, KY_ENOMEM, "out of memory");
	}
	parser ps = { .d = d, .p = zText, .zEnd = zText + nText, .zOut = d->zStr, .err = err };
	int rc = parse_value(&ps);
	if (!rc) {
		skip_ws(&ps);
		if (ps.p != ps.zEnd) rc = fail(&ps, KY_EPARSE, "text after the end of the JSON value");
	}
	if (rc) {
		veh_jdoc_free(d);
		return rc;
	}
	assert(d->n > 0 && d->a[0].end == d->n);
	return 0;
}

void veh_jdoc_free(veh_jdoc *d) {
	free(d->a);
	free(d->zStr);
	memset(d, 0, sizeof *d);
}

int veh_jdoc_type(const veh_jdoc *d, uint32_t i) { return i < d->n ? d->a[i].type : VEH_J_NULL; }

uint32_t veh_jdoc_first(const veh_jdoc *d, uint32_t i) {
	if (i >= d->n || (d->a[i].type != VEH_J_ARRAY && d->a[i].type != VEH_J_OBJECT) || d->a[i].n == 0) return VEH_JNONE;
	return i + 1;
}

uint32_t veh_jdoc_next(const veh_jdoc *d, uint32_t i, uint32_t c) {
	uint32_t nx = d->a[i].type == VEH_J_OBJECT ? d->a[c + 1].end : d->a[c].end;
	return nx < d->a[i].end ? nx : VEH_JNONE;
}

uint32_t veh_jdoc_get(const veh_jdoc *d, uint32_t i, const char *zKey) {
	if (i >= d->n || d->a[i].type != VEH_J_OBJECT) return VEH_JNONE;
	for (uint32_t c = veh_jdoc_first(d, i); c != VEH_JNONE; c = veh_jdoc_next(d, i, c))
		if (!strcmp(d->a[c].z, zKey)) return c + 1;
	return VEH_JNONE;
}

const char *veh_jdoc_str(const veh_jdoc *d, uint32_t i) {
	return i < d->n && d->a[i].type == VEH_J_STRING ? d->a[i].z : NULL;
}

const char *veh_jdoc_get_str(const veh_jdoc *d, uint32_t i, const char *zKey) {
	return veh_jdoc_str(d, veh_jdoc_get(d, i, zKey));
}

/* The end of the JSON value starting at p (valid: it was parsed), skipping strings. */
static const char *value_end(const char *p, const char *e) {
	int depth = 0;
	do {
		if (*p == '"') {
			for (p++; *p != '"'; p++)
				if (*p == '\\') p++;
			p++;
		} else if (*p == '{' || *p == '[') {
			depth++, p++;
		} else if (*p == '}' || *p == ']') {
			depth--, p++;
		} else if (depth == 0) {
			while (p < e && !strchr(",]} \t\r\n", *p)) p++;
		} else {
			p++;
		}
	} while (depth > 0 && p < e);
	return p;
}

const char *veh_jdoc_raw(const veh_jdoc *d, uint32_t i, size_t *pLen) {
	assert(i < d->n);
	const char *s = d->zText + d->a[i].off, *e = d->zText + d->nText;
	*pLen = (size_t)(value_end(s, e) - s);
	return s;
}

int veh_jdoc_int(const veh_jdoc *d, uint32_t i, long long *pOut) {
	if (i >= d->n || d->a[i].type != VEH_J_NUMBER || d->a[i].n > 18) return 0;
	char z[20];
	memcpy(z, d->a[i].z, d->a[i].n);
	z[d->a[i].n] = 0;
	char *e;
	long long v = strtoll(z, &e, 10);
	if (*e) return 0;
	*pOut = v;
	return 1;
}

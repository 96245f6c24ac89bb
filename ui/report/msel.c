/* msel (report): see msel.h. */
#include "ui/report/msel.h"

#include <stdlib.h>
#include <string.h>

#include "ui/report/find.h"

/* A CSV field: quoted when it holds a comma, a quote, a line break or edge spaces; quotes doubled (RFC 4180). */
static void field(rep_buf *b, const char *z) {
	if (!z) z = "";
	size_t n = strlen(z);
	int bQuote = n > 0 && (z[0] == ' ' || z[n - 1] == ' ');
	for (const char *p = z; *p && !bQuote; p++) bQuote = *p == ',' || *p == '"' || *p == '\n' || *p == '\r';
	if (!bQuote) {
		rep_buf_add(b, z, n);
		return;
	}
	rep_buf_puts(b, "\"");
	for (const char *p = z; *p; p++) {
		if (*p == '"') rep_buf_puts(b, "\"\"");
		else rep_buf_add(b, p, 1);
	}
	rep_buf_puts(b, "\"");
}

/* A plain word: written bare, read back as the same string (no space, quote, '=', bracket, and not a literal
 * or a number, which would read back as another type). */
static int plain_word(const char *z) {
	if (!*z || !strcmp(z, "true") || !strcmp(z, "false") || !strcmp(z, "null")) return 0;
	for (const char *p = z; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '"' || *p == '=' || *p == '[' || *p == ']' ||
		    *p == '{' || *p == '}' || *p == ',')
			return 0;
	}
	char *zEnd;
	strtod(z, &zEnd);
	return *zEnd != 0; /* a number-like word would read back as a number */
}

static void arg_value(rep_buf *b, json_t *v) {
	if (json_is_string(v) && plain_word(json_string_value(v))) {
		rep_buf_puts(b, json_string_value(v));
		return;
	}
	char *z = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
	rep_buf_puts(b, z ? z : "null");
	free(z);
}

static int key_cmp(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* key=value pairs of an object, nested objects flattened to dotted keys (sorted, for a stable text). */
static void arg_pairs(rep_buf *b, const char *zPrefix, json_t *o) {
	size_t n = json_object_size(o), i = 0;
	const char **az = malloc((n ? n : 1) * sizeof *az);
	const char *k;
	json_t *v;
	if (!az) {
		b->bOom = 1;
		return;
	}
	json_object_foreach(o, k, v) az[i++] = k;
	qsort(az, n, sizeof *az, key_cmp);
	for (i = 0; i < n; i++) {
		v = json_object_get(o, az[i]);
		char zKey[256];
		snprintf(zKey, sizeof zKey, "%s%s%s", zPrefix, *zPrefix ? "." : "", az[i]);
		if (json_is_object(v) && json_object_size(v) > 0) {
			arg_pairs(b, zKey, v);
			continue;
		}
		rep_buf_printf(b, " %s=", zKey);
		arg_value(b, v);
	}
	free(az);
}

void rep_msel_action(rep_buf *b, const char *zKind, json_t *args) {
	rep_buf_puts(b, zKind);
	if (json_is_object(args)) arg_pairs(b, "", args);
}

/* ---- rows ---- */

/* When an inject is (or was) sent: its `at`, else the time of its first delivery, else -1 (never sent). */
static long long inject_time(const rep_data *d, json_t *p) {
	long long at = json_integer_value(json_object_get(p, "at_us"));
	if (at >= 0) return at;
	json_t *sent = json_object_get(d->injects, json_string_value(json_object_get(p, "id")));
	return sent ? json_integer_value(json_object_get(sent, "t_us")) : -1;
}

typedef struct msel_row { long long t; size_t i; } msel_row;

static int row_cmp(const void *pa, const void *pb) {
	const msel_row *a = pa, *b = pb;
	if (a->t != b->t) return a->t < b->t ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

static void time_field(rep_buf *b, long long us) {
	char z[40];
	field(b, us >= 0 ? eng_time_format(us, z, sizeof z) : "");
}

/* The notes of an inject row: its own, else where it came from when it was not declared with a time. */
static char *inject_notes(json_t *p, rep_lang lang) {
	const char *z = json_string_value(json_object_get(p, "notes"));
	if (z) return strdup(z);
	if (json_integer_value(json_object_get(p, "at_us")) >= 0) return strdup("");
	char zLine[32];
	long long line = json_integer_value(json_object_get(p, "line"));
	snprintf(zLine, sizeof zLine, "%lld", line);
	return line > 0 ? rep_msg_str(lang, "msel.from_callback", "line", zLine, NULL) : rep_msg_str(lang, "msel.adhoc", NULL);
}

/* One row: the inject's columns (bFirst) or only its id, time and recipients, then expectation e (may be NULL). */
static void row(rep_buf *b, json_t *p, long long t, int bFirst, json_t *e, rep_lang lang) {
	char z[64];
	field(b, json_string_value(json_object_get(p, "id")));
	rep_buf_puts(b, ",");
	time_field(b, t);
	rep_buf_puts(b, ",");
	rep_buf to;
	rep_buf_init(&to);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(p, "to"), i, v) {
		if (i) rep_buf_puts(&to, " ");
		rep_buf_puts(&to, json_string_value(v));
	}
	field(b, to.z);
	rep_buf_free(&to);
	rep_buf_puts(b, ",");
	field(b, bFirst ? json_string_value(json_object_get(p, "severity")) : "");
	rep_buf_puts(b, ",");
	field(b, bFirst ? json_string_value(json_object_get(p, "title")) : "");
	rep_buf_puts(b, ",");
	field(b, bFirst ? json_string_value(json_object_get(p, "body")) : "");
	rep_buf_puts(b, ",");
	if (e) {
		rep_buf act;
		rep_buf_init(&act);
		rep_msel_action(&act, json_string_value(json_object_get(e, "action")), json_object_get(e, "args"));
		field(b, act.z);
		if (act.bOom) b->bOom = 1;
		rep_buf_free(&act);
		rep_buf_puts(b, ",");
		field(b, json_string_value(json_object_get(e, "team")));
		rep_buf_puts(b, ",");
		time_field(b, json_integer_value(json_object_get(e, "within_us")));
		rep_buf_puts(b, ",");
		snprintf(z, sizeof z, "%g", json_number_value(json_object_get(e, "points")));
		field(b, z);
		rep_buf_puts(b, ",");
		const char *zObj = json_string_value(json_object_get(e, "objective"));
		field(b, zObj ? zObj : rep_msg(lang, rep_find_objective_key(json_string_value(json_object_get(e, "action")))));
		rep_buf_puts(b, ",");
		field(b, json_string_value(json_object_get(e, "notes")));
	} else {
		rep_buf_puts(b, ",,,,,");
		char *zNotes = inject_notes(p, lang);
		field(b, zNotes);
		free(zNotes);
	}
	rep_buf_puts(b, "\r\n");
}

int rep_msel_csv(rep_buf *b, const rep_data *d, rep_lang lang, ky_err *err) {
	size_t n = json_array_size(d->plan);
	msel_row *a = malloc((n ? n : 1) * sizeof *a);
	if (!a) return ky_err_set(err, KY_ENOMEM, "msel: out of memory");
	for (size_t i = 0; i < n; i++) a[i] = (msel_row){ inject_time(d, json_array_get(d->plan, i)), i };
	qsort(a, n, sizeof *a, row_cmp);
	rep_buf_puts(b, "\xEF\xBB\xBF" REP_MSEL_HEADER "\r\n");
	for (size_t k = 0; k < n; k++) {
		json_t *p = json_array_get(d->plan, a[k].i);
		json_t *ex = json_object_get(p, "expects");
		if (json_array_size(ex) == 0) row(b, p, a[k].t, 1, NULL, lang);
		for (size_t i = 0; i < json_array_size(ex); i++) row(b, p, a[k].t, i == 0, json_array_get(ex, i), lang);
	}
	free(a);
	if (b->bOom) return ky_err_set(err, KY_ENOMEM, "msel: out of memory");
	return 0;
}

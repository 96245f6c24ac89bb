/* msel (scenarios): see msel.h. Three steps: the CSV into records (csv_*), the records into injects with their
 * expectations (rows_*: every check that names a row and a column), the injects into Lua text (lua_*), which is
 * then loaded as `kyodo check` loads a scenario; a line of the text that the check refuses is traced back to the
 * row and column it came from. */
#include "scenarios/msel.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/opt.h"
#include "engine/time.h"
#include "scenarios/drill.h"
#include "vehicles/action.h"
#include "vehicles/fleet.h"
#include "vehicles/world.h"

#define MSEL_MAX_BYTES (16 << 20)

/* ---- CSV (RFC 4180) ---------------------------------------------------------------------------------- */

/* Whether the n bytes at z are valid UTF-8. */
static int utf8_ok(const unsigned char *z, size_t n) {
	for (size_t i = 0; i < n;) {
		unsigned c = z[i];
		size_t k = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 9;
		if (k == 9 || i + k >= n + (k == 0)) return 0;
		for (size_t j = 1; j <= k; j++) if ((z[i + j] & 0xC0) != 0x80) return 0;
		i += k + 1;
	}
	return 1;
}

typedef struct csv {
	const char *z;
	size_t n, i;
	int row;        /* spreadsheet row of the record being read (1 = the header) */
	json_t *rec;    /* the record being read */
	json_t *out;
	int *aRow;
	size_t nRow, nRowCap;
} csv;

static int csv_field_end(const csv *c) {
	return c->i >= c->n || c->z[c->i] == ',' || c->z[c->i] == '\n' || c->z[c->i] == '\r';
}

/* One field at c->i into c->rec. 0, or KY_EPARSE with err. */
static int csv_field(csv *c, ky_err *err) {
	int col = (int)json_array_size(c->rec) + 1;
	size_t start = c->i;
	char *buf = NULL;
	size_t nBuf = 0;
	if (c->i < c->n && c->z[c->i] == '"') {
		buf = malloc(c->n - c->i + 1);
		if (!buf) return ky_err_set(err, KY_ENOMEM, "out of memory");
		for (c->i++;; c->i++) {
			if (c->i >= c->n) {
				free(buf);
				return ky_err_set(err, KY_EPARSE, "%d:%d: bad quoting: the quoted field is not closed", c->row, col);
			}
			if (c->z[c->i] == '\r' && c->i + 1 < c->n && c->z[c->i + 1] == '\n') continue; /* CRLF in a cell: LF */
			if (c->z[c->i] == '"') {
				if (c->i + 1 < c->n && c->z[c->i + 1] == '"') {
					buf[nBuf++] = '"';
					c->i++;
					continue;
				}
				c->i++;
				break;
			}
			buf[nBuf++] = c->z[c->i];
		}
		if (!csv_field_end(c)) {
			free(buf);
			return ky_err_set(err, KY_EPARSE, "%d:%d: bad quoting: text after the closing quote (a quote inside a quoted "
			                  "field is written twice: \"\")", c->row, col);
		}
	} else {
		while (!csv_field_end(c)) {
			if (c->z[c->i] == '"') {
				return ky_err_set(err, KY_EPARSE, "%d:%d: bad quoting: a quote inside an unquoted field (quote the whole "
				                  "field and write the quote twice)", c->row, col);
			}
			c->i++;
		}
		buf = malloc(c->i - start + 1);
		if (!buf) return ky_err_set(err, KY_ENOMEM, "out of memory");
		nBuf = c->i - start;
		memcpy(buf, c->z + start, nBuf);
	}
	buf[nBuf] = 0;
	if (!utf8_ok((const unsigned char *)buf, nBuf)) {
		free(buf);
		return ky_err_set(err, KY_EPARSE, "%d:%d: not UTF-8 (save the spreadsheet as \"CSV UTF-8\")", c->row, col);
	}
	json_array_append_new(c->rec, json_stringn(buf, nBuf));
	free(buf);
	return 0;
}

/* Ends the record at c->i (after its last field): keeps it unless it is a blank line. */
static int csv_record_end(csv *c, ky_err *err) {
	int bBlank = json_array_size(c->rec) == 1 && json_string_length(json_array_get(c->rec, 0)) == 0;
	if (!bBlank) {
		if (c->nRow == c->nRowCap) {
			size_t nCap = c->nRowCap ? 2 * c->nRowCap : 64;
			int *a = realloc(c->aRow, nCap * sizeof *a);
			if (!a) return ky_err_set(err, KY_ENOMEM, "out of memory");
			c->aRow = a;
			c->nRowCap = nCap;
		}
		c->aRow[c->nRow++] = c->row;
		json_array_append(c->out, c->rec);
	}
	json_decref(c->rec);
	c->rec = json_array();
	/* the line break: CRLF, LF or a lone CR; a quoted field's line breaks do not count as rows */
	if (c->i < c->n && c->z[c->i] == '\r') c->i++;
	if (c->i < c->n && c->z[c->i] == '\n') c->i++;
	c->row++;
	return 0;
}

json_t *scn_msel_csv_parse(const char *z, size_t n, int **paRow, ky_err *err) {
	csv c = { .z = z, .n = n, .row = 1 };
	if (n >= 3 && !memcmp(z, "\xEF\xBB\xBF", 3)) c.i = 3;
	c.out = json_array();
	c.rec = json_array();
	int rc = 0;
	while (rc == 0 && c.i < c.n) {
		rc = csv_field(&c, err);
		if (rc) break;
		if (c.i < c.n && c.z[c.i] == ',') {
			c.i++;
			if (c.i >= c.n) rc = csv_field(&c, err); /* a trailing comma at the end of the file: an empty field */
			continue;
		}
		rc = csv_record_end(&c, err);
	}
	if (rc == 0 && json_array_size(c.rec) > 0) rc = csv_record_end(&c, err);
	json_decref(c.rec);
	if (rc) {
		json_decref(c.out);
		free(c.aRow);
		return NULL;
	}
	*paRow = c.aRow;
	return c.out;
}

/* ---- expected_action: kind key=value ... ------------------------------------------------------------- */

/* The end of a value token starting at p: a JSON string, a bracketed JSON value, or a bare word. */
static const char *value_end(const char *p) {
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) if (*p == '\\' && p[1]) p++;
		return *p ? p + 1 : p;
	}
	if (*p == '[' || *p == '{') {
		int depth = 0, bStr = 0;
		for (; *p; p++) {
			if (bStr) {
				if (*p == '\\' && p[1]) p++;
				else if (*p == '"') bStr = 0;
			} else if (*p == '"') bStr = 1;
			else if (*p == '[' || *p == '{') depth++;
			else if ((*p == ']' || *p == '}') && --depth == 0) return p + 1;
		}
		return p;
	}
	while (*p && !isspace((unsigned char)*p)) p++;
	return p;
}

/* A value token as JSON (new ref), or NULL when it is not valid. */
static json_t *value_json(const char *z, size_t n) {
	if (n > 0 && (z[0] == '"' || z[0] == '[' || z[0] == '{')) return json_loadb(z, n, JSON_DECODE_ANY, NULL);
	if ((n == 4 && !strncmp(z, "true", 4)) || (n == 5 && !strncmp(z, "false", 5))) return json_boolean(z[0] == 't');
	if (n == 4 && !strncmp(z, "null", 4)) return json_null();
	char *zTok = strndup(z, n), *zEnd;
	if (!zTok) return NULL;
	errno = 0;
	double v = strtod(zTok, &zEnd);
	json_t *j;
	if (n > 0 && *zEnd == 0 && errno == 0) { /* a whole number token: a number, integer when it is one */
		long long i = strtoll(zTok, &zEnd, 10);
		j = *zEnd == 0 ? json_integer(i) : json_real(v);
	} else {
		j = json_stringn(z, n);
	}
	free(zTok);
	return j;
}

/* Sets the dotted key zKey of obj to v (stolen), creating the nested objects. */
static int set_dotted(json_t *obj, const char *zKey, json_t *v) {
	const char *zDot = strchr(zKey, '.');
	if (!zDot) return json_object_set_new(obj, zKey, v);
	char *zHead = strndup(zKey, (size_t)(zDot - zKey));
	json_t *sub = zHead ? json_object_get(obj, zHead) : NULL;
	if (zHead && !sub) {
		sub = json_object();
		json_object_set_new(obj, zHead, sub);
	}
	int rc = zHead && json_is_object(sub) ? set_dotted(sub, zDot + 1, v) : (json_decref(v), -1);
	free(zHead);
	return rc;
}

int scn_msel_parse_action(const char *z, char **pzKind, json_t **pArgs, ky_err *err) {
	while (isspace((unsigned char)*z)) z++;
	const char *p = z;
	while (*p && !isspace((unsigned char)*p)) p++;
	char *zKind = strndup(z, (size_t)(p - z));
	json_t *args = json_object();
	if (!zKind || !args) {
		free(zKind);
		json_decref(args);
		return ky_err_set(err, KY_ENOMEM, "out of memory");
	}
	for (;;) {
		while (isspace((unsigned char)*p)) p++;
		if (!*p) break;
		const char *zEq = p;
		while (*zEq && *zEq != '=' && !isspace((unsigned char)*zEq)) zEq++;
		if (*zEq != '=' || zEq == p) {
			const char *zTok = p;
			while (*p && !isspace((unsigned char)*p)) p++;
			ky_err_set(err, KY_EPARSE, "'%.*s' is not key=value (e.g. block_indicator value=198.51.100.23)", (int)(p - zTok), zTok);
			goto fail;
		}
		char *zKey = strndup(p, (size_t)(zEq - p));
		const char *zVal = zEq + 1, *zEnd = value_end(zVal);
		json_t *v = zEnd > zVal ? value_json(zVal, (size_t)(zEnd - zVal)) : NULL;
		if (!zKey || !v || (*zEnd && !isspace((unsigned char)*zEnd)) || zKey[strlen(zKey) - 1] == '.' || zKey[0] == '.') {
			ky_err_set(err, KY_EPARSE, "%s: the value '%.*s' is not a word, a \"quoted string\", a number or a JSON list",
			           zKey ? zKey : "?", (int)(value_end(zVal) - zVal), zVal);
			free(zKey);
			json_decref(v);
			goto fail;
		}
		if (set_dotted(args, zKey, v) != 0) {
			ky_err_set(err, KY_EPARSE, "%s: given twice, or both as a value and as an object", zKey);
			free(zKey);
			goto fail;
		}
		free(zKey);
		p = zEnd;
	}
	*pzKind = zKind;
	*pArgs = args;
	return 0;
fail:
	free(zKind);
	json_decref(args);
	return err ? err->code : KY_EPARSE;
}

/* ---- records -> injects ------------------------------------------------------------------------------ */

enum { C_EVENT, C_TIME, C_TO, C_SEVERITY, C_TITLE, C_BODY, C_ACTION, C_TEAM, C_WITHIN, C_POINTS, C_OBJECTIVE, C_NOTES, C_N };
static const char *const azCol[C_N] = { "event", "time", "to", "severity", "title", "body", "expected_action",
	                                    "expected_team", "within", "points", "objective", "notes" };

typedef struct msel {
	const char *zCsv;     /* the file, for messages */
	json_t *recs;         /* the CSV's records (header first) */
	int *aRow;            /* each record's spreadsheet row */
	int aCol[C_N];        /* field index of each known column, -1 if absent */
	json_t *injects;      /* [{"id","row","at_us","to":[..],"severity","title","body","notes"?,"expects":[..]}] */
	json_t *teams;        /* team ids in first-seen order */
	ky_err *err;
} msel;

/* "FILE.csv:ROW:COLUMN: message"; returns KY_EPARSE. */
static int fail_at(msel *m, int row, int col, const char *zFmt, ...) __attribute__((format(printf, 4, 5)));
static int fail_at(msel *m, int row, int col, const char *zFmt, ...) {
	char zMsg[400];
	va_list ap;
	va_start(ap, zFmt);
	vsnprintf(zMsg, sizeof zMsg, zFmt, ap);
	va_end(ap);
	return ky_err_set(m->err, KY_EPARSE, "%s:%d:%s: %s", m->zCsv, row, col >= 0 ? azCol[col] : "?", zMsg);
}

/* The header: known columns by name (trimmed, case-insensitive), required ones present, none twice. */
static int read_header(msel *m) {
	json_t *h = json_array_get(m->recs, 0);
	for (int k = 0; k < C_N; k++) m->aCol[k] = -1;
	size_t i;
	json_t *v;
	json_array_foreach(h, i, v) {
		char zName[64];
		const char *z = json_string_value(v);
		while (isspace((unsigned char)*z)) z++;
		snprintf(zName, sizeof zName, "%s", z);
		for (size_t n = strlen(zName); n > 0 && isspace((unsigned char)zName[n - 1]); n--) zName[n - 1] = 0;
		for (int k = 0; k < C_N; k++) {
			if (strcasecmp(zName, azCol[k])) continue;
			if (m->aCol[k] >= 0) return fail_at(m, 1, k, "the column is given twice (columns %d and %zu)", m->aCol[k] + 1, i + 1);
			m->aCol[k] = (int)i;
		}
	}
	static const int aReq[] = { C_TIME, C_TO, C_TITLE };
	for (size_t k = 0; k < sizeof aReq / sizeof aReq[0]; k++) {
		if (m->aCol[aReq[k]] < 0) return fail_at(m, 1, aReq[k], "missing column (the header needs at least time, to and title)");
	}
	return 0;
}

/* Field k of record r, trimmed of surrounding spaces (a pointer into a static buffer pool is not needed:
 * jansson's strings live as long as the records). */
static const char *cell(msel *m, json_t *r, int k, char *zBuf, size_t nBuf) {
	if (m->aCol[k] < 0) return "";
	const char *z = json_string_value(json_array_get(r, (size_t)m->aCol[k]));
	if (!z) return "";
	if (k == C_BODY || k == C_TITLE || k == C_NOTES) return z; /* free text keeps its spaces */
	while (isspace((unsigned char)*z)) z++;
	snprintf(zBuf, nBuf, "%s", z);
	for (size_t n = strlen(zBuf); n > 0 && isspace((unsigned char)zBuf[n - 1]); n--) zBuf[n - 1] = 0;
	return zBuf;
}

static int team_id_ok(const char *z) {
	if (!*z || strlen(z) > 64) return 0;
	for (; *z; z++) if (!(isalnum((unsigned char)*z) || *z == '_' || *z == '-' || *z == '.')) return 0;
	return 1;
}

/* First pass: every team named in a `to` column, in order. */
static int collect_teams(msel *m) {
	char zBuf[1024];
	for (size_t i = 1; i < json_array_size(m->recs); i++) {
		const char *z = cell(m, json_array_get(m->recs, i), C_TO, zBuf, sizeof zBuf);
		char *zCopy = strdup(z), *zSave = NULL;
		if (!zCopy) return ky_err_set(m->err, KY_ENOMEM, "out of memory");
		for (char *t = strtok_r(zCopy, " ,;\t", &zSave); t; t = strtok_r(NULL, " ,;\t", &zSave)) {
			if (!strcasecmp(t, "all")) continue;
			if (!team_id_ok(t)) { /* the message quotes t, inside zCopy: freed after (found by fuzz_msel) */
				int rc = fail_at(m, m->aRow[i], C_TO, "'%s' is not a team id (letters, digits, '_', '-', '.'; several "
				                 "separated by spaces; or all)", t);
				free(zCopy);
				return rc;
			}
			int bSeen = 0;
			size_t k;
			json_t *v;
			json_array_foreach(m->teams, k, v) bSeen |= !strcmp(json_string_value(v), t);
			if (!bSeen) json_array_append_new(m->teams, json_string(t));
		}
		free(zCopy);
	}
	if (json_array_size(m->teams) == 0) {
		return fail_at(m, json_array_size(m->recs) > 1 ? m->aRow[1] : 1, C_TO, "no team is named in any row (`to` needs team ids)");
	}
	return 0;
}

static json_t *find_inject(msel *m, const char *zId) {
	size_t i;
	json_t *v;
	json_array_foreach(m->injects, i, v) if (!strcmp(json_string_value(json_object_get(v, "id")), zId)) return v;
	return NULL;
}

/* `to` of a row as a list of team ids ("all": every team). */
static json_t *parse_to(msel *m, const char *z) {
	json_t *to = json_array();
	char *zCopy = strdup(z), *zSave = NULL;
	for (char *t = zCopy ? strtok_r(zCopy, " ,;\t", &zSave) : NULL; t; t = strtok_r(NULL, " ,;\t", &zSave)) {
		if (!strcasecmp(t, "all")) {
			json_array_clear(to);
			json_array_extend(to, m->teams);
			break;
		}
		json_array_append_new(to, json_string(t));
	}
	free(zCopy);
	return to;
}

/* The expectation of a row (when it has an expected_action) appended to inj's expects. */
static int row_expect(msel *m, json_t *r, int row, json_t *inj) {
	char zBuf[4096], zB2[256], zB3[256];
	const char *zAct = cell(m, r, C_ACTION, zBuf, sizeof zBuf);
	const char *zTeam = cell(m, r, C_TEAM, zB2, sizeof zB2);
	if (!*zAct) {
		static const int aOnly[] = { C_TEAM, C_WITHIN, C_POINTS, C_OBJECTIVE };
		for (size_t k = 0; k < sizeof aOnly / sizeof aOnly[0]; k++) {
			if (*cell(m, r, aOnly[k], zB3, sizeof zB3)) return fail_at(m, row, aOnly[k], "given without an expected_action");
		}
		return 0;
	}
	char *zKind = NULL;
	json_t *args = NULL;
	ky_err e = { 0 };
	if (scn_msel_parse_action(zAct, &zKind, &args, &e)) return fail_at(m, row, C_ACTION, "%s", e.zMsg);
	json_t *x = json_pack("{s:s,s:o,s:i}", "action", zKind, "args", args, "row", row);
	json_array_append_new(json_object_get(inj, "expects"), x);
	int bKnown = veh_action_find(zKind) != NULL;
	free(zKind);
	if (!bKnown) {
		return fail_at(m, row, C_ACTION, "unknown action kind '%s' (known: %s)", json_string_value(json_object_get(x, "action")),
		               veh_action_names());
	}
	json_t *to = json_object_get(inj, "to");
	if (!*zTeam) {
		if (json_array_size(to) != 1) return fail_at(m, row, C_TEAM, "the inject goes to several teams: name the team expected to act");
		zTeam = json_string_value(json_array_get(to, 0));
	}
	int bTeam = 0;
	size_t k;
	json_t *v;
	json_array_foreach(m->teams, k, v) bTeam |= !strcmp(json_string_value(v), zTeam);
	if (!bTeam) return fail_at(m, row, C_TEAM, "unknown team '%s' (teams are those named in `to`)", zTeam);
	json_object_set_new(x, "team", json_string(zTeam));
	eng_time_t within = 0;
	const char *zWithin = cell(m, r, C_WITHIN, zB3, sizeof zB3);
	if (!*zWithin) return fail_at(m, row, C_WITHIN, "required with an expected_action (e.g. 1h or 01:00:00)");
	if (eng_time_parse(zWithin, &within, &e) || within <= 0) return fail_at(m, row, C_WITHIN, "%s", within <= 0 && !e.code ? "must be > 0" : e.zMsg);
	json_object_set_new(x, "within_us", json_integer(within));
	const char *zPts = cell(m, r, C_POINTS, zB3, sizeof zB3);
	char *zEnd;
	double pts = *zPts ? strtod(zPts, &zEnd) : 10;
	if (*zPts && (*zEnd || pts < 0 || pts != pts)) return fail_at(m, row, C_POINTS, "'%s' is not a number >= 0", zPts);
	json_object_set_new(x, "points", json_real(pts));
	const char *zObj = cell(m, r, C_OBJECTIVE, zB3, sizeof zB3);
	if (*zObj) json_object_set_new(x, "objective", json_string(zObj));
	const char *zNotes = cell(m, r, C_NOTES, zBuf, sizeof zBuf);
	if (*zNotes) json_object_set_new(x, "notes", json_string(zNotes));
	return 0;
}

/* A row that starts an inject. */
static int row_inject(msel *m, json_t *r, int row, const char *zId) {
	char zBuf[1024], zSev[64];
	ky_err e = { 0 };
	eng_time_t at = 0;
	const char *zTime = cell(m, r, C_TIME, zBuf, sizeof zBuf);
	if (!*zTime) return fail_at(m, row, C_TIME, "required (e.g. 00:10:00, 10m or 600)");
	if (eng_time_parse(zTime, &at, &e)) return fail_at(m, row, C_TIME, "%s", e.zMsg);
	json_t *to = parse_to(m, cell(m, r, C_TO, zBuf, sizeof zBuf));
	if (json_array_size(to) == 0) {
		json_decref(to);
		return fail_at(m, row, C_TO, "required: team ids separated by spaces, or all");
	}
	snprintf(zSev, sizeof zSev, "%s", cell(m, r, C_SEVERITY, zBuf, sizeof zBuf));
	for (char *p = zSev; *p; p++) *p = (char)tolower((unsigned char)*p);
	if (!*zSev) snprintf(zSev, sizeof zSev, "medium");
	static const char *const azSev[] = { "info", "low", "medium", "high", "critical" };
	int bSev = 0;
	for (size_t k = 0; k < 5; k++) bSev |= !strcmp(zSev, azSev[k]);
	if (!bSev) {
		json_decref(to);
		return fail_at(m, row, C_SEVERITY, "'%s' (known: info, low, medium, high, critical)", zSev);
	}
	/* a row shorter than the header has no body field at all: "" (it read as "out of memory"; found by fuzz_msel) */
	const char *zBody = m->aCol[C_BODY] >= 0 ? json_string_value(json_array_get(r, (size_t)m->aCol[C_BODY])) : "";
	json_t *inj = json_pack("{s:s,s:i,s:I,s:o,s:s,s:s,s:s,s:[]}", "id", zId, "row", row, "at_us", (json_int_t)at, "to", to,
	                        "severity", zSev, "title", cell(m, r, C_TITLE, zBuf, sizeof zBuf), "body", zBody ? zBody : "",
	                        "expects");
	if (!inj) return ky_err_set(m->err, KY_ENOMEM, "out of memory");
	json_array_append_new(m->injects, inj);
	int rc = row_expect(m, r, row, inj);
	if (rc == 0 && !json_array_size(json_object_get(inj, "expects"))) {
		const char *zNotes = cell(m, r, C_NOTES, zBuf, sizeof zBuf);
		if (*zNotes) json_object_set_new(inj, "notes", json_string(zNotes));
	}
	return rc;
}

static int id_ok(const char *z) {
	if (!*z || strlen(z) > 64) return 0;
	for (; *z; z++) if (!(isalnum((unsigned char)*z) || *z == '_' || *z == '-' || *z == '.' || *z == ':')) return 0;
	return 1;
}

/* Second pass: every data row becomes an inject or continues one. */
static int read_rows(msel *m) {
	char zId[128], zBuf[1024];
	for (size_t i = 1; i < json_array_size(m->recs); i++) {
		json_t *r = json_array_get(m->recs, i);
		int row = m->aRow[i], rc;
		snprintf(zId, sizeof zId, "%s", cell(m, r, C_EVENT, zBuf, sizeof zBuf));
		const char *zTitle = cell(m, r, C_TITLE, zBuf, sizeof zBuf);
		int bTitle = zTitle[strspn(zTitle, " \t")] != 0;
		if (json_array_size(r) > json_array_size(json_array_get(m->recs, 0)) &&
		    json_string_length(json_array_get(r, json_array_size(r) - 1)) > 0) {
			return fail_at(m, row, -1, "more fields (%zu) than the header has columns (%zu): a comma in an unquoted field?",
			               json_array_size(r), json_array_size(json_array_get(m->recs, 0)));
		}
		if (!*zId && !bTitle) return fail_at(m, row, C_EVENT, "a row without a title continues an inject: give its event id");
		if (*zId && !id_ok(zId)) return fail_at(m, row, C_EVENT, "'%s' is not an inject id (letters, digits, '_', '-', '.', ':')", zId);
		if (!*zId) snprintf(zId, sizeof zId, "R%d", row);
		json_t *inj = find_inject(m, zId);
		if (inj && bTitle) return fail_at(m, row, C_TITLE, "inject '%s' already starts at row %lld; its further rows leave title empty",
		                                  zId, (long long)json_integer_value(json_object_get(inj, "row")));
		if (!inj && !bTitle) return fail_at(m, row, C_TITLE, "required on the first row of inject '%s'", zId);
		if (!inj) {
			rc = row_inject(m, r, row, zId);
		} else {
			eng_time_t at = 0;
			ky_err e = { 0 };
			const char *zTime = cell(m, r, C_TIME, zBuf, sizeof zBuf);
			if (*zTime && (eng_time_parse(zTime, &at, &e) || at != json_integer_value(json_object_get(inj, "at_us")))) {
				return fail_at(m, row, C_TIME, "%s", e.code ? e.zMsg : "differs from the inject's first row (leave it empty or the same)");
			}
			rc = row_expect(m, r, row, inj);
		}
		if (rc) return rc;
	}
	if (json_array_size(m->injects) == 0) return fail_at(m, 2, C_TITLE, "no inject: the file has a header and no row");
	return 0;
}

/* ---- injects -> Lua ---------------------------------------------------------------------------------- */

/* The Lua text being written, and where each of its lines came from (row, column) for the check's messages. */
typedef struct lua_out {
	char *z;
	size_t n, nCap;
	int bOom;
	int nLine;               /* lines written so far */
	int (*aSrc)[2];          /* per line: spreadsheet row, column (-1: generated) */
	int nSrcCap;
	int row, col;            /* the source of what is being written */
} lua_out;

static void out_add(lua_out *o, const char *z, size_t n) {
	if (o->bOom) return;
	if (o->n + n + 1 > o->nCap) {
		size_t nCap = o->nCap ? o->nCap : 4096;
		while (nCap < o->n + n + 1) nCap *= 2;
		char *p = realloc(o->z, nCap);
		if (!p) {
			o->bOom = 1;
			return;
		}
		o->z = p;
		o->nCap = nCap;
	}
	for (size_t i = 0; i < n; i++) {
		if (z[i] != '\n') continue;
		if (o->nLine >= o->nSrcCap) {
			int nCap = o->nSrcCap ? 2 * o->nSrcCap : 256;
			int (*a)[2] = realloc(o->aSrc, (size_t)nCap * sizeof *a);
			if (!a) {
				o->bOom = 1;
				return;
			}
			o->aSrc = a;
			o->nSrcCap = nCap;
		}
		o->aSrc[o->nLine][0] = o->row;
		o->aSrc[o->nLine][1] = o->col;
		o->nLine++;
	}
	memcpy(o->z + o->n, z, n);
	o->n += n;
	o->z[o->n] = 0;
}

static void out_puts(lua_out *o, const char *z) { out_add(o, z, strlen(z)); }

static void out_printf(lua_out *o, const char *zFmt, ...) __attribute__((format(printf, 2, 3)));
static void out_printf(lua_out *o, const char *zFmt, ...) {
	char zSmall[512];
	va_list ap;
	va_start(ap, zFmt);
	int n = vsnprintf(zSmall, sizeof zSmall, zFmt, ap);
	va_end(ap);
	if (n < 0) return;
	if ((size_t)n < sizeof zSmall) {
		out_add(o, zSmall, (size_t)n);
		return;
	}
	char *z = malloc((size_t)n + 1);
	if (!z) {
		o->bOom = 1;
		return;
	}
	va_start(ap, zFmt);
	vsnprintf(z, (size_t)n + 1, zFmt, ap);
	va_end(ap);
	out_add(o, z, (size_t)n);
	free(z);
}

/* A Lua string literal: "..." with \\, \", \n, \r, \t and other control bytes as \ddd; UTF-8 passes through. */
static void out_str(lua_out *o, const char *z) {
	out_puts(o, "\"");
	for (const unsigned char *p = (const unsigned char *)z; *p; p++) {
		if (*p == '\\' || *p == '"') out_printf(o, "\\%c", *p);
		else if (*p == '\n') out_puts(o, "\\n");
		else if (*p == '\r') out_puts(o, "\\r");
		else if (*p == '\t') out_puts(o, "\\t");
		else if (*p < 0x20 || *p == 0x7f) out_printf(o, "\\%03d", *p);
		else out_add(o, (const char *)p, 1);
	}
	out_puts(o, "\"");
}

static int lua_name_ok(const char *z) {
	static const char *const azReserved[] = { "and", "break", "do", "else", "elseif", "end", "false", "for", "function",
		"goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while", NULL };
	if (!*z || isdigit((unsigned char)*z)) return 0;
	for (const char *p = z; *p; p++) if (!(isalnum((unsigned char)*p) || *p == '_')) return 0;
	for (int i = 0; azReserved[i]; i++) if (!strcmp(z, azReserved[i])) return 0;
	return 1;
}

/* A JSON value as a Lua constructor: objects with keys in order (sorted: the MSEL text is sorted), arrays, numbers
 * (integers stay integers, reals keep a decimal point), strings, booleans. */
static void out_json(lua_out *o, json_t *v) {
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		out_puts(o, "{ ");
		const char *k;
		json_t *x;
		int bFirst = 1;
		json_object_foreach(v, k, x) {
			if (json_is_null(x)) continue;
			if (!bFirst) out_puts(o, ", ");
			bFirst = 0;
			if (lua_name_ok(k)) out_printf(o, "%s = ", k);
			else {
				out_puts(o, "[");
				out_str(o, k);
				out_puts(o, "] = ");
			}
			out_json(o, x);
		}
		out_puts(o, " }");
		break;
	}
	case JSON_ARRAY: {
		out_puts(o, "{ ");
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			if (i) out_puts(o, ", ");
			out_json(o, x);
		}
		out_puts(o, " }");
		break;
	}
	case JSON_STRING: out_str(o, json_string_value(v)); break;
	case JSON_INTEGER: out_printf(o, "%lld", (long long)json_integer_value(v)); break;
	case JSON_REAL: {
		char z[64];
		snprintf(z, sizeof z, "%.17g", json_real_value(v));
		if (!strpbrk(z, ".eEn")) strcat(z, ".0"); /* stays a float in Lua, as it was in the MSEL */
		out_add(o, z, strlen(z));
		break;
	}
	case JSON_TRUE: out_puts(o, "true"); break;
	case JSON_FALSE: out_puts(o, "false"); break;
	default: out_puts(o, "nil"); break;
	}
}

static void out_time(lua_out *o, long long us) {
	char z[40];
	out_printf(o, "\"%s\"", eng_time_format(us, z, sizeof z));
}

/* The scenario id from the file's name: "tcu-remote.msel.csv" -> "tcu-remote-msel". */
static void scenario_id(const char *zCsv, char *z, size_t n) {
	const char *zBase = strrchr(zCsv, '/');
	zBase = zBase ? zBase + 1 : zCsv;
	size_t k = 0;
	for (const char *p = zBase; *p && k + 1 < n; p++) {
		if (!strcasecmp(p, ".csv")) break;
		char c = (char)tolower((unsigned char)*p);
		z[k++] = (isalnum((unsigned char)c) || c == '_' || c == '-') ? c : '-';
	}
	z[k] = 0;
	if (!k) snprintf(z, n, "msel");
}

/* Adds the string values of v (a string or a list of them) to the set `set` (an array, no duplicates). */
static void add_names(json_t *set, json_t *v) {
	json_t *all = json_is_array(v) ? json_incref(v) : json_pack("[O]", v);
	size_t i, k;
	json_t *x, *y;
	json_array_foreach(all, i, x) {
		if (!json_is_string(x)) continue;
		int bSeen = 0;
		json_array_foreach(set, k, y) bSeen |= json_equal(x, y);
		if (!bSeen) json_array_append(set, x);
	}
	json_decref(all);
}

/* What the expectations' args name of the world. */
typedef struct world_names {
	json_t *models, *regions, *ecus, *parties;
	json_t *services;     /* declared services (a service action's name or a recall's dealers that is not built in) */
	json_t *credentials;  /* a rotate_credential's credential */
} world_names;

/* The names args (of an expectation on kind zKind) give, anywhere in them, into n. */
static void collect_world(json_t *v, const char *zKind, world_names *n) {
	const char *k;
	json_t *x;
	int bSvc = zKind && (!strcmp(zKind, "isolate_service") || !strcmp(zKind, "restore_service"));
	json_object_foreach(v, k, x) {
		if (json_is_object(x)) collect_world(x, NULL, n);
		else if (!strcmp(k, "model")) add_names(n->models, x);
		else if (!strcmp(k, "region")) add_names(n->regions, x);
		else if (!strcmp(k, "ecu") && json_is_string(x)) { /* an ECU class the world has; another is the check's to refuse */
			for (int e = 0; e < VEH_ECU_N; e++) if (!strcmp(veh_ecu_name(e), json_string_value(x))) add_names(n->ecus, x);
		}
		else if (!strcmp(k, "party")) add_names(n->parties, x);
		else if (json_is_string(x) && ((bSvc && !strcmp(k, "name")) || (zKind && !strcmp(zKind, "recall") && !strcmp(k, "via"))) &&
		         !veh_service_builtin(json_string_value(x)))
			add_names(n->services, x);
		else if (zKind && !strcmp(zKind, "rotate_credential") && !strcmp(k, "credential")) add_names(n->credentials, x);
	}
}

/* Placeholders for the services and credentials the MSEL's expectations name (the planners describe them). */
static void lua_declared(msel *m, lua_out *o, const world_names *n) {
	size_t i;
	json_t *x;
	if (json_array_size(n->services)) {
		out_puts(o, "-- Placeholders for the backend services the MSEL names: give their names, org and customers.\nservices {\n");
		json_array_foreach(n->services, i, x) {
			out_puts(o, "\t{ id = ");
			out_str(o, json_string_value(x));
			out_puts(o, " },\n");
		}
		out_puts(o, "}\n\n");
	}
	if (json_array_size(n->credentials)) {
		out_puts(o, "-- Placeholders for the credentials the MSEL names: say what they are, who holds them and what they reach.\n"
		            "credentials {\n");
		json_array_foreach(n->credentials, i, x) {
			out_puts(o, "\t{ id = ");
			out_str(o, json_string_value(x));
			out_puts(o, ", kind = \"service_account\", held_by = ");
			out_str(o, json_string_value(json_array_get(m->teams, 0)));
			out_puts(o, ", reaches = { \"telematics\" } },\n");
		}
		out_puts(o, "}\n\n");
	}
}

/* The parties beyond the defaults and a placeholder fleet with every model, region and ECU the expectations name,
 * so that `kyodo check` finds each expectation meetable; the planners replace the fleet with the real one. */
static void lua_world(msel *m, lua_out *o) {
	json_t *models = json_array(), *regions = json_array(), *ecus = json_pack("[sss]", "tcu", "gw", "ivi"), *parties = json_array();
	world_names names = { models, regions, ecus, parties, json_array(), json_array() };
	size_t i, k;
	json_t *inj, *x;
	json_array_foreach(m->injects, i, inj) json_array_foreach(json_object_get(inj, "expects"), k, x)
		collect_world(json_object_get(x, "args"), json_string_value(json_object_get(x, "action")), &names);
	json_t *extra = json_array();
	json_array_foreach(parties, i, x) {
		int bDefault = 0;
		for (int p = 0; veh_action_parties[p]; p++) bDefault |= !strcmp(veh_action_parties[p], json_string_value(x));
		if (!bDefault) json_array_append(extra, x);
	}
	if (json_array_size(extra)) {
		out_puts(o, "-- Outside parties the MSEL names beyond the defaults.\nparties ");
		out_json(o, extra);
		out_puts(o, "\n\n");
	}
	if (!json_array_size(models)) json_array_append_new(models, json_string("Sedan-A"));
	if (!json_array_size(regions)) json_array_append_new(regions, json_string("JP-Kanto"));
	size_t n = json_array_size(models) > json_array_size(regions) ? json_array_size(models) : json_array_size(regions);
	out_puts(o, "-- A placeholder fleet with the models, regions and ECUs the MSEL names: replace it with the cohorts,\n"
	            "-- firmware and SBOMs of the drill.\nfleet {\n");
	for (i = 0; i < n; i++) {
		out_puts(o, "\t{ model = ");
		out_str(o, json_string_value(json_array_get(models, i % json_array_size(models))));
		out_printf(o, ", count = %zu, region = ", 10000 / n > 100 ? 10000 / n : 100);
		out_str(o, json_string_value(json_array_get(regions, i % json_array_size(regions))));
		out_puts(o, ", ecus = { ");
		json_array_foreach(ecus, k, x) {
			if (k) out_puts(o, ", ");
			if (lua_name_ok(json_string_value(x))) out_puts(o, json_string_value(x));
			else {
				out_puts(o, "[");
				out_str(o, json_string_value(x));
				out_puts(o, "]");
			}
			out_puts(o, !strcmp(json_string_value(x), "tcu") ? " = \"2.3.1\"" : !strcmp(json_string_value(x), "gw") ? " = \"1.4.0\""
			            : !strcmp(json_string_value(x), "ivi") ? " = \"5.0.2\"" : " = \"1.0.0\"");
		}
		out_puts(o, " } },\n");
	}
	out_puts(o, "}\n\n");
	lua_declared(m, o, &names);
	json_decref(models);
	json_decref(regions);
	json_decref(ecus);
	json_decref(parties);
	json_decref(extra);
	json_decref(names.services);
	json_decref(names.credentials);
}

static void lua_head(msel *m, lua_out *o) {
	char zId[96];
	scenario_id(m->zCsv, zId, sizeof zId);
	const char *zBase = strrchr(m->zCsv, '/');
	zBase = zBase ? zBase + 1 : m->zCsv;
	/* long enough for every inject, rounded up to the hour, at least an hour past the last one */
	long long tMax = 0;
	size_t i;
	json_t *inj;
	json_array_foreach(m->injects, i, inj) {
		long long at = json_integer_value(json_object_get(inj, "at_us"));
		if (at > tMax) tMax = at;
	}
	long long hour = 3600LL * ENG_US_PER_S, dur = ((tMax + hour) / hour + ((tMax + hour) % hour != 0)) * hour;
	out_printf(o, "-- %s: a scenario skeleton made by `kyodo msel import` from the spreadsheet MSEL %s.\n", zId, zBase);
	out_puts(o, "-- The teams, injects and expectations come from the MSEL; the fleet is a placeholder and the attack is\n"
	           "-- left to write (see the commented stubs at the end). Check it with `kyodo check`, dry-run it with\n"
	           "-- `kyodo run`; docs/scenario-api.md has the whole API.\n");
	out_puts(o, "scenario {\n\tid = ");
	out_str(o, zId);
	out_puts(o, ",\n\ttitle = ");
	char zTitle[256];
	snprintf(zTitle, sizeof zTitle, "MSEL %s", zBase);
	out_str(o, zTitle);
	out_puts(o, ",\n\tduration = ");
	out_time(o, dur);
	out_puts(o, ",\n\tdescription = ");
	char zDesc[300];
	snprintf(zDesc, sizeof zDesc, "Imported from the MSEL %s.", zBase);
	out_str(o, zDesc);
	out_puts(o, ",\n}\n\nteams {\n");
	json_t *t;
	json_array_foreach(m->teams, i, t) {
		out_puts(o, "\t{ id = ");
		out_str(o, json_string_value(t));
		out_puts(o, ", name = ");
		out_str(o, json_string_value(t));
		out_puts(o, " },\n");
	}
	out_puts(o, "}\n\n");
	lua_world(m, o);
}

/* One expectation, on its own line (so that the check's messages point at its row). */
static void lua_expect(lua_out *o, json_t *x) {
	o->row = (int)json_integer_value(json_object_get(x, "row"));
	o->col = C_ACTION;
	out_puts(o, "\t\t{ action = ");
	out_str(o, json_string_value(json_object_get(x, "action")));
	json_t *args = json_object_get(x, "args");
	if (json_object_size(args) > 0) {
		out_puts(o, ", args = ");
		out_json(o, args);
	}
	out_puts(o, ", within = ");
	out_time(o, json_integer_value(json_object_get(x, "within_us")));
	out_printf(o, ", points = %.17g, team = ", json_number_value(json_object_get(x, "points")));
	out_str(o, json_string_value(json_object_get(x, "team")));
	static const char *const azOpt[] = { "objective", "notes" };
	for (size_t k = 0; k < 2; k++) {
		const char *z = json_string_value(json_object_get(x, azOpt[k]));
		if (!z) continue;
		out_printf(o, ", %s = ", azOpt[k]);
		out_str(o, z);
	}
	out_puts(o, " },\n");
}

static void lua_inject(lua_out *o, json_t *inj) {
	o->row = (int)json_integer_value(json_object_get(inj, "row"));
	o->col = C_EVENT;
	out_puts(o, "inject {\n\tid = ");
	out_str(o, json_string_value(json_object_get(inj, "id")));
	out_puts(o, ", at = ");
	o->col = C_TIME;
	out_time(o, json_integer_value(json_object_get(inj, "at_us")));
	out_puts(o, ", to = ");
	out_json(o, json_object_get(inj, "to"));
	out_puts(o, ", severity = ");
	out_str(o, json_string_value(json_object_get(inj, "severity")));
	out_puts(o, ",\n");
	o->col = C_TITLE;
	out_puts(o, "\ttitle = ");
	out_str(o, json_string_value(json_object_get(inj, "title")));
	out_puts(o, ",\n");
	o->col = C_BODY;
	out_puts(o, "\tbody = ");
	out_str(o, json_string_value(json_object_get(inj, "body")));
	out_puts(o, ",\n");
	const char *zNotes = json_string_value(json_object_get(inj, "notes"));
	if (zNotes) {
		o->col = C_NOTES;
		out_puts(o, "\tnotes = ");
		out_str(o, zNotes);
		out_puts(o, ",\n");
	}
	json_t *ex = json_object_get(inj, "expects");
	if (json_array_size(ex) > 0) {
		out_puts(o, "\texpects = {\n");
		size_t i;
		json_t *x;
		json_array_foreach(ex, i, x) lua_expect(o, x);
		o->row = (int)json_integer_value(json_object_get(inj, "row"));
		o->col = C_EVENT;
		out_puts(o, "\t},\n");
	}
	out_puts(o, "}\n\n");
}

static void lua_tail(lua_out *o) {
	o->row = -1;
	o->col = -1;
	out_puts(o,
		"-- The attack: the MSEL says what the teams see and should do, not what the attacker does. Write it here, for\n"
		"-- example (docs/scenario-api.md):\n"
		"-- at(\"00:05:00\", function(now)\n"
		"--   attack.compromise { select = { ecu = \"tcu\", below = \"2.4.0\" }, fraction = 0.01, c2 = \"203.0.113.7\",\n"
		"--                       entry = \"tcu\", technique = \"ATM-T0012\" }\n"
		"-- end)\n"
		"-- every(\"10m\", function(now) attack.spread { rate = 0.1, c2 = \"203.0.113.7\" } end, { start = \"00:15:00\" })\n"
		"-- on(\"action\", function(a)\n"
		"--   if a.kind == \"block_indicator\" and a.args.value == \"203.0.113.7\" then attack.stop { c2 = \"203.0.113.7\" } end\n"
		"-- end)\n");
}

/* ---- import ------------------------------------------------------------------------------------------ */

static char *read_all(const char *zPath, size_t *pn, ky_err *err) {
	FILE *f = fopen(zPath, "rb");
	if (!f) return ky_err_set(err, KY_ENOENT, "%s: cannot open: %s", zPath, strerror(errno)), NULL;
	char *z = malloc(MSEL_MAX_BYTES + 1);
	size_t n = z ? fread(z, 1, MSEL_MAX_BYTES + 1, f) : 0;
	int bErr = ferror(f);
	fclose(f);
	if (!z) return ky_err_set(err, KY_ENOMEM, "%s: out of memory", zPath), NULL;
	if (bErr || n > MSEL_MAX_BYTES) {
		free(z);
		return ky_err_set(err, KY_EIO, "%s: %s", zPath, bErr ? "read failed" : "larger than 16 MiB"), NULL;
	}
	z[n] = 0;
	if (memchr(z, 0, n)) {
		free(z);
		return ky_err_set(err, KY_EPARSE, "%s: a NUL byte: not a text file (save the spreadsheet as CSV UTF-8)", zPath), NULL;
	}
	*pn = n;
	return z;
}

/* Loads the text as `kyodo check` does (from a temporary file); maps a "FILE:LINE: message" back to the CSV. */
static int check_text(msel *m, lua_out *o) {
	char zTmp[] = "/tmp/kyodo-msel-XXXXXX";
	int fd = mkstemp(zTmp);
	if (fd < 0) return ky_err_set(m->err, KY_EIO, "msel: cannot make a temporary file: %s", strerror(errno));
	int bOk = write(fd, o->z, o->n) == (ssize_t)o->n;
	close(fd);
	if (!bOk) {
		unlink(zTmp);
		return ky_err_set(m->err, KY_EIO, "msel: cannot write a temporary file");
	}
	ky_err e = { 0 };
	scn_drill_opts opts = { .bCheckOnly = 1 };
	scn_drill *d = scn_drill_open(zTmp, &opts, &e);
	unlink(zTmp);
	if (d) {
		scn_drill_free(d);
		return 0;
	}
	/* "TMP:LINE: message": the line's source row and column, else the message as it is */
	size_t nTmp = strlen(zTmp);
	const char *zMsg = e.zMsg;
	int line = 0;
	if (!strncmp(zMsg, zTmp, nTmp) && zMsg[nTmp] == ':') {
		char *zEnd;
		line = (int)strtol(zMsg + nTmp + 1, &zEnd, 10);
		zMsg = *zEnd == ':' ? zEnd + 1 + (zEnd[1] == ' ') : zMsg;
	}
	if (line >= 1 && line <= o->nLine && o->aSrc[line - 1][0] > 0) {
		int row = o->aSrc[line - 1][0], col = o->aSrc[line - 1][1];
		/* "inject 'X': expects[N]: ...": the row of that expectation, its expected_action */
		const char *zEx = strstr(zMsg, "expects[");
		size_t i;
		json_t *inj;
		json_array_foreach(m->injects, i, inj) {
			if (!zEx || json_integer_value(json_object_get(inj, "row")) != row) continue;
			json_t *x = json_array_get(json_object_get(inj, "expects"), (size_t)(atoi(zEx + 8) - 1));
			if (x) row = (int)json_integer_value(json_object_get(x, "row")), col = C_ACTION;
		}
		return fail_at(m, row, col, "%s", zMsg);
	}
	return ky_err_set(m->err, KY_EPARSE, "%s:1:?: the scenario made from it does not load: %s", m->zCsv, zMsg);
}

/* A CSV error "ROW:FIELD: message" as "FILE.csv:ROW:COLUMN: message", the field number named by the header's
 * column when the header (the first line) reads. */
static int csv_error(const char *zCsv, const char *z, size_t n, const ky_err *e, ky_err *err) {
	int row = 0, col = 0, k = 0;
	if (sscanf(e->zMsg, "%d:%d: %n", &row, &col, &k) != 2 || k == 0) return ky_err_set(err, e->code, "%s:%s", zCsv, e->zMsg);
	const char *zNl = memchr(z, '\n', n);
	int *aRow = NULL;
	json_t *h = row > 1 && zNl ? scn_msel_csv_parse(z, (size_t)(zNl - z), &aRow, NULL) : NULL;
	const char *zName = json_string_value(json_array_get(json_array_get(h, 0), (size_t)(col - 1)));
	char zCol[64];
	if (zName && *zName) snprintf(zCol, sizeof zCol, "%s", zName);
	else snprintf(zCol, sizeof zCol, "%d", col);
	int rc = ky_err_set(err, e->code, "%s:%d:%s: %s", zCsv, row, zCol, e->zMsg + k);
	json_decref(h);
	free(aRow);
	return rc;
}

char *scn_msel_import(const char *zCsv, ky_err *err) {
	size_t n = 0;
	char *z = read_all(zCsv, &n, err);
	if (!z) return NULL;
	msel m = { .zCsv = zCsv, .err = err };
	lua_out o = { .row = -1, .col = -1 };
	ky_err e = { 0 };
	m.recs = scn_msel_csv_parse(z, n, &m.aRow, &e);
	int rc = 0;
	if (!m.recs) rc = csv_error(zCsv, z, n, &e, err);
	else if (json_array_size(m.recs) == 0) rc = ky_err_set(err, KY_EPARSE, "%s:1:?: empty: no header row", zCsv);
	free(z);
	if (rc == 0) {
		m.injects = json_array();
		m.teams = json_array();
		rc = read_header(&m);
	}
	if (rc == 0) rc = collect_teams(&m);
	if (rc == 0) rc = read_rows(&m);
	if (rc == 0) {
		lua_head(&m, &o);
		size_t i;
		json_t *inj;
		json_array_foreach(m.injects, i, inj) lua_inject(&o, inj);
		lua_tail(&o);
		rc = o.bOom ? ky_err_set(err, KY_ENOMEM, "%s: out of memory", zCsv) : check_text(&m, &o);
	}
	json_decref(m.recs);
	json_decref(m.injects);
	json_decref(m.teams);
	free(m.aRow);
	free(o.aSrc);
	if (rc) {
		free(o.z);
		return NULL;
	}
	return o.z;
}

/* ---- CLI --------------------------------------------------------------------------------------------- */

enum { M_OUT = 'o' };

static const ky_opt kMselOpts[] = {
	{ "out", M_OUT, "FILE", "where to write the scenario (default: standard output)" },
	{ NULL, 0, NULL, NULL },
};
static const ky_cmd kMsel = {
	"msel", "import FILE.csv [OPTION]...",
	"Turn a spreadsheet MSEL (master scenario events list, CSV) into a scenario skeleton that 'kyodo check'\n"
	"accepts: the teams named in 'to', one inject per event with its expectations, a placeholder fleet and the\n"
	"attack left as commented stubs. Columns (any order, any case; only time, to and title are required):\n"
	"event,time,to,severity,title,body,expected_action,expected_team,within,points,objective,notes.\n"
	"RFC 4180 quoting, UTF-8 with or without a BOM, CRLF or LF. docs/reports.md.",
	kMselOpts,
	"Exit status: 0 written; 1 a file that cannot be read or written, or a malformed MSEL, named as\n"
	"FILE.csv:ROW:COLUMN: message (nothing is written); 2 usage.",
	2, 2,
};

int scn_msel_cli(int argc, char **argv) {
	ky_opts g;
	int id;
	const char *zOut = NULL;
	ky_opts_init(&g, &kMsel, argc, argv);
	while ((id = ky_opts_next(&g)) > 0)
		if (id == M_OUT) zOut = g.zArg;
	if (id < 0) return g.rc;
	if (strcmp(g.azPos[0], "import") != 0) return ky_opts_usage(&g, "unknown msel command '%s' (there is: import)", g.azPos[0]);
	const char *zCsv = g.azPos[1];
	ky_err err = { 0 };
	char *zLua = scn_msel_import(zCsv, &err);
	if (!zLua) {
		fprintf(stderr, "%s\n", err.zMsg);
		return KY_EXIT_FAIL;
	}
	int rc = KY_EXIT_OK;
	if (!zOut) {
		fputs(zLua, stdout);
	} else {
		FILE *f = fopen(zOut, "w");
		int bOk = f && fputs(zLua, f) >= 0;
		if (f && fclose(f) != 0) bOk = 0;
		if (!bOk) {
			fprintf(stderr, "kyodo msel import: --out %s: %s\n", zOut, strerror(errno));
			rc = KY_EXIT_FAIL;
		} else {
			fprintf(stderr, "kyodo msel import: wrote %s\n", zOut);
		}
	}
	free(zLua);
	return rc;
}

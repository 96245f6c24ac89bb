/* jschema: see jschema.h. One function per keyword family; errors name the JSON path of the value. */
#include "engine/jschema.h"

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN 200

static const char *type_of(json_t *v) {
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	default: return "null";
	}
}

static int is_type(json_t *v, const char *zType) {
	if (!strcmp(zType, "number")) return json_is_number(v);
	if (!strcmp(zType, "integer")) {
		if (json_is_integer(v)) return 1;
		double x = json_is_real(v) ? json_real_value(v) : NAN;
		return isfinite(x) && x == floor(x) && fabs(x) <= 9007199254740992.0;
	}
	return !strcmp(type_of(v), zType);
}

/* The value as short text for a message ('ppc', 42, an object). */
static void show(json_t *v, char *z, size_t n) {
	if (json_is_string(v)) snprintf(z, n, "'%.60s'", json_string_value(v));
	else if (json_is_number(v)) snprintf(z, n, "%g", json_number_value(v));
	else snprintf(z, n, "%s", json_is_object(v) ? "an object" : json_is_array(v) ? "a list" : type_of(v));
}

static int check_type(json_t *s, json_t *v, const char *zPath, ky_err *err) {
	json_t *t = json_object_get(s, "type");
	char zWant[80] = "";
	if (!t) return 0;
	if (json_is_string(t)) {
		if (is_type(v, json_string_value(t))) return 0;
		snprintf(zWant, sizeof zWant, "%s", json_string_value(t));
	} else if (json_is_array(t)) {
		size_t i;
		json_t *x;
		json_array_foreach(t, i, x) {
			if (json_is_string(x) && is_type(v, json_string_value(x))) return 0;
			size_t n = strlen(zWant);
			snprintf(zWant + n, sizeof zWant - n, "%s%s", i ? " or " : "", json_string_value(x) ? json_string_value(x) : "?");
		}
	} else {
		return 0;
	}
	return ky_err_set(err, KY_EINVAL, "%s: expected %s%s, got %s", zPath, strchr("aeiou", zWant[0]) ? "an " : "a ",
	                  zWant, type_of(v));
}

static int check_enum(json_t *s, json_t *v, const char *zPath, ky_err *err) {
	json_t *e = json_object_get(s, "enum");
	size_t i;
	json_t *x;
	if (!json_is_array(e)) return 0;
	json_array_foreach(e, i, x) {
		if (json_equal(x, v)) return 0;
		if (json_is_number(x) && json_is_number(v) && json_number_value(x) == json_number_value(v)) return 0;
	}
	char zV[80], zList[300] = "";
	show(v, zV, sizeof zV);
	json_array_foreach(e, i, x) {
		size_t n = strlen(zList);
		if (n > sizeof zList - 8) {
			snprintf(zList + n, sizeof zList - n, ", ...");
			break;
		}
		if (json_is_string(x)) snprintf(zList + n, sizeof zList - n, "%s%s", i ? ", " : "", json_string_value(x));
	}
	return ky_err_set(err, KY_EINVAL, "%s: %s is not one of: %s", zPath, zV, zList);
}

static int check_string(json_t *s, json_t *v, const char *zPath, ky_err *err) {
	json_t *p = json_object_get(s, "pattern");
	if (!json_is_string(v) || !json_is_string(p)) return 0;
	regex_t re;
	if (regcomp(&re, json_string_value(p), REG_EXTENDED | REG_NOSUB) != 0)
		return ky_err_set(err, KY_EINVAL, "%s: the schema's pattern '%s' is not a valid regular expression", zPath,
		                  json_string_value(p));
	int rc = regexec(&re, json_string_value(v), 0, NULL, 0);
	regfree(&re);
	if (rc == 0) return 0;
	char zV[80];
	show(v, zV, sizeof zV);
	json_t *d = json_object_get(s, "description");
	return ky_err_set(err, KY_EINVAL, "%s: %s is not %s", zPath, zV,
	                  json_is_string(d) ? json_string_value(d) : "of the expected form");
}

static int check_number(json_t *s, json_t *v, const char *zPath, ky_err *err) {
	json_t *lo = json_object_get(s, "minimum"), *hi = json_object_get(s, "maximum");
	if (!json_is_number(v)) return 0;
	double x = json_number_value(v);
	if (!isfinite(x)) return ky_err_set(err, KY_EINVAL, "%s: not a finite number", zPath);
	if (json_is_number(lo) && x < json_number_value(lo))
		return ky_err_set(err, KY_EINVAL, "%s: %g is below the minimum %g", zPath, x, json_number_value(lo));
	if (json_is_number(hi) && x > json_number_value(hi))
		return ky_err_set(err, KY_EINVAL, "%s: %g is above the maximum %g", zPath, x, json_number_value(hi));
	return 0;
}

static int validate(json_t *s, json_t *v, const char *zPath, int bPartial, ky_err *err);

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static int check_object(json_t *s, json_t *v, const char *zPath, int bPartial, ky_err *err) {
	json_t *props = json_object_get(s, "properties"), *req = json_object_get(s, "required");
	json_t *extra = json_object_get(s, "additionalProperties");
	char zSub[PATH_MAX_LEN];
	size_t i;
	json_t *x;
	if (!json_is_object(v)) return 0;
	if (json_is_array(req) && !bPartial) {
		json_array_foreach(req, i, x) {
			if (json_is_string(x) && !json_object_get(v, json_string_value(x)))
				return ky_err_set(err, KY_EINVAL, "%s.%s: required", zPath, json_string_value(x));
		}
	}
	/* sorted keys, so the first error reported does not depend on the object's insertion order */
	const char **az = NULL;
	size_t n = json_object_size(v), k = 0;
	if (n && !(az = malloc(n * sizeof *az))) return ky_err_set(err, KY_ENOMEM, "%s: out of memory", zPath);
	const char *zKey;
	json_object_foreach(v, zKey, x) az[k++] = zKey;
	if (n > 1) qsort(az, n, sizeof *az, cmp_str); /* not qsort(NULL, 0, ...): UBSan under make asan */
	int rc = 0;
	for (k = 0; k < n && rc == 0; k++) {
		json_t *ps = json_object_get(props, az[k]);
		snprintf(zSub, sizeof zSub, "%s.%s", zPath, az[k]);
		if (ps) rc = validate(ps, json_object_get(v, az[k]), zSub, 0, err);
		else if (json_is_false(extra)) rc = ky_err_set(err, KY_EINVAL, "%s: unknown field", zSub);
		else if (json_is_object(extra)) rc = validate(extra, json_object_get(v, az[k]), zSub, 0, err);
	}
	free(az);
	return rc;
}

static int check_array(json_t *s, json_t *v, const char *zPath, ky_err *err) {
	json_t *items = json_object_get(s, "items");
	char zSub[PATH_MAX_LEN];
	size_t i;
	json_t *x;
	if (!json_is_array(v) || !json_is_object(items)) return 0;
	json_array_foreach(v, i, x) {
		snprintf(zSub, sizeof zSub, "%s[%zu]", zPath, i + 1);
		int rc = validate(items, x, zSub, 0, err);
		if (rc) return rc;
	}
	return 0;
}

static int validate(json_t *s, json_t *v, const char *zPath, int bPartial, ky_err *err) {
	int rc;
	if (!json_is_object(s)) return 0;  /* true / {} : anything */
	if ((rc = check_type(s, v, zPath, err)) || (rc = check_enum(s, v, zPath, err)) || (rc = check_string(s, v, zPath, err)) ||
	    (rc = check_number(s, v, zPath, err)) || (rc = check_object(s, v, zPath, bPartial, err)) ||
	    (rc = check_array(s, v, zPath, err)))
		return rc;
	return 0;
}

int eng_jschema_validate(json_t *schema, json_t *v, const char *zPath, ky_err *err) {
	return validate(schema, v, zPath ? zPath : "value", 0, err);
}

int eng_jschema_validate_partial(json_t *schema, json_t *v, const char *zPath, ky_err *err) {
	return validate(schema, v, zPath ? zPath : "value", 1, err);
}

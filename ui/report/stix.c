/* stix (report): see stix.h for what goes in and the marking rules. The bundle is built as jansson objects in a
 * fixed order (markings, identities, attack patterns, malware, tools, campaigns, indicators, notes, sightings,
 * relationships, the report) and dumped with JSON_PRESERVE_ORDER. SHA-1 is here (UUIDv5 only; 60 lines). */
#include "ui/report/stix.h"

#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui/report/find.h"
#include "vehicles/atm.h"

/* ---- SHA-1 (FIPS 180-4) and UUIDv5 (RFC 4122 §4.3) ---- */

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1_block(uint32_t h[5], const unsigned char *p) {
	uint32_t w[80];
	for (int i = 0; i < 16; i++) w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	for (int i = 0; i < 80; i++) {
		uint32_t f, k;
		if (i < 20) f = (b & c) | (~b & d), k = 0x5A827999;
		else if (i < 40) f = b ^ c ^ d, k = 0x6ED9EBA1;
		else if (i < 60) f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
		else f = b ^ c ^ d, k = 0xCA62C1D6;
		uint32_t t = rol(a, 5) + f + e + k + w[i];
		e = d, d = c, c = rol(b, 30), b = a, a = t;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

void rep_stix_sha1(const void *pv, size_t n, unsigned char out[20]) {
	const unsigned char *p = pv;
	uint32_t h[5] = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0 };
	size_t i = 0;
	for (; i + 64 <= n; i += 64) sha1_block(h, p + i);
	unsigned char last[128];
	size_t r = n - i, nLast = r + 9 <= 64 ? 64 : 128;
	memset(last, 0, sizeof last);
	memcpy(last, p + i, r);
	last[r] = 0x80;
	uint64_t bits = (uint64_t)n * 8;
	for (int k = 0; k < 8; k++) last[nLast - 1 - k] = (unsigned char)(bits >> (8 * k));
	sha1_block(h, last);
	if (nLast == 128) sha1_block(h, last + 64);
	for (int k = 0; k < 5; k++) {
		out[4 * k] = (unsigned char)(h[k] >> 24), out[4 * k + 1] = (unsigned char)(h[k] >> 16);
		out[4 * k + 2] = (unsigned char)(h[k] >> 8), out[4 * k + 3] = (unsigned char)h[k];
	}
}

void rep_stix_uuid5(const unsigned char ns[16], const char *zName, char zOut[37]) {
	size_t n = strlen(zName);
	unsigned char *buf = malloc(16 + n), dg[20];
	if (!buf) { /* cannot happen in practice; keep the output well-formed */
		snprintf(zOut, 37, "00000000-0000-5000-8000-000000000000");
		return;
	}
	memcpy(buf, ns, 16);
	memcpy(buf + 16, zName, n);
	rep_stix_sha1(buf, 16 + n, dg);
	free(buf);
	dg[6] = (unsigned char)((dg[6] & 0x0f) | 0x50); /* version 5 */
	dg[8] = (unsigned char)((dg[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(zOut, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", dg[0], dg[1], dg[2], dg[3],
	         dg[4], dg[5], dg[6], dg[7], dg[8], dg[9], dg[10], dg[11], dg[12], dg[13], dg[14], dg[15]);
}

/* kyodo's namespace for STIX ids: UUIDv5 of "kyodo.stix" in the RFC 4122 URL namespace, fixed here. */
static const unsigned char aNamespace[16] = { 0x6b, 0x79, 0x6f, 0x64, 0x6f, 0x2d, 0x51, 0x8e,
	                                          0x9a, 0x3c, 0x53, 0x54, 0x49, 0x58, 0x32, 0x31 };

/* ---- indicator patterns ---- */

static int all_hex(const char *z) {
	for (; *z; z++) if (!isxdigit((unsigned char)*z)) return 0;
	return 1;
}

static int is_domain(const char *z) {
	int nDots = 0, nLabel = 0;
	const char *zTld = z;
	for (const char *p = z; *p; p++) {
		if (*p == '.') {
			if (nLabel == 0) return 0;
			nDots++, nLabel = 0, zTld = p + 1;
		} else if (isalnum((unsigned char)*p) || *p == '-' || *p == '_') {
			nLabel++;
		} else {
			return 0;
		}
	}
	if (nDots == 0 || nLabel == 0) return 0;
	for (const char *p = zTld; *p; p++) if (!isalpha((unsigned char)*p)) return 0;
	return 1;
}

/* The object path of a value's pattern, or NULL. */
static const char *pattern_path(const char *z) {
	unsigned char a[16];
	char zIp[64];
	size_t n = strlen(z);
	snprintf(zIp, sizeof zIp, "%s", z);
	char *zSlash = strchr(zIp, '/');
	if (zSlash) *zSlash = 0;
	if (n < sizeof zIp && inet_pton(AF_INET, zIp, a) == 1) return "ipv4-addr:value";
	if (n < sizeof zIp && inet_pton(AF_INET6, zIp, a) == 1) return "ipv6-addr:value";
	if (all_hex(z) && n == 32) return "file:hashes.MD5";
	if (all_hex(z) && n == 40) return "file:hashes.'SHA-1'";
	if (all_hex(z) && n == 64) return "file:hashes.'SHA-256'";
	if (all_hex(z) && n == 128) return "file:hashes.'SHA-512'";
	if (!strncmp(z, "http://", 7) || !strncmp(z, "https://", 8)) return strpbrk(z, " \t\r\n") ? NULL : "url:value";
	const char *zAt = strchr(z, '@');
	if (zAt && zAt > z && is_domain(zAt + 1) && !strpbrk(z, " \t\r\n'\"")) return "email-addr:value";
	if (is_domain(z)) return "domain-name:value";
	return NULL;
}

char *rep_stix_pattern(const char *zValue) {
	const char *zPath = zValue ? pattern_path(zValue) : NULL;
	if (!zPath) return NULL;
	rep_buf b;
	rep_buf_init(&b);
	rep_buf_printf(&b, "[%s = '", zPath);
	int bHash = !strncmp(zPath, "file:", 5);
	for (const char *p = zValue; *p; p++) { /* a string literal: \ and ' escaped; hashes in lower case */
		if (*p == '\\' || *p == '\'') rep_buf_puts(&b, "\\");
		char c = bHash ? (char)tolower((unsigned char)*p) : *p;
		rep_buf_add(&b, &c, 1);
	}
	rep_buf_puts(&b, "']");
	if (b.bOom) {
		rep_buf_free(&b);
		return NULL;
	}
	return b.z;
}

/* ---- TLP ---- */

enum { TLP_CLEAR, TLP_GREEN, TLP_AMBER, TLP_AMBER_STRICT, TLP_RED, TLP_N };

static const struct {
	const char *zName, *zLevel, *zId;
} aTlp[TLP_N] = {
	{ "TLP:CLEAR", "clear", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487" },
	{ "TLP:GREEN", "green", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb" },
	{ "TLP:AMBER", "amber", "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421" },
	{ "TLP:AMBER+STRICT", "amber+strict", "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003" },
	{ "TLP:RED", "red", "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1" },
};
#define TLP_EXTENSION "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

static int tlp_rank(const char *z) {
	if (!z || !strcmp(z, "clear") || !strcmp(z, "white")) return TLP_CLEAR;
	for (int i = 0; i < TLP_N; i++) if (!strcmp(z, aTlp[i].zLevel)) return i;
	return TLP_AMBER; /* an unknown marking is treated as restricted */
}

/* ---- the builder ---- */

typedef struct stix {
	const rep_data *d;
	rep_lang lang;
	char zKey[200];      /* the journal's identity, part of every id */
	long long t0;        /* wall start (s since the epoch) */
	json_t *objs;        /* the bundle's objects, in order */
	int aUsed[TLP_N];    /* markings referred to */
	char zControl[96];   /* exercise control's identity */
	json_t *ind;         /* value (lower case) -> {"value","id","rank","red","scenario","t_us","campaign","technique"} */
	json_t *tech;        /* technique id -> attack-pattern id */
	json_t *camp;        /* c2 -> campaign id */
	json_t *who;         /* team -> identity id */
	json_t *marks;       /* object id -> TLP rank */
	json_t *mal;         /* [malware ids] */
} stix;

static const char *str(json_t *o, const char *k) {
	const char *z = json_string_value(json_object_get(o, k));
	return z ? z : "";
}
static long long ival(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

/* The id of an object: its type and UUIDv5 of "type|key|journal". */
static void make_id(stix *s, const char *zType, const char *zContent, char zOut[96]) {
	char zUuid[37];
	size_t n = strlen(zType) + strlen(zContent) + strlen(s->zKey) + 3;
	char *z = malloc(n);
	if (!z) {
		snprintf(zOut, 96, "%s--00000000-0000-5000-8000-000000000000", zType);
		return;
	}
	snprintf(z, n, "%s|%s|%s", zType, zContent, s->zKey);
	rep_stix_uuid5(aNamespace, z, zUuid);
	free(z);
	snprintf(zOut, 96, "%s--%s", zType, zUuid);
}

/* RFC 3339 UTC with milliseconds of the drill's sim time t. */
static void stamp(const stix *s, long long t_us, char z[32]) {
	long long ms = s->t0 * 1000 + t_us / 1000;
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&sec, &tm);
	size_t n = strftime(z, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(z + n, 32 - n, ".%03lldZ", ms % 1000);
}

/* A new SDO/SRO with the common properties (new ref, appended to the bundle by add()). */
static json_t *sdo(stix *s, const char *zType, const char *zId, long long t_us, int tlp) {
	char zT[32];
	stamp(s, t_us, zT);
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", zType, "spec_version", "2.1", "id", zId, "created", zT, "modified", zT);
	if (o && s->zControl[0] && strcmp(zId, s->zControl)) json_object_set_new(o, "created_by_ref", json_string(s->zControl));
	if (o && tlp >= 0) {
		json_object_set_new(o, "object_marking_refs", json_pack("[s]", aTlp[tlp].zId));
		s->aUsed[tlp] = 1;
		json_object_set_new(s->marks, zId, json_integer(tlp));
	}
	return o;
}

static void add(stix *s, json_t *o) {
	if (o) json_array_append_new(s->objs, o);
}

static int mark_of(stix *s, const char *zId) {
	json_t *v = json_object_get(s->marks, zId);
	return v ? (int)json_integer_value(v) : TLP_CLEAR;
}

static void relate(stix *s, const char *zSrc, const char *zType, const char *zDst, long long t_us) {
	char zId[96], zKey[300];
	snprintf(zKey, sizeof zKey, "%s|%s|%s", zSrc, zType, zDst);
	make_id(s, "relationship", zKey, zId);
	if (json_object_get(s->marks, zId)) return; /* already related */
	int a = mark_of(s, zSrc), b = mark_of(s, zDst);
	json_t *o = sdo(s, "relationship", zId, t_us, a > b ? a : b);
	json_object_set_new(o, "relationship_type", json_string(zType));
	json_object_set_new(o, "source_ref", json_string(zSrc));
	json_object_set_new(o, "target_ref", json_string(zDst));
	add(s, o);
}

/* ---- identities ---- */

static void identities(stix *s) {
	const rep_data *d = s->d;
	char zId[96];
	make_id(s, "identity", "exercise-control", zId);
	snprintf(s->zControl, sizeof s->zControl, "%s", zId);
	json_t *o = sdo(s, "identity", zId, 0, TLP_CLEAR);
	char *zName = rep_msg_str(s->lang, "stix.control", "title", str(d->exercise, "title"), NULL);
	json_object_set_new(o, "name", json_string(zName ? zName : "exercise control"));
	free(zName);
	json_object_set_new(o, "identity_class", json_string("organization"));
	json_object_set_new(o, "sectors", json_pack("[s]", "automotive"));
	add(s, o);
	/* an identity per org (teams of one org share it), else per team */
	size_t i;
	json_t *t;
	json_array_foreach(d->teams, i, t) {
		const char *zTeam = str(t, "id"), *zOrg = rep_data_team_org(d, zTeam);
		char zKey[200];
		snprintf(zKey, sizeof zKey, "%s:%s", zOrg ? "org" : "team", zOrg ? zOrg : zTeam);
		make_id(s, "identity", zKey, zId);
		json_object_set_new(s->who, zTeam, json_string(zId));
		if (json_object_get(s->marks, zId)) continue; /* that org's identity is there already */
		o = sdo(s, "identity", zId, 0, TLP_CLEAR);
		json_object_set_new(o, "name", json_string(zOrg ? rep_data_org_name(d, zOrg) : rep_data_team_name(d, zTeam)));
		json_object_set_new(o, "identity_class", json_string("organization"));
		json_object_set_new(o, "sectors", json_pack("[s]", "automotive"));
		if (!zOrg) json_object_set_new(o, "description", json_string(zTeam));
		add(s, o);
	}
}

/* ---- techniques, malware, tools, campaigns ---- */

static const struct { const char *zId, *zName; } aAttack[] = { /* ATT&CK names of the ids the shipped drills use */
	{ "T1078", "Valid Accounts" }, { "T1199", "Trusted Relationship" }, { "T1530", "Data from Cloud Storage" },
	{ "T1041", "Exfiltration Over C2 Channel" }, { "T1552.001", "Unsecured Credentials: Credentials In Files" },
	{ "T1195.002", "Supply Chain Compromise: Compromise Software Supply Chain" },
};

static const char *technique(stix *s, const char *zTech, long long t_us) {
	json_t *v = json_object_get(s->tech, zTech);
	if (v) return json_string_value(v);
	char zId[96];
	make_id(s, "attack-pattern", zTech, zId);
	json_t *o = sdo(s, "attack-pattern", zId, t_us, TLP_CLEAR);
	const char *zName = zTech;
	const veh_atm_technique *atm = veh_atm_find(zTech);
	if (atm) zName = atm->zName;
	for (size_t i = 0; i < sizeof aAttack / sizeof aAttack[0]; i++) if (!strcmp(aAttack[i].zId, zTech)) zName = aAttack[i].zName;
	json_object_set_new(o, "name", json_string(zName));
	if (atm && atm->zTactics && *atm->zTactics) { /* the matrix's tactics as kill-chain phases */
		json_t *ph = json_array();
		char zT[256];
		snprintf(zT, sizeof zT, "%s", atm->zTactics);
		char *zSave = NULL;
		for (char *t = strtok_r(zT, ",", &zSave); t; t = strtok_r(NULL, ",", &zSave))
			json_array_append_new(ph, json_pack("{s:s,s:s}", "kill_chain_name", "auto-isac-atm", "phase_name", t));
		json_object_set_new(o, "kill_chain_phases", ph);
	}
	json_t *ref;
	if (!strncmp(zTech, "ATM-", 4)) {
		ref = json_pack("{s:s,s:s}", "source_name", "auto-isac-atm", "external_id", zTech);
	} else if (zTech[0] == 'T' && isdigit((unsigned char)zTech[1])) {
		char zUrl[128], zPath[32];
		snprintf(zPath, sizeof zPath, "%s", zTech);
		char *zDot = strchr(zPath, '.');
		if (zDot) *zDot = '/';
		snprintf(zUrl, sizeof zUrl, "https://attack.mitre.org/techniques/%s/", zPath);
		ref = json_pack("{s:s,s:s,s:s}", "source_name", "mitre-attack", "external_id", zTech, "url", zUrl);
	} else {
		ref = json_pack("{s:s,s:s}", "source_name", "kyodo-scenario", "external_id", zTech);
	}
	json_object_set_new(o, "external_references", json_pack("[o]", ref));
	add(s, o);
	json_object_set_new(s->tech, zTech, json_string(zId));
	return json_string_value(json_object_get(s->tech, zTech));
}

static void named(stix *s, const char *zType, json_t *names) {
	size_t i;
	json_t *v;
	json_array_foreach(names, i, v) {
		char zId[96];
		make_id(s, zType, json_string_value(v), zId);
		json_t *o = sdo(s, zType, zId, 0, TLP_GREEN);
		json_object_set_new(o, "name", json_string(json_string_value(v)));
		if (!strcmp(zType, "malware")) {
			json_object_set_new(o, "is_family", json_true());
			json_array_append_new(s->mal, json_string(zId));
		}
		add(s, o);
	}
}

/* ---- indicators ---- */

/* The record of indicator value z (created when new). */
static json_t *ind_get(stix *s, const char *z, long long t_us) {
	char zKey[512];
	snprintf(zKey, sizeof zKey, "%s", z);
	for (char *p = zKey; *p; p++) *p = (char)tolower((unsigned char)*p);
	json_t *r = json_object_get(s->ind, zKey);
	if (!r) {
		r = json_pack("{s:s,s:i,s:b,s:b,s:I,s:[]}", "value", z, "rank", TLP_N, "red", 0, "scenario", 0, "t_us", (json_int_t)t_us, "teams");
		json_object_set_new(s->ind, zKey, r);
	}
	if (t_us < ival(r, "t_us")) json_object_set_new(r, "t_us", json_integer(t_us));
	return r;
}

static void ind_sighted(json_t *r, const char *zTeam, long long t_us) {
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(r, "teams"), i, v) {
		if (strcmp(str(v, "team"), zTeam)) continue;
		json_object_set_new(v, "n", json_integer(ival(v, "n") + 1));
		if (t_us < ival(v, "first")) json_object_set_new(v, "first", json_integer(t_us));
		if (t_us > ival(v, "last")) json_object_set_new(v, "last", json_integer(t_us));
		return;
	}
	json_array_append_new(json_object_get(r, "teams"), json_pack("{s:s,s:i,s:I,s:I}", "team", zTeam, "n", 1, "first", (json_int_t)t_us,
	                                                              "last", (json_int_t)t_us));
}

/* What the scenario used (attack.compromise: its C2 and listed indicators) and what teams shared or blocked. */
static void collect_indicators(stix *s) {
	size_t i, k;
	json_t *e, *v;
	json_array_foreach(s->d->events, i, e) {
		if (strcmp(str(e, "kind"), "attack.compromise")) continue;
		json_t *det = json_object_get(e, "detail");
		json_t *all = json_pack("[s]", str(e, "subject"));
		json_array_extend(all, json_object_get(det, "indicators"));
		json_array_foreach(all, k, v) {
			if (!json_is_string(v)) continue;
			json_t *r = ind_get(s, json_string_value(v), ival(e, "t_us"));
			json_object_set_new(r, "scenario", json_true());
			if (!json_object_get(r, "campaign")) json_object_set_new(r, "campaign", json_string(str(e, "subject")));
			if (*str(det, "technique") && !json_object_get(r, "technique")) json_object_set_new(r, "technique", json_string(str(det, "technique")));
		}
		json_decref(all);
	}
	json_array_foreach(s->d->actions, i, e) {
		json_t *args = json_object_get(e, "args"), *res = json_object_get(e, "result");
		if (json_is_string(json_object_get(res, "error"))) continue; /* refused: nothing was shared or blocked */
		if (!strcmp(str(e, "kind"), "share")) {
			int rank = tlp_rank(json_string_value(json_object_get(args, "tlp")));
			json_array_foreach(json_object_get(args, "indicators"), k, v) {
				if (!json_is_string(v)) continue;
				json_t *r = ind_get(s, json_string_value(v), ival(e, "t_us"));
				if (rank == TLP_RED) json_object_set_new(r, "red", json_true());
				else if (rank < ival(r, "rank")) json_object_set_new(r, "rank", json_integer(rank));
				if (rank != TLP_RED) ind_sighted(r, str(e, "team"), ival(e, "t_us"));
			}
		}
	}
	json_array_foreach(s->d->actions, i, e) { /* a team that blocked an indicator saw it (only those exported) */
		if (strcmp(str(e, "kind"), "block_indicator") || json_is_string(json_object_get(json_object_get(e, "result"), "error"))) continue;
		char zKey[512];
		snprintf(zKey, sizeof zKey, "%s", str(json_object_get(e, "args"), "value"));
		for (char *p = zKey; *p; p++) *p = (char)tolower((unsigned char)*p);
		json_t *r = json_object_get(s->ind, zKey);
		if (r) ind_sighted(r, str(e, "team"), ival(e, "t_us"));
	}
}

/* Whether an indicator goes out, and at which TLP: shared (most permissive non-red share), or only the
 * scenario's (GREEN); never one that only TLP:RED shares carried. */
static int ind_tlp(json_t *r) {
	int rank = (int)ival(r, "rank");
	if (rank < TLP_RED) return rank;
	if (json_is_true(json_object_get(r, "red"))) return -1;
	return json_is_true(json_object_get(r, "scenario")) ? TLP_GREEN : -1;
}

static void indicators(stix *s) {
	const char *k;
	json_t *r;
	json_t *order = json_array(); /* keys by first time, for a stable order */
	json_object_foreach(s->ind, k, r) json_array_append_new(order, json_string(k));
	size_t n = json_array_size(order);
	for (size_t i = 1; i < n; i++) /* insertion sort by (t_us, key): tens of indicators */
		for (size_t j = i; j > 0; j--) {
			json_t *a = json_object_get(s->ind, json_string_value(json_array_get(order, j - 1)));
			json_t *b = json_object_get(s->ind, json_string_value(json_array_get(order, j)));
			int bSwap = ival(a, "t_us") > ival(b, "t_us") ||
			            (ival(a, "t_us") == ival(b, "t_us") && strcmp(json_string_value(json_array_get(order, j - 1)),
			                                                          json_string_value(json_array_get(order, j))) > 0);
			if (!bSwap) break;
			json_t *x = json_incref(json_array_get(order, j - 1));
			json_array_set(order, j - 1, json_array_get(order, j));
			json_array_set_new(order, j, x);
		}
	for (size_t i = 0; i < n; i++) {
		r = json_object_get(s->ind, json_string_value(json_array_get(order, i)));
		int tlp = ind_tlp(r);
		char *zPattern = rep_stix_pattern(str(r, "value"));
		if (tlp < 0 || !zPattern) {
			free(zPattern);
			continue;
		}
		char zId[96], zT[32];
		make_id(s, "indicator", str(r, "value"), zId);
		json_object_set_new(r, "id", json_string(zId));
		json_t *o = sdo(s, "indicator", zId, ival(r, "t_us"), tlp);
		stamp(s, ival(r, "t_us"), zT);
		json_object_set_new(o, "name", json_string(str(r, "value")));
		json_object_set_new(o, "indicator_types", json_pack("[s]", "malicious-activity"));
		json_object_set_new(o, "pattern", json_string(zPattern));
		json_object_set_new(o, "pattern_type", json_string("stix"));
		json_object_set_new(o, "pattern_version", json_string("2.1"));
		json_object_set_new(o, "valid_from", json_string(zT));
		free(zPattern);
		add(s, o);
	}
	json_decref(order);
}

/* ---- campaigns (one per C2 of the scenario) ---- */

static void campaigns(stix *s) {
	size_t i;
	json_t *e;
	json_array_foreach(s->d->events, i, e) {
		if (strcmp(str(e, "kind"), "attack.compromise")) continue;
		const char *zC2 = str(e, "subject");
		if (json_object_get(s->camp, zC2)) continue;
		char zId[96];
		make_id(s, "campaign", zC2, zId);
		json_t *o = sdo(s, "campaign", zId, ival(e, "t_us"), TLP_GREEN);
		char *zName = rep_msg_str(s->lang, "stix.campaign", "c2", zC2, "title", str(s->d->exercise, "title"), NULL);
		json_object_set_new(o, "name", json_string(zName ? zName : zC2));
		free(zName);
		char zT[32];
		stamp(s, ival(e, "t_us"), zT);
		json_object_set_new(o, "first_seen", json_string(zT));
		add(s, o);
		json_object_set_new(s->camp, zC2, json_string(zId));
	}
}

/* ---- notes (shares), sightings, relationships ---- */

static void notes(stix *s, const char *zReport) {
	size_t i, k;
	json_t *a, *v;
	json_array_foreach(s->d->actions, i, a) {
		json_t *args = json_object_get(a, "args");
		if (strcmp(str(a, "kind"), "share") || json_is_string(json_object_get(json_object_get(a, "result"), "error"))) continue;
		int tlp = tlp_rank(json_string_value(json_object_get(args, "tlp")));
		if (tlp == TLP_RED) continue; /* never exported */
		char zId[96], zKey[64];
		snprintf(zKey, sizeof zKey, "share:%lld", ival(a, "seq"));
		make_id(s, "note", zKey, zId);
		json_t *o = sdo(s, "note", zId, ival(a, "t_us"), tlp);
		const char *zTo = str(args, "to");
		char *zAbs = rep_msg_str(s->lang, "stix.note", "from", rep_data_team_name(s->d, str(a, "team")), "to",
		                         !strcmp(zTo, "all") ? rep_msg(s->lang, "to.all") : rep_data_team_name(s->d, zTo), NULL);
		json_object_set_new(o, "abstract", json_string(zAbs ? zAbs : ""));
		free(zAbs);
		json_object_set_new(o, "content", json_string(str(args, "text")));
		json_object_set_new(o, "authors", json_pack("[s]", rep_data_team_name(s->d, str(a, "team"))));
		json_t *refs = json_array();
		json_array_foreach(json_object_get(args, "indicators"), k, v) {
			char zLow[512];
			snprintf(zLow, sizeof zLow, "%s", json_is_string(v) ? json_string_value(v) : "");
			for (char *p = zLow; *p; p++) *p = (char)tolower((unsigned char)*p);
			json_t *id = json_object_get(json_object_get(s->ind, zLow), "id");
			if (id) json_array_append(refs, id);
		}
		if (!json_array_size(refs)) json_array_append_new(refs, json_string(zReport));
		json_object_set_new(o, "object_refs", refs);
		add(s, o);
	}
}

static void sightings(stix *s) {
	const char *k;
	json_t *r;
	size_t i;
	json_t *order = json_array();
	json_array_foreach(s->objs, i, r) if (!strcmp(str(r, "type"), "indicator")) json_array_append(order, r);
	json_array_foreach(order, i, r) {
		const char *zInd = str(r, "id");
		json_t *rec = NULL, *x;
		json_object_foreach(s->ind, k, x) if (!strcmp(str(x, "id"), zInd)) rec = x;
		size_t m;
		json_t *w;
		json_array_foreach(json_object_get(rec, "teams"), m, w) {
			char zId[96], zKey[300], zT1[32], zT2[32];
			snprintf(zKey, sizeof zKey, "%s|%s", zInd, str(w, "team"));
			make_id(s, "sighting", zKey, zId);
			json_t *o = sdo(s, "sighting", zId, ival(w, "first"), mark_of(s, zInd));
			stamp(s, ival(w, "first"), zT1);
			stamp(s, ival(w, "last"), zT2);
			json_object_set_new(o, "sighting_of_ref", json_string(zInd));
			json_object_set_new(o, "where_sighted_refs", json_pack("[O]", json_object_get(s->who, str(w, "team"))));
			json_object_set_new(o, "first_seen", json_string(zT1));
			json_object_set_new(o, "last_seen", json_string(zT2));
			json_object_set_new(o, "count", json_integer(ival(w, "n")));
			add(s, o);
		}
	}
	json_decref(order);
}

static void relationships(stix *s) {
	const char *k;
	json_t *r, *v;
	size_t i;
	/* campaign uses technique (the technique of its first compromise), and the malware */
	json_array_foreach(s->d->events, i, r) {
		if (strcmp(str(r, "kind"), "attack.compromise")) continue;
		const char *zCamp = str(s->camp, str(r, "subject"));
		const char *zTech = str(json_object_get(r, "detail"), "technique");
		if (*zCamp && *zTech) relate(s, zCamp, "uses", technique(s, zTech, ival(r, "t_us")), ival(r, "t_us"));
	}
	json_t *order = json_array();
	json_array_foreach(s->objs, i, r) if (!strcmp(str(r, "type"), "indicator")) json_array_append(order, r);
	json_array_foreach(order, i, r) {
		const char *zInd = str(r, "id");
		json_t *rec = NULL, *x;
		json_object_foreach(s->ind, k, x) if (!strcmp(str(x, "id"), zInd)) rec = x;
		if (!json_is_true(json_object_get(rec, "scenario"))) continue;
		const char *zCamp = str(s->camp, str(rec, "campaign"));
		if (*zCamp) relate(s, zInd, "indicates", zCamp, ival(rec, "t_us"));
		if (*str(rec, "technique")) relate(s, zInd, "indicates", technique(s, str(rec, "technique"), ival(rec, "t_us")), ival(rec, "t_us"));
		size_t m;
		json_array_foreach(s->mal, m, v) relate(s, zInd, "indicates", json_string_value(v), ival(rec, "t_us"));
	}
	json_decref(order);
	const char *zC2;
	json_object_foreach(s->camp, zC2, v) {
		size_t m;
		json_t *mw;
		json_array_foreach(s->mal, m, mw) relate(s, json_string_value(v), "uses", json_string_value(mw), 0);
	}
}

/* ---- markings, report, bundle ---- */

static json_t *marking(int tlp) {
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:{s:s,s:s}}}", "type", "marking-definition", "spec_version", "2.1", "id", aTlp[tlp].zId,
	                 "created", "2022-10-01T00:00:00.000Z", "name", aTlp[tlp].zName, "extensions", TLP_EXTENSION,
	                 "extension_type", "property-extension", "tlp_2_0", aTlp[tlp].zLevel);
}

static json_t *report_obj(stix *s, const char *zId) {
	json_t *model = rep_find_analyse(s->d, s->lang);
	rep_buf desc;
	rep_buf_init(&desc);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(model, "story"), i, v) {
		if (i) rep_buf_puts(&desc, " ");
		rep_buf_puts(&desc, json_string_value(v));
	}
	json_decref(model);
	json_t *refs = json_array();
	int tlp = TLP_CLEAR;
	json_array_foreach(s->objs, i, v) {
		json_array_append(refs, json_object_get(v, "id"));
		int m = mark_of(s, str(v, "id"));
		if (m > tlp) tlp = m;
	}
	json_t *o = sdo(s, "report", zId, s->d->tEnd, tlp);
	char zT[32];
	stamp(s, s->d->tEnd, zT);
	char *zName = rep_msg_str(s->lang, "doc.title", "title", str(s->d->exercise, "title"), NULL);
	json_object_set_new(o, "name", json_string(zName ? zName : "report"));
	free(zName);
	json_object_set_new(o, "description", json_string(desc.z ? desc.z : ""));
	rep_buf_free(&desc);
	json_object_set_new(o, "report_types", json_pack("[s]", "threat-report"));
	json_object_set_new(o, "published", json_string(zT));
	json_object_set_new(o, "object_refs", refs);
	return o;
}

/* The journal's identity, part of every id: scenario sha256, wall start and seed. */
static void journal_key(stix *s) {
	const rep_data *d = s->d;
	snprintf(s->zKey, sizeof s->zKey, "%s|%s|%lld", d->zSha ? d->zSha : "", d->zStartedAt ? d->zStartedAt : "", d->seed);
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	s->t0 = d->zStartedAt && strptime(d->zStartedAt, "%Y-%m-%dT%H:%M:%S", &tm) ? (long long)timegm(&tm) : 0;
}

int rep_stix_bundle(rep_buf *b, const rep_data *d, rep_lang lang, ky_err *err) {
	stix s = { .d = d, .lang = lang };
	journal_key(&s);
	s.objs = json_array();
	s.ind = json_object();
	s.tech = json_object();
	s.camp = json_object();
	s.who = json_object();
	s.marks = json_object();
	s.mal = json_array();
	char zReport[96];
	make_id(&s, "report", "after-action", zReport);
	identities(&s);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(d->exercise, "techniques"), i, v) if (json_is_string(v)) technique(&s, json_string_value(v), 0);
	named(&s, "malware", json_object_get(d->exercise, "malware"));
	named(&s, "tool", json_object_get(d->exercise, "tools"));
	campaigns(&s);
	collect_indicators(&s);
	indicators(&s);
	notes(&s, zReport);
	sightings(&s);
	relationships(&s);
	json_t *rep = report_obj(&s, zReport);
	/* the markings used, first, in TLP order */
	json_t *objs = json_array();
	s.aUsed[TLP_CLEAR] = 1; /* identities */
	for (int t = 0; t < TLP_N; t++) if (s.aUsed[t]) json_array_append_new(objs, marking(t));
	assert(!s.aUsed[TLP_RED]);
	json_array_extend(objs, s.objs);
	json_array_append_new(objs, rep);
	char zBundle[96];
	make_id(&s, "bundle", "bundle", zBundle);
	json_t *bundle = json_pack("{s:s,s:s,s:o}", "type", "bundle", "id", zBundle, "objects", objs);
	char *z = bundle ? json_dumps(bundle, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_t *a[] = { bundle, s.objs, s.ind, s.tech, s.camp, s.who, s.marks, s.mal };
	for (size_t k = 0; k < sizeof a / sizeof a[0]; k++) json_decref(a[k]);
	if (!z) return ky_err_set(err, KY_ENOMEM, "stix: out of memory");
	rep_buf_puts(b, z);
	rep_buf_puts(b, "\n");
	free(z);
	return b->bOom ? ky_err_set(err, KY_ENOMEM, "stix: out of memory") : 0;
}

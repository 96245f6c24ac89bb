/* stix (report): what the drill learned and shared, as a STIX 2.1 bundle an ISAC can pass to its members
 * (`kyodo report --stix FILE.json`): an identity per organisation (per team when the exercise has no orgs) and
 * one for exercise control (the producer), an attack-pattern per technique (ATM / ATT&CK ids as external
 * references), a campaign per command-and-control the scenario used, malware and tools the scenario names, an
 * indicator per indicator the scenario used or a team shared (STIX patterning: ipv4-addr, ipv6-addr,
 * domain-name, url, email-addr, file hashes), a note per share, sightings (a team that blocked or shared an
 * indicator saw it), relationships (indicates, uses), and a report object tying them together.
 *
 * Markings: TLP 2.0 marking definitions (the OASIS ones, fixed ids). A note carries its share's TLP; an indicator
 * the most permissive TLP of the shares that carried it, TLP:GREEN when only the scenario knew it; the report the
 * most restrictive TLP of what it refers to. Nothing from a TLP:RED share is exported: not the share, and not an
 * indicator that only TLP:RED shares carried (even when the scenario used it too).
 *
 * Determinism: ids are UUIDv5 (SHA-1, RFC 4122 §4.3) of the object's content key and the journal's identity
 * (scenario sha256, start time, seed), timestamps are the journal's wall start plus sim time: two exports of one
 * journal are byte for byte identical. */
#ifndef REP_STIX_H
#define REP_STIX_H

#include <stddef.h>
#include <stdint.h>

#include "ui/report/buf.h"
#include "ui/report/data.h"
#include "ui/report/msg.h"

/* Appends the bundle (JSON, 2-space indent). 0, or KY_ENOMEM. */
int rep_stix_bundle(rep_buf *b, const rep_data *d, rep_lang lang, ky_err *err);

/* UUIDv5 of zName in namespace ns (16 bytes) as 36 characters + NUL ("886313e1-3b8a-5372-9b90-0c9aee199e5d"). */
void rep_stix_uuid5(const unsigned char ns[16], const char *zName, char zOut[37]);
/* SHA-1 of n bytes into 20 bytes (FIPS 180-4), for UUIDv5. */
void rep_stix_sha1(const void *p, size_t n, unsigned char out[20]);
/* The STIX pattern of an indicator value (new string: "[ipv4-addr:value = '203.0.113.7']"), or NULL for a value
 * that is none of the kinds listed above. */
char *rep_stix_pattern(const char *zValue);

#endif

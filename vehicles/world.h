/* world: the simulated connected-car world of a drill: the fleet (struct-of-arrays), ECU firmware and SBOMs,
 * OTA, in-vehicle IDS, the backend services (telematics, OTA server, VSOC, PKI, app API), the attack
 * primitives a scenario calls and the team actions that respond. Everything it does runs as events on an
 * eng_sim, draws only from the sim's named random streams and iterates in car-id order, so a world is a pure
 * function of (configuration, seed, timestamped calls). Knows nothing of Lua, sockets or pixels: scenarios and
 * teams talk to it in JSON (jansson). The model and its default numbers: docs/world-model.md.
 *
 * Ownership: every json_t argument is borrowed for the call; every json_t result is a new reference the caller
 * decrefs. Errors: 0 or a negative KY_E* code with a ky_err naming the verb and the field
 * ("attack.compromise: select.model: unknown model 'Sedn-A' (known: Sedan-A, SUV-B)"); on error nothing in the
 * world has changed. */
#ifndef VEH_WORLD_H
#define VEH_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "engine/err.h"
#include "engine/sim.h"
#include "engine/time.h"
#include "vehicles/sbom.h"

typedef struct veh_world veh_world;

/* Creates an empty world on the simulator (borrowed; must outlive the world); registers its event kinds.
 * NULL with err set when out of memory or the sim has no room for more kinds. */
veh_world *veh_world_new(eng_sim *sim, ky_err *err);
void veh_world_free(veh_world *w);

/* Configuration, before veh_world_start. An organisation (CONTRACT §2 orgs{}), before any cohort:
 * {"id":"oem_a","name":"OEM A","kind":"oem","ingest":"30m"} (kind: oem, supplier, isac, soc, regulator; ingest:
 * optional, the delay after which its backend blocks the indicators of a share it receives, see veh_world_ingest).
 * Only an "oem" has cars and its own backend services. A world without orgs has one implicit organisation. */
int veh_world_add_org(veh_world *w, json_t *org, ky_err *err);
/* `cohort` is one CONTRACT fleet{} entry:
 * {"model":"Sedan-A","count":20000,"region":"JP-Kanto","ecus":{"tcu":"2.3.1","gw":"1.4.0"}} with optional
 * "features":["remote_start","remote_unlock",...] (default: all), "online":0.9 (fraction online at start),
 * "checkin":"5m" (check-in period, the same for every cohort: the first one set wins), and "org" (required once
 * orgs are declared: an org of kind oem). KY_ESTATE after start. */
int veh_world_add_cohort(veh_world *w, json_t *cohort, ky_err *err);
/* Tunes a default number of the model (docs/world-model.md lists them), e.g. {"ids.detect_p":0.05,
 * "block.delay":"15m"}. Unknown names are KY_ENOENT. Allowed before and after start. */
int veh_world_set_params(veh_world *w, json_t *params, ky_err *err);
/* SBOM: {"tcu":{"2.3.1":["openssl@1.1.1k","busybox@1.31.1"]}} (adds to what is known). */
int veh_world_add_sbom(veh_world *w, json_t *sbom, ky_err *err);
/* A CycloneDX document (bom.json: "components":[{"name":..,"version":..},...], nested components too) for one
 * ECU class and firmware version (NULL or "": from metadata.component). */
int veh_world_add_sbom_cyclonedx(veh_world *w, const char *ecu, const char *version, json_t *bom, ky_err *err);
/* A CycloneDX document as text (up to VEH_SBOM_MAX_BYTES): a firmware's SBOM, a part's SBOM, or VEX statements;
 * opt says which and receives what was found (sbom.h veh_sbom_add_cyclonedx). Errors name zFile and the JSON path. */
int veh_world_load_cyclonedx(veh_world *w, const char *zText, size_t nText, const char *zFile, veh_sbom_load *opt, ky_err *err);
/* The SBOM facts a report needs (veh_sbom_json: firmware, vulnerabilities with their ground truth); new ref. */
json_t *veh_world_sbom_json(const veh_world *w);
/* A backend service of the drill's story (CONTRACT §2 services{}), before start, beside the built-in telematics, ota,
 * vsoc, pki and app_api: {"id":"dms","name":"Dealer management system","org":"oem_a","customers":12000,
 * "operator":"cdk","degraded_loss":0.5}. org: whose service (required with several OEMs; any org kind); customers:
 * who use it directly (its customer-hours when it is down or degraded, degraded_loss the share a degraded service
 * fails, default 0.5); operator: an outside party runs it (teams cannot isolate or restore it). Its id must differ
 * from every other service's. KY_EINVAL / KY_ENOENT naming the field. */
int veh_world_add_service(veh_world *w, json_t *svc, ky_err *err);
/* A credential (credentials{}), before start, after the services it names: {"id":"svc-telemetry-batch",
 * "kind":"service_account"|"api_key"|"signing_key","held_by":"supplier","holder_org":"tier1"?,"org":"oem_a"?,
 * "reaches":["telematics"],"used_by":["telematics"]?,"rotation":"30m"?,"leaked":false?}. held_by: who holds it (a
 * team or org id, recorded); with orgs the holder's org is holder_org or held_by itself; org: whose built-in services
 * it reaches (default the holder's when an OEM, else the only OEM); used_by: the services degraded while it rotates
 * (default: reaches); rotation: how long (default 30m service account, 1h API key, 2h signing key); leaked: the
 * attacker holds it from the start. */
int veh_world_add_credential(veh_world *w, json_t *cred, ky_err *err);
/* Is z one of the built-in backend services (telematics, ota, vsoc, pki, app_api)? */
int veh_service_builtin(const char *z);
/* The declared services [{id,name,customers,org?,operator?}] and credentials [{id,name,kind,held_by,reaches,used_by,
 * rotation_s,reaches_org?}] (new refs; empty arrays when none). */
json_t *veh_world_services_json(const veh_world *w);
json_t *veh_world_credentials_json(const veh_world *w);
/* Schedules the cars' periodic behaviour (check-ins, IDS, OTA, VSOC). KY_ESTATE when called twice. */
int veh_world_start(veh_world *w, ky_err *err);

/* Scenario verbs (CONTRACT §2), by name: "fleet.count", "fleet.select", "attack.compromise", "attack.spread",
 * "attack.stop", "attack.exfiltrate", "attack.abuse_feature", "attack.malicious_ota", "service.degrade",
 * "service.status", "alert", "sbom.affected", "world.metrics". args is the Lua table as JSON (borrowed; NULL
 * is an empty object). *result (new reference, may be NULL when the verb returns nothing) e.g. a count as
 * json_integer, or an object. Unknown verb: KY_ENOENT. */
int veh_world_call(veh_world *w, const char *verb, json_t *args, json_t **result, ky_err *err);

/* Team actions (CONTRACT §3) that change the world: block_indicator, isolate_service, revoke_certificate,
 * ota_campaign, disable_feature, assess (and for triage/notify/share/report it returns 0, *result NULL, and does
 * nothing). *result (new ref) describes the effect, e.g. {"cut_cars":1234} or for assess
 * {"truth":5120,"claimed":5000,"error":0.023}. team is recorded in the facts; it may be NULL.
 * Extensions: "restore_service" {name} (back from isolation, rebuilt clean) and revoke_certificate with
 * scope "signing_key" (rotates the OTA signing key: malicious packages are rejected, no car is cut).
 * Unknown kind: KY_ENOENT. */
int veh_world_action(veh_world *w, const char *team, const char *kind, json_t *args, json_t **result, ky_err *err);
/* The same for a team of organisation org (NULL: no scope, as veh_world_action). With orgs declared the kind's scope
 * (vehicles/action.h veh_scope) limits it to that org: selectors to its cars, service names to its backend,
 * block_indicator to its gateway; an action naming another org's cars or services is refused (KY_EINVAL, the error
 * names that org's id), and an org without a fleet may only take the kinds flagged VEH_ACT_NOFLEET. */
int veh_world_action_as(veh_world *w, const char *team, const char *org, const char *kind, json_t *args, json_t **result,
                        ky_err *err);
/* Automated ingestion of shared indicators (CONTRACT §2 ingest): org's gateway blocks every campaign that uses one
 * of the indicators (a JSON array of strings), org.ingest after now. An org without ingest does nothing (0,
 * *result {"scheduled":false}). *result (new ref): {"scheduled":true,"at_us":T,"matched":N,"cars":N}. */
int veh_world_ingest(veh_world *w, const char *org, json_t *indicators, json_t **result, ky_err *err);

/* Metrics: a fixed struct and the same as JSON (new ref) for the "fleet" protocol message and the journal. Both read
 * counters the world keeps as cars change state: O(services + campaigns), whatever the fleet size. */
typedef struct veh_metrics {
	int64_t total, clean, compromised, patched, offline, bricked, revoked;
	int64_t records_exfiltrated, unsafe_events, customers_affected;
	double compromised_car_hours, service_downtime_s;
	/* extensions (also in the JSON) */
	int64_t alerts, alerts_queued, incidents, checkins, remote_commands, remote_commands_failed;
	int64_t ota_offered, ota_downloading, ota_installing, ota_done, ota_failed;
	/* declared services and recalls: customer-hours without a declared service (down: all its customers; degraded: its
	 * degraded_loss share), cars fixed at dealers and the customer-hours those visits took */
	double services_customer_hours, recall_customer_hours;
	int64_t recall_visits;
} veh_metrics;
void veh_world_metrics(const veh_world *w, veh_metrics *out);
/* {"total":..,"compromised":..,...,"services":{"telematics":"up","ota":"up",...}} (new ref); with orgs declared,
 * "services" holds each service's worst health over the OEMs and "orgs":{ORG:{...the same for its cars and its own
 * backend...}} (every org; the orgs' counts sum to the totals). */
json_t *veh_world_metrics_json(const veh_world *w);
/* One organisation's metrics (KY_ENOENT for an unknown org, or when the drill declares none); as JSON with "org". */
int veh_world_org_metrics(const veh_world *w, const char *org, veh_metrics *out);
json_t *veh_world_org_metrics_json(const veh_world *w, const char *org);
/* [{"id","name","kind","cars","ingest_s"?}] of the declared orgs (empty without orgs), new ref. */
json_t *veh_world_orgs_json(const veh_world *w);
/* Does the drill declare orgs? The kind ("oem", ...) of org and whether it has a fleet: 0 or KY_ENOENT. */
int veh_world_has_orgs(const veh_world *w);
int veh_world_org_info(const veh_world *w, const char *org, const char **pzKind, int *pbFleet);

/* What the fleet's owner observes (CONTRACT §4, visibility "observed"): the same shape as the metrics JSON, with
 * "observed":true, `compromised` the cars its detection has flagged (an IDS alert reached a working VSOC; never
 * more than the truth), service health as its monitoring shows it (a compromised service looks up until the VSOC
 * opens an incident for an attack through it), and none of the ground truth it cannot know (records exfiltrated,
 * unsafe events, compromised car-hours). The metrics JSON carries `observed_compromised` beside the truth. New ref. */
json_t *veh_world_observed_json(const veh_world *w);
/* What one organisation observes of its own fleet and backend (the same shape, with "org"); NULL for an unknown org.
 * veh_world_observed_json of a world with orgs is every org's observation summed (an ISAC's aggregate view). */
json_t *veh_world_org_observed_json(const veh_world *w, const char *org);

/* World facts (state changes, alerts, attack steps) go to one sink set by the drill; the sink must not call back
 * into the world. detail is borrowed for the call. kind e.g. "alert", "attack.compromise", "service.health". */
typedef void (*veh_fact_fn)(void *ctx, eng_time_t t, const char *kind, const char *subject, json_t *detail);
void veh_world_set_fact_sink(veh_world *w, veh_fact_fn fn, void *ctx);

/* Whole-state digest (CONTRACT state_hash): SHA-256 of the snapshot, 64 hex chars + NUL. */
void veh_world_state_hash(const veh_world *w, char hex[65]);
/* Snapshot codec for the journal's seek: compact binary blob of the full world state (malloc'd, caller frees). */
int veh_world_snapshot(const veh_world *w, unsigned char **pBuf, size_t *pLen, ky_err *err);
/* Loads a blob made by veh_world_snapshot into a world configured with the same cohorts (started or not);
 * the world's pending events are re-scheduled from the blob's times (those before the sim's now fire at now).
 * A world not yet started is started first. KY_EPARSE if corrupt, KY_EINVAL if the cohorts, seed or check-in
 * period differ; on error the world's state is otherwise unchanged. */
int veh_world_restore(veh_world *w, const unsigned char *buf, size_t len, ky_err *err);
/* Models, regions, ECUs, features, services, states, verbs known (for the UI's selectors): new ref JSON object. */
json_t *veh_world_catalog_json(const veh_world *w);

/* ---- re-running a world without its scenario (the replay's exact seek; vehicles/tap.c) ----
 * A world is a pure function of its configuration, seed and the timestamped inputs it was given, in their order
 * relative to its own events. The configuration is kept as given; a tap hears every input and every event; the
 * order of the pending events and the cars' state columns can be read; veh_world_rearm puts the pending events
 * back in a recorded order after veh_world_restore (which schedules them in a fixed order: a tie at the same
 * time would otherwise run in another order than in the recorded drill). */

/* The configuration given before start, in order: [{"op":"org"|"cohort"|"params"|"sbom"|"service"|"credential","args":{..}} |
 * {"op":"sbom_cdx","args":{"ecu","version","bom"}} | {"op":"sbom_load","args":{"text","file","ecu","version","part"}}]
 * (new ref); NULL when it could not be kept whole (then a replay must re-simulate the scenario). */
json_t *veh_world_config_json(const veh_world *w);
/* Applies such an array to a world not yet started. 0 or the failing entry's error, prefixed with its index. */
int veh_world_configure(veh_world *w, json_t *config, ky_err *err);

/* Inputs: scenario verbs that can change the world (fleet.count and the other pure queries are not inputs),
 * team actions, parameters set after start, ingestions of shared indicators (args {"org","indicators"}). A team
 * action of an organisation's team (veh_world_action_as) carries that org in its args under "@org", which
 * veh_world_input takes back out, so that a re-run applies the same scope. */
enum { VEH_INPUT_CALL, VEH_INPUT_ACTION, VEH_INPUT_PARAMS, VEH_INPUT_INGEST, VEH_INPUT_N };
const char *veh_input_kind_name(int kind);   /* "call", "action", "params", "ingest" */
int veh_input_kind_index(const char *z);     /* -1 if unknown */
/* The tap. on_input: an input about to be applied (args borrowed; it is applied whatever the callback does).
 * on_step: one of the world's own events (check-in slot, VSOC round, C2 block) starting; step counts them from 1.
 * Callbacks must not call into the world, except eng_sim_pause on its sim from on_step. Either may be NULL. */
typedef struct veh_tap {
	void *ctx;
	void (*on_input)(void *ctx, int kind, const char *zName, const char *zTeam, json_t *args);
	void (*on_step)(void *ctx, uint64_t step);
} veh_tap;
void veh_world_set_tap(veh_world *w, const veh_tap *tap); /* copied; NULL removes it */
/* The world's own events run so far (not in the snapshot: restore leaves it as it is). */
uint64_t veh_world_steps(const veh_world *w);
/* Applies an input as the tap reported it; the result, if any, is dropped. 0 or the input's own error (the same
 * one the recorded drill met: an input that failed then fails again, changing nothing). */
int veh_world_input(veh_world *w, int kind, const char *zName, const char *zTeam, json_t *args, ky_err *err);

/* The pending events in the order the engine will run them (by time, then by insertion), as
 * [[KIND,INDEX,T_US],...] with KIND "tick", "vsoc", "block" or "rotate" and INDEX the campaign of a block, plus 256
 * times the organisation whose gateway blocks it (0 without orgs), or the credential of a rotation (new ref). */
json_t *veh_world_pending_json(const veh_world *w);
/* Re-schedules the pending events in the order of such a list, which must name exactly the events pending
 * (KY_EINVAL otherwise, nothing changed). */
int veh_world_rearm(veh_world *w, json_t *pending, ky_err *err);

/* The cars' flags (VEH_F_* of vehicles/fleet.h), car ids 0..*pN-1 in cohort order (cohorts as listed by
 * veh_world_catalog_json): borrowed, read-only, valid until the world next changes. */
const uint16_t *veh_world_flags(const veh_world *w, uint32_t *pN);

/* Counters for benchmarks: car-level events handled (check-ins, IDS draws, OTA steps, infections) and
 * bytes held per car by the fleet arrays. */
uint64_t veh_world_car_events(const veh_world *w);
size_t veh_world_bytes(const veh_world *w);

#endif

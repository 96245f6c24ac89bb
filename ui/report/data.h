/* data (report): everything the after-action report and the exports read, loaded once from a drill's journal
 * (engine/journal, read-only; never written, nothing re-simulated). What only the run knew at its end (the
 * summary with every expectation's outcome, the MSEL with the injects callbacks declared, the end's wall time)
 * the recorder stored as metadata at close (docs/journal.md); a journal without them (a drill still running, or
 * killed) loads too, with those parts NULL, and the outputs say what is missing.
 * Everything is jansson: objects borrowed from rep_data are valid until rep_data_free. */
#ifndef REP_DATA_H
#define REP_DATA_H

#include <jansson.h>

#include "engine/err.h"
#include "engine/time.h"

typedef struct rep_data {
	char *zPath;                 /* the journal file */
	json_t *exercise;            /* meta exercise: id, title, description, duration_us, seed, teams, techniques, ... */
	json_t *summary;             /* meta summary (`kyodo run --json` at close), NULL when absent */
	json_t *plan;                /* meta plan (scn_drill_plan_json), or rebuilt from exercise.inject_list; never NULL */
	int bPlanFull;               /* plan came from the journal's `plan` (bodies, expectations), not rebuilt */
	const char *zStartedAt, *zEndedAt, *zVersion, *zScenarioId, *zSha; /* meta text (NULL when absent) */
	long long seed;
	eng_time_t tEnd;             /* the last sim time recorded (summary sim_end_us, else the last metrics row) */
	json_t *teams;               /* [{"id","name","org"?}] in scenario order */
	json_t *orgs;                /* {ORG:{"name","kind"}} ({} without orgs) */
	json_t *injects;             /* {ID:{"t_us","msg"}}: the first delivery of each inject sent */
	json_t *deliveries;          /* [{"inject","team","t_us"}] */
	json_t *reads;               /* [{"inject","team","t_us"}] */
	json_t *messages;            /* [{"t_us","from","to","msg"}] */
	json_t *actions;             /* [{"seq","team","id","t_us","kind","args","result"?,"inject"?,"by"?}] by seq */
	json_t *grades;              /* [{"seq","t_us","points","comment"}] in input order (a later grade of a seq replaces) */
	json_t *scores;              /* {TEAM:[[t_us, score], ...]} */
	json_t *metrics;             /* [{"t_us","total","compromised","patched","offline","bricked","harm"?}]: the fleet
	                                samples' numbers the report uses, in time order */
	json_t *events;              /* [{"t_us","kind","subject","detail"}]: attack.*, scenario.*, score.change, log, and
	                                the world's drill-level facts (c2.*, vsoc.*, ota.*, service.*, ingest.*) */
	json_t *feedback;            /* [{"team","participant","name","answers","t_us","at"}] the latest per participant */
	json_t *adhoc;               /* [{"t_us","msg"}] the facilitator's ad-hoc injects */
	json_t *pMeta;               /* owns the meta strings above */
} rep_data;

/* Loads the journal at zDb (read-only). NULL with err set: KY_ENOENT no such file or nothing recorded in it,
 * KY_EIO / KY_EVERSION an unusable file (journal.h's messages), KY_EPARSE damaged metadata JSON. */
rep_data *rep_data_load(const char *zDb, ky_err *err);
void rep_data_free(rep_data *d);

/* Small lookups. */
const char *rep_data_team_name(const rep_data *d, const char *zTeam);  /* the name, else the id itself */
const char *rep_data_team_org(const rep_data *d, const char *zTeam);   /* the org id, NULL without orgs */
const char *rep_data_org_name(const rep_data *d, const char *zOrg);    /* the org's name, else its id */
json_t *rep_data_expectations(const rep_data *d);                       /* summary.expectations or NULL */
/* The final score of a team: its last scores row, else the summary's, else 0. */
double rep_data_final_score(const rep_data *d, const char *zTeam);

#endif

/* model (ui/replay): what the viewer shows of one recorded drill besides the fleet, read once from the journal:
 * the exercise (title, teams, duration), the metric samples and the teams' scores over time, the timeline's
 * markers (attack steps, injects, each team's actions, shares, the facilitator's ad-hoc injects) and the lines of
 * the event panel. The world itself comes from seek.h. Reads the journal only; nothing of pixels. */
#ifndef RPL_MODEL_H
#define RPL_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/journal.h"
#include "engine/time.h"

#define RPL_MAX_TEAMS 16

/* Timeline lanes: attack steps, injects, shares between teams, the facilitator, then one lane per team. */
enum { RPL_LANE_ATTACK, RPL_LANE_INJECT, RPL_LANE_SHARE, RPL_LANE_FACILITATOR, RPL_LANE_TEAM0 };
#define RPL_LANE_WORLD 64 /* event panel lines of other world facts (no timeline lane) */

/* World metrics kept per sample (the fleet message's fields of the same names). */
enum { RPL_M_TOTAL, RPL_M_COMPROMISED, RPL_M_PATCHED, RPL_M_OFFLINE, RPL_M_BRICKED, RPL_M_RECORDS, RPL_M_HARM, RPL_M_N };

typedef struct rpl_marker {
	eng_time_t t;
	int lane;         /* RPL_LANE_*; a team's lane is RPL_LANE_TEAM0 + its index */
	int bError;       /* an action the world refused */
	char *zLabel;     /* short: "T0012 compromise 81", "I1", "block_indicator" */
} rpl_marker;

typedef struct rpl_line {  /* one line of the event panel */
	eng_time_t t;
	int lane;
	int bError;
	char *zText;
	size_t iOrder;    /* reading order among lines of the same time */
} rpl_line;

typedef struct rpl_sample {
	eng_time_t t;
	double v[RPL_M_N];
} rpl_sample;

typedef struct rpl_score {
	eng_time_t t;
	int team;
	double score;
} rpl_score;

typedef struct rpl_model {
	char *zTitle, *zId;
	eng_time_t duration;
	int nTeam;
	char *azTeam[RPL_MAX_TEAMS], *azTeamName[RPL_MAX_TEAMS];
	rpl_marker *aMark;
	size_t nMark;
	rpl_line *aLine;
	size_t nLine;
	rpl_sample *aSample;
	size_t nSample;
	rpl_score *aScore;
	size_t nScore;
	double scoreMin, scoreMax; /* over every team and sample, 0 included */
	char *zWhatif;             /* a what-if journal: "what-if from 01:00:00, ALT.jsonl" (NULL otherwise) */
	eng_time_t tWhatif;        /* where it leaves the recorded drill (-1: not a what-if) */
	int bHarm;                 /* the metric samples carry the harm index (journals since the impact figures) */
	int bImpact;               /* the run summary has the impact figures (meta summary.impact): */
	double impactHarm, impactBaseline, impactAverted; /* its harm, baseline and averted (a fraction) */
	uint64_t seed;             /* the recorded seed (meta seed) */
} rpl_model;

/* Reads the model of journal j. 0, or an error naming the table: KY_EIO/KY_EPARSE a damaged journal. */
int rpl_model_load(rpl_model *m, eng_journal *j, ky_err *err);
void rpl_model_free(rpl_model *m);

/* The metric sample in force at t (the last one at or before t), or NULL before the first. */
const rpl_sample *rpl_model_sample_at(const rpl_model *m, eng_time_t t);
/* A team's score at t (0 before its first change). */
double rpl_model_score_at(const rpl_model *m, int team, eng_time_t t);
/* Index of the marker after / before t (-1 if none): the viewer's next / previous marker keys. lane < 0: any;
 * laneMask: lanes shown (bit per lane). */
long rpl_model_marker_after(const rpl_model *m, eng_time_t t, unsigned long laneMask);
long rpl_model_marker_before(const rpl_model *m, eng_time_t t, unsigned long laneMask);
/* The first marker of the attack lane (the first attack step), or -1 when it never came. */
eng_time_t rpl_model_first_attack(const rpl_model *m);

#endif

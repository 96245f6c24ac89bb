/* chart (report): the AAR's charts as inline SVG (no script, no external asset): fleet states over time, each
 * team's score over time, harm against the no-response baseline, and time to respond per inject and team. Each
 * function appends one <svg> element sized by its viewBox (the page scales it to its width); texts come from the
 * catalogue. Colours: the fleet states use CONTRACT §1's Okabe-Ito colours, teams a fixed palette in team order. */
#ifndef REP_CHART_H
#define REP_CHART_H

#include <jansson.h>

#include "engine/time.h"
#include "ui/report/buf.h"
#include "ui/report/msg.h"

/* Compromised, patched, offline and bricked cars over sim time, one small panel each (own y scale). metrics: the
 * journal's fleet samples (each with t_us). Returns the number of samples drawn. */
int rep_chart_fleet(rep_buf *b, json_t *metrics, eng_time_t tEnd, rep_lang lang);
/* Each team's score over sim time (a step line per team, labelled at its end). scores: {TEAM:[[t_us,score],..]};
 * teams: [{"id","name"}] for order and names. */
void rep_chart_scores(rep_buf *b, json_t *scores, json_t *teams, eng_time_t tEnd, rep_lang lang);
/* Harm H against the no-response baseline H0, and the harm each team averted (impact: CONTRACT §1). */
void rep_chart_impact(rep_buf *b, json_t *impact, json_t *teams, rep_lang lang);
/* Time to respond, rows [i0, i1) of the model's "response" rows: a bar per (inject, team) as a share of its
 * window (the window is the line at 100 %; points fall to zero at 200 %). */
void rep_chart_response(rep_buf *b, json_t *rows, size_t i0, size_t i1, json_t *teams, rep_lang lang);

/* The colour of team i in the palette (#rrggbb). */
const char *rep_chart_team_colour(size_t i);

#endif

/* find (report): the analysis behind the after-action report, derived from the journal's data only (data.h): each
 * team's expectations with their response times against the windows, points and grades, the P/S/M/U rating per
 * objective, and the findings (strengths, areas for improvement) ranked by weight, which also pre-fill the
 * improvement plan. The rules are documented in docs/reports.md; the texts come from the catalogue (msg.h).
 *
 * Rating rule (HSEEP P/S/M/U), per team and objective, over the expectations whose inject was delivered:
 *   earned share f = points awarded / points possible;
 *   P (performed without challenges) when every expectation was met inside its window (f = 1),
 *   S (performed with some challenges) when f >= 2/3, M (performed with major challenges) when f > 0,
 *   U (unable to be performed) when f = 0. Objectives with no delivered expectation are not rated.
 * An expectation's objective is the one the scenario gave it (`objective = "..."`), else the capability its
 * action kind evidences (rep_find_objective_key). */
#ifndef REP_FIND_H
#define REP_FIND_H

#include <jansson.h>

#include "ui/report/data.h"
#include "ui/report/msg.h"

/* The model (new ref), texts in lang:
 * {"teams":[{"id","name","org","org_name","score","possible","earned","met","missed","late","unfired","pending",
 *            "actions","refused","shares","by":[names], "grades":[{"seq","kind","points","comment","t_us"}],
 *            "penalties":[{"reason","points","t_us"}], "refusals":[{"seq","kind","error","t_us"}],
 *            "expectations":[{"label","inject","kind","objective","within_us","points","status","awarded",
 *                             "opened_us"?,"response_us"?}],
 *            "ratings":[{"objective","rating","earned","possible","n"}]}],
 *  "objectives":[names in first-seen order],
 *  "response":[{"inject","team","within_us","response_us"|null,"status"}],
 *  "strengths":[FINDING], "improvements":[FINDING],   FINDING = {"text","corrective"?,"owner","objective"?,"weight",
 *                                                                 "team"?,"priority"?}
 *  "counts":{"injects_planned","injects_sent","deliveries","reads","actions","refused","shares","shares_red",
 *            "grades","scenario_errors","expectations","met","missed","unfired","respondents"},
 *  "story":[sentences of what happened]}
 * NULL when out of memory. */
json_t *rep_find_analyse(const rep_data *d, rep_lang lang);

/* The catalogue key of the capability an action kind evidences ("obj.contain" for block_indicator, ...). */
const char *rep_find_objective_key(const char *zKind);
/* The rating letter of an earned share (see the rule above): "P", "S", "M" or "U". */
const char *rep_find_rating(double earned, double possible, int bAllInWindow);

#endif

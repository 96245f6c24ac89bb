/* msel (report): the master scenario events list of a recorded drill as CSV (CONTRACT §5), for a planning group's
 * spreadsheet: UTF-8 with a BOM (so spreadsheets show Japanese), RFC 4180 quoting, CRLF line ends, the header
 * row, then one row per inject and expectation in inject time order. `kyodo msel import` (scenarios/msel.c) reads
 * it back into a scenario; export -> import -> export keeps every row. */
#ifndef REP_MSEL_H
#define REP_MSEL_H

#include <jansson.h>

#include "ui/report/buf.h"
#include "ui/report/data.h"
#include "ui/report/msg.h"

/* The columns, in the order written. */
#define REP_MSEL_HEADER "event,time,to,severity,title,body,expected_action,expected_team,within,points,objective,notes"

/* Appends the CSV of d's plan (its injects, in time order, and their expectations); objectives the scenario left
 * unnamed are written as the capability of their action kind in lang. 0 or KY_ENOMEM. */
int rep_msel_csv(rep_buf *b, const rep_data *d, rep_lang lang, ky_err *err);
/* Appends the `expected_action` text of an expectation: the kind, then its args as key=value pairs (nested objects
 * as dotted keys, strings bare when they are plain words, else JSON-quoted; numbers, booleans and lists as JSON).
 * The inverse is scn_msel_parse_action (scenarios/msel.h). */
void rep_msel_action(rep_buf *b, const char *zKind, json_t *args);

#endif

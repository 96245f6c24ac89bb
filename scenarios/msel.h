/* msel (scenarios): a spreadsheet master scenario events list (CONTRACT §5, CSV) turned into a scenario skeleton
 * (`kyodo msel import FILE.csv [--out SCENARIO.lua]`): scenario{}, the teams named in `to`, a placeholder fleet,
 * one inject per event with its expectations, and the attack left as commented stubs. The CSV is RFC 4180 (quoted
 * fields with commas, doubled quotes and line breaks, a CRLF inside a cell read as LF), UTF-8 with or without a
 * BOM, CRLF or LF; its header names
 * the columns in any order, case-insensitive (unknown columns are ignored); only time, to and title are required.
 * A row continues the inject of the row before with the same `event` when its title is empty (one expectation
 * per row). The skeleton is loaded once more the way `kyodo check` loads it before it is written.
 * Errors: "FILE.csv:ROW:COLUMN: message", ROW as a spreadsheet counts them (the header is row 1), COLUMN the
 * column's header name (its number when the header has none). Nothing is written on an error.
 * The inverse of ui/report/msel.c (`kyodo report --msel`). */
#ifndef SCN_MSEL_H
#define SCN_MSEL_H

#include <jansson.h>

#include "engine/err.h"

/* Parses RFC 4180 text (n bytes; a leading UTF-8 BOM is skipped) into an array of records, each an array of
 * field strings (new ref), blank lines dropped; each record's spreadsheet row number is in *paRow (malloc'd,
 * caller frees). NULL with err "ROW:COLUMN: message" (COLUMN the 1-based field number) on bad quoting or bytes
 * that are not UTF-8. */
json_t *scn_msel_csv_parse(const char *z, size_t n, int **paRow, ky_err *err);

/* Parses an `expected_action` text: a kind then key=value pairs (dotted keys nest; values JSON-quoted strings,
 * JSON lists/objects/numbers/booleans, or bare words). *pzKind (malloc'd) and *pArgs (new object) on success;
 * KY_EPARSE with a message naming the bad token otherwise. */
int scn_msel_parse_action(const char *z, char **pzKind, json_t **pArgs, ky_err *err);

/* Reads the MSEL at zCsv and returns the scenario's Lua text (malloc'd), checked by loading it as `kyodo check`
 * does; NULL with err "FILE.csv:ROW:COLUMN: message". */
char *scn_msel_import(const char *zCsv, ky_err *err);

/* `kyodo msel import FILE.csv [--out SCENARIO.lua]`: exit 0, 1 (message on stderr), 2 usage; --help on stdout. */
int scn_msel_cli(int argc, char **argv);

#endif

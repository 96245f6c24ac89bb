/* actions (scenarios): the team actions file of `kyodo run --actions` (CONTRACT §1): one JSON object a line,
 * {"t":TIME,"team":ID,"kind":K,"args":{...}?,"id":CLIENT_ID?,"inject":ID?}, where TIME is seconds or a time string;
 * blank lines and lines starting with '#' are skipped. Parsed into a list sorted by time (file order for equal
 * times). Knows nothing of the drill: teams, kinds and args are checked when the actions are played. */
#ifndef SCN_ACTIONS_H
#define SCN_ACTIONS_H

#include <stddef.h>

#include <jansson.h>

#include "engine/err.h"
#include "engine/time.h"

typedef struct scn_action_line {
	eng_time_t t;
	int line;                      /* 1-based line in the file */
	char *zTeam, *zKind, *zId, *zInject; /* zId, zInject may be NULL */
	json_t *args;                  /* an object ({} when the line had none) */
} scn_action_line;

typedef struct scn_actions {
	scn_action_line *a;
	int n;
	const char *zPath;             /* borrowed: the name used in messages */
} scn_actions;

/* Parses n bytes of a file named zPath (borrowed; it must outlive *pOut) into *pOut, which must be zeroed or freed.
 * 0, or KY_EPARSE with "FILE:LINE: message" for the first bad line (KY_ENOMEM when out of memory); on error *pOut
 * holds nothing (free it all the same). */
int scn_actions_parse(const char *zPath, const char *p, size_t n, scn_actions *pOut, ky_err *err);
/* Reads and parses the file zPath; KY_EIO with "FILE: message" when it cannot be read. */
int scn_actions_load(const char *zPath, scn_actions *pOut, ky_err *err);
void scn_actions_free(scn_actions *p);

#endif

/* record: the observer that writes a drill into the journal (sqlite3). Owned by the journal helper; until it
 * lands, scn_record_attach is a stub that refuses (KY_ESTATE "journal not built yet").
 * `kyodo run --db FILE` and `kyodo serve --db FILE` call scn_record_attach right after scn_drill_open. */
#ifndef SCN_RECORD_H
#define SCN_RECORD_H

#include "engine/err.h"
#include "scenarios/drill.h"

typedef struct scn_record scn_record;

/* Opens (creates) the journal at zPath, writes the exercise header and attaches an observer to d that records
 * everything from now on. Returns the recorder (free it with scn_record_close after the drill, before
 * scn_drill_free) or NULL with err set. */
scn_record *scn_record_attach(scn_drill *d, const char *zPath, ky_err *err);
/* Flushes and closes the journal; 0 or a KY_E* code. NULL is a no-op. */
int scn_record_close(scn_record *r, ky_err *err);

#endif

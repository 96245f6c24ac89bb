/* record: stub until the journal helper replaces this file (see record.h). */
#include "scenarios/record.h"

#include <stddef.h>

scn_record *scn_record_attach(scn_drill *d, const char *zPath, ky_err *err) {
	(void)d;
	ky_err_set(err, KY_ESTATE, "%s: journal not built yet", zPath);
	return NULL;
}

int scn_record_close(scn_record *r, ky_err *err) {
	(void)r;
	(void)err;
	return 0;
}

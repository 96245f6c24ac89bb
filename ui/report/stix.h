/* stix (report): what the drill shared, as a STIX 2.1 bundle for an ISAC's partners. */
#ifndef REP_STIX_H
#define REP_STIX_H

#include "ui/report/buf.h"
#include "ui/report/data.h"
#include "ui/report/msg.h"

int rep_stix_bundle(rep_buf *b, const rep_data *d, rep_lang lang, ky_err *err);

#endif

#include "ui/report/stix.h"
int rep_stix_bundle(rep_buf *b, const rep_data *d, rep_lang lang, ky_err *err) {
	(void)b; (void)d; (void)lang;
	return ky_err_set(err, KY_EINVAL, "not yet");
}

/* err: see err.h. */
#include "engine/err.h"

#include <stdio.h>
#include <string.h>

int ky_err_set(ky_err *pErr, int code, const char *zFmt, ...) {
	if (pErr) {
		va_list ap;
		va_start(ap, zFmt);
		pErr->code = code;
		vsnprintf(pErr->zMsg, sizeof pErr->zMsg, zFmt, ap);
		va_end(ap);
	}
	return code;
}

int ky_err_prefix(ky_err *pErr, const char *zFmt, ...) {
	char zPre[256], zOld[sizeof pErr->zMsg];
	va_list ap;
	if (!pErr) return KY_EINVAL;
	va_start(ap, zFmt);
	vsnprintf(zPre, sizeof zPre, zFmt, ap);
	va_end(ap);
	memcpy(zOld, pErr->zMsg, sizeof zOld);
	snprintf(pErr->zMsg, sizeof pErr->zMsg, "%.200s: %.300s", zPre, zOld);
	return pErr->code;
}

const char *ky_err_name(int code) {
	switch (code) {
	case KY_OK: return "OK";
	case KY_EINVAL: return "EINVAL";
	case KY_ENOMEM: return "ENOMEM";
	case KY_ENOENT: return "ENOENT";
	case KY_EPAST: return "EPAST";
	case KY_ESTATE: return "ESTATE";
	case KY_EIO: return "EIO";
	case KY_EPARSE: return "EPARSE";
	case KY_ELIMIT: return "ELIMIT";
	case KY_EVERSION: return "EVERSION";
	}
	return "EUNKNOWN";
}

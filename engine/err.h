/* err: kyodo's error codes and the error struct carried up to the caller who prints it.
 * Every module returns 0 or a negative KY_E* code and, where it can say more, fills a ky_err naming
 * what and where ("scenarios/x.lua:12: unknown team 'foo'"). Only main and the server's log print. */
#ifndef KY_ERR_H
#define KY_ERR_H

#include <stdarg.h>

enum {
	KY_OK = 0,
	KY_EINVAL = -1,   /* bad argument or input */
	KY_ENOMEM = -2,   /* allocation failed or a cap was reached */
	KY_ENOENT = -3,   /* unknown id, name or file */
	KY_EPAST = -4,    /* an event scheduled before the current simulated time */
	KY_ESTATE = -5,   /* not allowed in the current state (already fired, already stopped, ...) */
	KY_EIO = -6,      /* file or database error */
	KY_EPARSE = -7,   /* malformed text: JSON, time, version, Lua */
	KY_ELIMIT = -8,   /* a budget (instructions, memory, frame size) was exceeded */
	KY_EVERSION = -9, /* a file written by a newer or unknown version */
};

typedef struct ky_err {
	int code;        /* KY_E*, 0 when nothing went wrong */
	char zMsg[512];  /* what and where, NUL-terminated */
} ky_err;

/* Sets pErr (may be NULL) to code and a printf-style message; returns code, so `return ky_err_set(...)`. */
int ky_err_set(ky_err *pErr, int code, const char *zFmt, ...) __attribute__((format(printf, 3, 4)));
/* Prefixes the message already in pErr with "prefix: " (e.g. the file:line of the caller). Returns pErr->code. */
int ky_err_prefix(ky_err *pErr, const char *zFmt, ...) __attribute__((format(printf, 2, 3)));
/* A short constant name for a code ("EINVAL"); never NULL. */
const char *ky_err_name(int code);

#endif

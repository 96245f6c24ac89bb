/* buf (report): a growing text buffer for the report's outputs (HTML, CSV, JSON) with HTML escaping, and the one
 * function that writes an output file. Out of memory is sticky: the buffer remembers it (bOom) and
 * rep_buf_write refuses to write a truncated file. Knows nothing of drills. */
#ifndef REP_BUF_H
#define REP_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "engine/err.h"

typedef struct rep_buf {
	char *z;      /* NUL-terminated text (NULL until the first byte) */
	size_t n;     /* bytes used, without the NUL */
	size_t nCap;
	int bOom;     /* an allocation failed: the text is incomplete */
} rep_buf;

void rep_buf_init(rep_buf *b);
void rep_buf_free(rep_buf *b);
void rep_buf_add(rep_buf *b, const char *z, size_t n);
void rep_buf_puts(rep_buf *b, const char *z);
void rep_buf_printf(rep_buf *b, const char *zFmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends z with &, <, >, " and ' escaped (text and attribute values alike). NULL appends nothing. */
void rep_buf_html(rep_buf *b, const char *z);
/* The same for the first n bytes of z. */
void rep_buf_html_n(rep_buf *b, const char *z, size_t n);
/* Appends a number the way the report shows it: integers without decimals, others with at most two. */
void rep_buf_num(rep_buf *b, double v);
/* Writes the buffer to zPath (through a temporary file renamed over it, so a reader never sees half a report).
 * 0, KY_ENOMEM when the buffer is incomplete, KY_EIO naming the file and the cause. */
int rep_buf_write(const rep_buf *b, const char *zPath, ky_err *err);

#endif

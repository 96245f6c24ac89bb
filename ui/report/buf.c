/* buf (report): see buf.h. */
#include "ui/report/buf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void rep_buf_init(rep_buf *b) { memset(b, 0, sizeof *b); }

void rep_buf_free(rep_buf *b) {
	free(b->z);
	memset(b, 0, sizeof *b);
}

/* Makes room for n more bytes and the NUL; 0 or -1 (and bOom). */
static int reserve(rep_buf *b, size_t n) {
	if (b->bOom) return -1;
	if (b->n + n + 1 <= b->nCap) return 0;
	size_t nCap = b->nCap ? b->nCap : 4096;
	while (nCap < b->n + n + 1) nCap *= 2;
	char *z = realloc(b->z, nCap);
	if (!z) {
		b->bOom = 1;
		return -1;
	}
	b->z = z;
	b->nCap = nCap;
	return 0;
}

void rep_buf_add(rep_buf *b, const char *z, size_t n) {
	if (reserve(b, n)) return;
	memcpy(b->z + b->n, z, n);
	b->n += n;
	b->z[b->n] = 0;
}

void rep_buf_puts(rep_buf *b, const char *z) {
	if (z) rep_buf_add(b, z, strlen(z));
}

void rep_buf_printf(rep_buf *b, const char *zFmt, ...) {
	va_list ap;
	char zSmall[256];
	va_start(ap, zFmt);
	int n = vsnprintf(zSmall, sizeof zSmall, zFmt, ap);
	va_end(ap);
	if (n < 0) return;
	if ((size_t)n < sizeof zSmall) {
		rep_buf_add(b, zSmall, (size_t)n);
		return;
	}
	if (reserve(b, (size_t)n)) return;
	va_start(ap, zFmt);
	vsnprintf(b->z + b->n, (size_t)n + 1, zFmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

void rep_buf_html(rep_buf *b, const char *z) {
	if (z) rep_buf_html_n(b, z, strlen(z));
}

void rep_buf_html_n(rep_buf *b, const char *z, size_t n) {
	const char *p = z, *zEnd = z + n;
	for (; z < zEnd; z++) {
		const char *e = NULL;
		switch (*z) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		default: continue;
		}
		rep_buf_add(b, p, (size_t)(z - p));
		rep_buf_puts(b, e);
		p = z + 1;
	}
	rep_buf_add(b, p, (size_t)(z - p));
}

void rep_buf_num(rep_buf *b, double v) {
	if (!isfinite(v)) {
		rep_buf_puts(b, "—");
		return;
	}
	double r = round(v * 100.0) / 100.0;
	if (r == 0) r = 0; /* no "-0" */
	if (r == floor(r) && fabs(r) < 1e15) rep_buf_printf(b, "%.0f", r);
	else if (round(r * 10) == r * 10) rep_buf_printf(b, "%.1f", r);
	else rep_buf_printf(b, "%.2f", r);
}

int rep_buf_write(const rep_buf *b, const char *zPath, ky_err *err) {
	if (b->bOom) return ky_err_set(err, KY_ENOMEM, "%s: out of memory while writing it; nothing written", zPath);
	size_t nPath = strlen(zPath);
	char *zTmp = malloc(nPath + 32);
	if (!zTmp) return ky_err_set(err, KY_ENOMEM, "%s: out of memory", zPath);
	snprintf(zTmp, nPath + 32, "%s.tmp%ld", zPath, (long)getpid());
	FILE *f = fopen(zTmp, "wb");
	if (!f) {
		int e = errno;
		free(zTmp);
		return ky_err_set(err, KY_EIO, "%s: cannot write: %s", zPath, strerror(e));
	}
	int bOk = (b->n == 0 || fwrite(b->z, 1, b->n, f) == b->n);
	bOk &= fflush(f) == 0;
	int e = errno;
	bOk &= fclose(f) == 0;
	if (bOk && rename(zTmp, zPath) != 0) {
		e = errno;
		bOk = 0;
	}
	if (!bOk) unlink(zTmp);
	free(zTmp);
	if (!bOk) return ky_err_set(err, KY_EIO, "%s: cannot write: %s", zPath, strerror(e));
	return 0;
}

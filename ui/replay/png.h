/* png (ui/replay): writes an 8-bit RGBA image to a PNG file (libpng). Knows nothing of SDL or the drill. */
#ifndef RPL_PNG_H
#define RPL_PNG_H

#include <stdint.h>

#include "engine/err.h"

/* Writes w x h pixels of 4 bytes (R, G, B, A in memory order), rows pitch bytes apart. 0, or KY_EIO naming the
 * file (a partial file is removed). */
int rpl_png_write(const char *zPath, const uint8_t *pPix, int w, int h, int pitch, ky_err *err);

#endif

/* png (ui/replay): see png.h. */
#include "ui/replay/png.h"

#include <png.h>
#include <stdio.h>
#include <unistd.h>

/* libpng reports errors by longjmp; everything the jump skips is set up before the setjmp. */
int rpl_png_write(const char *zPath, const uint8_t *pPix, int w, int h, int pitch, ky_err *err) {
	FILE *f = fopen(zPath, "wb");
	if (!f) return ky_err_set(err, KY_EIO, "%s: cannot create the PNG file", zPath);
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!png || !info || setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		fclose(f);
		unlink(zPath);
		return ky_err_set(err, KY_EIO, "%s: cannot write the PNG file", zPath);
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE,
	             PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_compression_level(png, 3); /* frames for a video: fast beats small */
	png_write_info(png, info);
	for (int y = 0; y < h; y++) png_write_row(png, (png_const_bytep)(pPix + (size_t)y * (size_t)pitch));
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	if (fclose(f) != 0) {
		unlink(zPath);
		return ky_err_set(err, KY_EIO, "%s: cannot write the PNG file", zPath);
	}
	return 0;
}

/* text (ui/replay): UTF-8 text through SDL2_ttf with a font found at run time that covers Japanese (SDL2_ttf has
 * no fallback font, and DejaVu has no kana or kanji): KYODO_FONT, then IPA Gothic, Noto Sans CJK, then DejaVu Sans
 * (Latin only, with a warning) and, with no font at all, no text. Rendered strings are kept as textures (the
 * viewer redraws the same labels every frame). Knows SDL2 and SDL2_ttf; nothing of the drill. */
#ifndef RPL_TEXT_H
#define RPL_TEXT_H

#include <SDL.h>

typedef struct rpl_text rpl_text;

/* Text sizes, scaled by `scale` (HiDPI: output pixels per window point). */
enum { RPL_TEXT_SMALL, RPL_TEXT_NORMAL, RPL_TEXT_LARGE, RPL_TEXT_NSIZE };

/* Opens the font at the sizes for this scale. Never NULL short of memory: without a font, text is not drawn. */
rpl_text *rpl_text_new(double scale);
void rpl_text_free(rpl_text *t);
/* The font file used (NULL: none), and whether it covers Japanese. */
const char *rpl_text_font(const rpl_text *t);
int rpl_text_cjk(const rpl_text *t);
/* Forgets the textures made for renderer r (call before destroying it, or on a size change). */
void rpl_text_flush(rpl_text *t);

int rpl_text_height(const rpl_text *t, int size);
int rpl_text_width(rpl_text *t, int size, const char *z);
/* Draws z with its top-left at (x, y), cut with an ellipsis to maxW pixels (maxW <= 0: no limit), blended.
 * Returns the width drawn. */
int rpl_text_draw(rpl_text *t, SDL_Renderer *r, int size, const char *z, int x, int y, SDL_Color c, int maxW);
/* The same text as a new ARGB surface with alpha (caller frees), for drawing into a pixel buffer; NULL if no font. */
SDL_Surface *rpl_text_surface(rpl_text *t, int size, const char *z, SDL_Color c, int maxW);

#endif

/* text (ui/replay): see text.h. */
#include "ui/replay/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL_ttf.h>

#define CACHE_N 512 /* rendered strings kept (direct-mapped by hash) */

static const char *const azFont[] = {
	"/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
	"/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	NULL,
};
static const int aPt[RPL_TEXT_NSIZE] = { 11, 13, 17 };

typedef struct entry {
	char *z;
	int size, maxW;
	uint32_t rgba;
	SDL_Renderer *r;
	SDL_Texture *tex;
	int w, h;
} entry;

struct rpl_text {
	char *zPath;
	int bCjk, bInit;
	TTF_Font *aFont[RPL_TEXT_NSIZE];
	entry aCache[CACHE_N];
};

static const char *find_font(void) {
	const char *z = getenv("KYODO_FONT");
	if (z && *z && access(z, R_OK) == 0) return z;
	for (int i = 0; azFont[i]; i++)
		if (access(azFont[i], R_OK) == 0) return azFont[i];
	return NULL;
}

rpl_text *rpl_text_new(double scale) {
	rpl_text *t = calloc(1, sizeof *t);
	if (!t) return NULL;
	const char *z = find_font();
	if (!z || (!TTF_WasInit() && TTF_Init() != 0)) return t;
	t->bInit = 1;
	for (int s = 0; s < RPL_TEXT_NSIZE; s++) {
		t->aFont[s] = TTF_OpenFont(z, (int)(aPt[s] * (scale > 0 ? scale : 1) + 0.5));
		if (!t->aFont[s]) {
			for (int k = 0; k < s; k++) TTF_CloseFont(t->aFont[k]);
			memset(t->aFont, 0, sizeof t->aFont);
			return t;
		}
		TTF_SetFontHinting(t->aFont[s], TTF_HINTING_LIGHT);
	}
	t->zPath = strdup(z);
	t->bCjk = TTF_GlyphIsProvided32(t->aFont[0], 0x3042) && TTF_GlyphIsProvided32(t->aFont[0], 0x6F22); /* あ 漢 */
	return t;
}

void rpl_text_flush(rpl_text *t) {
	for (int i = 0; i < CACHE_N; i++) {
		entry *e = &t->aCache[i];
		if (e->tex) SDL_DestroyTexture(e->tex);
		free(e->z);
		memset(e, 0, sizeof *e);
	}
}

void rpl_text_free(rpl_text *t) {
	if (!t) return;
	rpl_text_flush(t);
	for (int s = 0; s < RPL_TEXT_NSIZE; s++)
		if (t->aFont[s]) TTF_CloseFont(t->aFont[s]);
	free(t->zPath);
	free(t);
}

const char *rpl_text_font(const rpl_text *t) { return t->zPath; }
int rpl_text_cjk(const rpl_text *t) { return t->bCjk; }

int rpl_text_height(const rpl_text *t, int size) {
	return t->aFont[size] ? TTF_FontLineSkip(t->aFont[size]) : aPt[size] + 3;
}

int rpl_text_width(rpl_text *t, int size, const char *z) {
	int w = 0, h = 0;
	if (!t->aFont[size] || !z || !*z || TTF_SizeUTF8(t->aFont[size], z, &w, &h) != 0) return 0;
	return w;
}

/* z cut at a UTF-8 boundary with "…" so that it fits maxW; a new string (caller frees). */
static char *fit(rpl_text *t, int size, const char *z, int maxW) {
	size_t n = strlen(z);
	char *s = malloc(n + 4);
	if (!s) return NULL;
	memcpy(s, z, n + 1);
	if (maxW <= 0 || rpl_text_width(t, size, s) <= maxW) return s;
	while (n > 0) {
		do n--; while (n > 0 && ((unsigned char)z[n] & 0xC0) == 0x80);
		memcpy(s + n, "\xE2\x80\xA6", 4); /* … */
		if (rpl_text_width(t, size, s) <= maxW) return s;
	}
	s[0] = 0;
	return s;
}

/* IPA Gothic's low line sits one row under the rendered line, where SDL2_ttf cuts it: the underscores of s are
 * drawn again, a row higher, on a copy with room below (team ids are written with them). */
static SDL_Surface *underscores(rpl_text *t, int size, const char *s, SDL_Surface *sf, SDL_Color c) {
	SDL_Surface *o = SDL_CreateRGBSurfaceWithFormat(0, sf->w, sf->h + 1, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!o) return sf;
	SDL_FillRect(o, NULL, SDL_MapRGBA(o->format, c.r, c.g, c.b, 0));
	SDL_SetSurfaceBlendMode(sf, SDL_BLENDMODE_NONE);
	SDL_BlitSurface(sf, NULL, o, NULL);
	SDL_FreeSurface(sf);
	int y = TTF_FontAscent(t->aFont[size]);
	char *p = strdup(s);
	for (size_t i = 0; p && s[i]; i++) {
		if (s[i] != '_') continue;
		p[i] = 0;
		int x0 = rpl_text_width(t, size, p);
		p[i] = '_';
		char keep = p[i + 1];
		p[i + 1] = 0;
		int x1 = rpl_text_width(t, size, p);
		p[i + 1] = keep;
		SDL_Rect rc = { x0, y < o->h ? y : o->h - 1, x1 - x0, 1 };
		SDL_FillRect(o, &rc, SDL_MapRGBA(o->format, c.r, c.g, c.b, 255));
	}
	free(p);
	return o;
}

SDL_Surface *rpl_text_surface(rpl_text *t, int size, const char *z, SDL_Color c, int maxW) {
	if (!t->aFont[size] || !z || !*z) return NULL;
	char *s = fit(t, size, z, maxW);
	SDL_Surface *sf = s && *s ? TTF_RenderUTF8_Blended(t->aFont[size], s, c) : NULL;
	if (sf && strchr(s, '_') && TTF_FontDescent(t->aFont[size]) > -2) sf = underscores(t, size, s, sf, c);
	free(s);
	return sf;
}

static uint32_t hash(const char *z, int size, uint32_t rgba, int maxW) {
	uint32_t h = 2166136261u ^ (uint32_t)size ^ rgba * 31u ^ (uint32_t)maxW * 131u;
	for (; *z; z++) h = (h ^ (unsigned char)*z) * 16777619u;
	return h;
}

int rpl_text_draw(rpl_text *t, SDL_Renderer *r, int size, const char *z, int x, int y, SDL_Color c, int maxW) {
	if (!t->aFont[size] || !z || !*z) return 0;
	uint32_t rgba = (uint32_t)c.r << 24 | (uint32_t)c.g << 16 | (uint32_t)c.b << 8 | c.a;
	entry *e = &t->aCache[hash(z, size, rgba, maxW) % CACHE_N];
	if (!(e->tex && e->r == r && e->size == size && e->rgba == rgba && e->maxW == maxW && !strcmp(e->z, z))) {
		if (e->tex) SDL_DestroyTexture(e->tex);
		free(e->z);
		memset(e, 0, sizeof *e);
		SDL_Surface *sf = rpl_text_surface(t, size, z, c, maxW);
		if (!sf) return 0;
		e->tex = SDL_CreateTextureFromSurface(r, sf);
		e->w = sf->w;
		e->h = sf->h;
		SDL_FreeSurface(sf);
		if (!e->tex) return 0;
		SDL_SetTextureBlendMode(e->tex, SDL_BLENDMODE_BLEND);
		e->z = strdup(z);
		e->r = r;
		e->size = size;
		e->rgba = rgba;
		e->maxW = maxW;
		if (!e->z) {
			SDL_DestroyTexture(e->tex);
			e->tex = NULL;
			return 0;
		}
	}
	SDL_Rect d = { x, y, e->w, e->h };
	SDL_RenderCopy(r, e->tex, NULL, &d);
	return e->w;
}

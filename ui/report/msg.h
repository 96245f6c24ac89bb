/* msg (report): the report's one message catalogue, English and Japanese (`kyodo report --lang en|ja`). Every
 * word the AAR shows comes from here; a message's {name} placeholders are filled by name, so each language puts
 * them where its grammar wants them. Durations and numbers are formatted here too (units differ by language). */
#ifndef REP_MSG_H
#define REP_MSG_H

#include "engine/time.h"
#include "ui/report/buf.h"

typedef enum rep_lang { REP_EN = 0, REP_JA = 1 } rep_lang;

/* "en" or "ja" into *pLang; -1 for anything else. */
int rep_lang_parse(const char *z, rep_lang *pLang);
const char *rep_lang_code(rep_lang lang);

/* The text of zKey in lang (never NULL: the key itself when the catalogue lacks it, which a test forbids). */
const char *rep_msg(rep_lang lang, const char *zKey);
/* Appends message zKey, {name} replaced by the value given for name in the NULL-terminated list of (name, value)
 * string pairs that follows; values are HTML-escaped when bHtml (the message text itself is trusted markup-free
 * text and is escaped too). An unknown placeholder stays as it is. */
void rep_msgf(rep_buf *b, rep_lang lang, int bHtml, const char *zKey, ...) __attribute__((sentinel));
/* The same into a new malloc'd string (NULL when out of memory); never HTML-escaped. */
char *rep_msg_str(rep_lang lang, const char *zKey, ...) __attribute__((sentinel));

/* A duration for people: "45 s", "12 min", "1 h 05 min", "3 d 4 h" (ja: "45秒", "12分", "1時間05分", "3日4時間"). */
char *rep_dur(rep_lang lang, eng_time_t us, char *z, size_t n);
/* A sim time "HH:MM:SS" (T+ offset from the start of the drill). */
char *rep_simt(eng_time_t us, char *z, size_t n);

/* For tests: the number of catalogue entries and entry i's key, English and Japanese text. */
int rep_msg_count(void);
void rep_msg_entry(int i, const char **pzKey, const char **pzEn, const char **pzJa);

#endif

/* aar (report): the after-action report and improvement plan (HSEEP AAR/IP shape) as one self-contained HTML
 * file: inline CSS and SVG, no script, no font, image or link that a browser would fetch, A4 print styles
 * (a chart or a table row never splits across pages). Sections: exercise overview, executive summary (what
 * happened, impact, top strengths and areas for improvement), timeline, analysis per team (expectations, response
 * times, P/S/M/U per objective, grades), improvement plan, hot wash, and how the numbers were derived.
 * Numbers carry data-k / data-v attributes (docs/reports.md) so that tests and tools can read them back. */
#ifndef REP_AAR_H
#define REP_AAR_H

#include "ui/report/buf.h"
#include "ui/report/data.h"
#include "ui/report/msg.h"

/* Appends the whole HTML document for the drill in d to b. 0, or KY_ENOMEM. */
int rep_aar_html(rep_buf *b, const rep_data *d, rep_lang lang, ky_err *err);

#endif

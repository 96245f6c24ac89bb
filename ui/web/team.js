// team: the participant page (/?token=…). Shows what the server sends the team (welcome, backlog of injects and
// messages, clock, score with its expectations and reasons, fleet samples), sends actions and read receipts back.
// Every score change is explained where it happens: on the action's row (points with the expectation's label or the
// penalty's reason), as a toast that screen readers hear, and in the Score tab (met, missed, open with deadlines).
// Local storage keeps only what the server never had: the typed drafts, the actions not yet acknowledged (resent
// with the same id after a reconnect), read receipts not yet echoed by the server, and the page's view choices.

import { t, has, getLang, setLang, onLang, applyStatic } from "./i18n.js";
import { h, fill, $, fmtT, fmtN, fmtShort, fmtSpan, SimClock, store, tokenKey, fleetAdd, fleetFromHistory, newClientId, sevOf, tlpOf,
	toast, announce, chime, teamName, exerciseDurationUs, makeTabs } from "./util.js";
import { Conn, pageToken } from "./conn.js";
import { ActionForm, setContext, setInjectTitles, injectTitle, summarize, resultText, effectText, expectationName, fmtPoints, metricLabel } from "./forms.js";
import { LineChart, seriesOf } from "./chart.js";
import { Hotwash } from "./hotwash.js";

const token = pageToken();
const K = "kyodo.v1." + tokenKey(token) + ".";
const DEFAULT_TILES = ["total", "compromised", "patched", "offline", "bricked"];
const DEFAULT_SERIES = ["compromised", "patched", "offline", "bricked", "revoked"];
const LIVE_AFTER_MS = 1500;    // messages this long after a welcome are live (toasts); earlier ones are its backlog

const S = {
	exercise: null, team: null, org: null, catalog: {},
	clock: new SimClock(),
	injects: new Map(),            // id -> inject message (+ read flag from the server)
	messages: [],                  // message messages in arrival order
	score: null,                   // the latest score message (with its expectations)
	scoreLog: [],                  // score_change messages not tied to an action (missed windows, adjustments)
	fleet: [],                     // fleet samples: the welcome's fleet_history, then live ones
	outbox: unacked(store.get(K + "outbox", [])), // [{id, kind, args, inject, status, seq, t_us, result, error, effects, points, comment, created}]
	read: new Set(),               // inject ids read (the server's read receipts, plus readPending)
	readPending: new Set(store.get(K + "readpending", [])),  // read here, not yet echoed by the server
	seenMsg: new Set(store.get(K + "seenmsg", [])),
	knownInj: new Set(store.get(K + "known", [])),
	view: Object.assign({ filter: "all", tab: "inject", sel: null, thread: null, sound: false }, store.get(K + "view", {})),
	draft: Object.assign({ kind: "block_indicator", values: {}, inject: "" }, store.get(K + "draft", {})),
	coordDraft: store.get(K + "coord", {}),
	welcomeAt: 0,
};
if (!S.draft.values) S.draft.values = {};

for (const id of S.readPending) S.read.add(id);
for (const k of ["fleet", "read", "readsent"]) store.del(K + k);   // copies of server state kept by earlier versions

/* Only the actions the server has not acknowledged are stored; the rest come back in the welcome. */
function unacked(list) { return Array.isArray(list) ? list.filter((a) => a && a.status === "pending" && a.seq === undefined) : []; }

/* Writes the unacknowledged actions, merged with what another tab of the same team may have written meanwhile. */
function saveOutbox() {
	S.outbox = mergeOutbox(S.outbox, store.get(K + "outbox", []));
	store.set(K + "outbox", unacked(S.outbox).slice(-300));
}
function mergeOutbox(mine, theirs) {
	const byId = new Map(mine.map((a) => [a.id, a]));
	for (const b of theirs) {
		const a = byId.get(b.id);
		if (!a) byId.set(b.id, b);
		else if (a.status !== "acked" && b.status === "acked") Object.assign(a, { status: "acked", seq: b.seq, t_us: b.t_us, error: null });
	}
	return [...byId.values()].sort((x, y) => (x.created || 0) - (y.created || 0));
}
const saveView = () => store.set(K + "view", S.view);
const live = () => performance.now() - S.welcomeAt > LIVE_AFTER_MS;

let conn = null, form = null, chart = null, tabs = null;
let hw = null;   // the participant's name and the end-of-drill feedback form (hotwash.js)

// ---- messages from the server ----------------------------------------------------------------------
const handlers = {
	welcome(m) {
		S.exercise = m.exercise || {};
		S.team = m.team || S.team;
		S.org = m.org || null;
		S.catalog = S.exercise.catalog || {};
		setContext(S.exercise, S.catalog);
		const formKey = JSON.stringify([S.catalog.actions || null, S.catalog.action_kinds || null, S.catalog.cohorts || null, S.exercise.teams || [], S.team]);
		const changed = formKey !== S.formKey;
		S.formKey = formKey;
		S.clock.duration = exerciseDurationUs(S.exercise);
		if (m.clock) S.clock.update(m.clock);
		if (hw) hw.onClock(S.clock.ended);
		// the backlog follows: rebuild the inbox, threads and score log from what the server sends now
		S.injects.clear();
		S.messages = [];
		S.scoreLog = [];
		S.fleet = [];
		// the server replays the rest: every action record, or those after the hello's since (the records this page
		// already holds, kept over a reconnect: a thousand laptops coming back after a restart get a short backlog)
		const since = S.sentSince || 0;
		S.outbox = S.outbox.filter((a) => (a.status === "pending" && a.seq === undefined) || (since > 0 && a.seq !== undefined && a.seq <= since && a.recorded));
		S.read = new Set(S.readPending);
		S.welcomeAt = performance.now();
		if (m.score) handlers.score(m.score);
		if (Array.isArray(m.actions)) for (const a of m.actions) handlers.action(a);
		for (const b of Array.isArray(m.backlog) ? m.backlog : []) onMessage(b);
		if (chart) chart.setSeries(seriesOf(S.exercise.dashboard && S.exercise.dashboard.series, DEFAULT_SERIES));
		renderHeader();
		if (!form) mountForm(); else if (changed) form.refresh(); else form.refreshInjects();   // a reconnect does not disturb typing
		renderAll();
		resendPending();
		sendReads();
	},
	clock(m) {
		const was = S.clock.state();
		S.clock.update(m);
		renderClock();
		if (S.clock.state() !== was) { renderState(); if (live()) announce(t("clock.now." + S.clock.state())); }
		if (hw) hw.onClock(S.clock.ended);
	},
	inject(m) {
		if (!m.id) return;
		const prev = S.injects.get(m.id);
		const inj = Object.assign({}, prev || {}, m);
		if (m.read === true) S.read.add(m.id);
		S.injects.set(m.id, inj);
		syncInjectTitles();
		if (!prev && !S.knownInj.has(m.id)) {
			S.knownInj.add(m.id);
			store.set(K + "known", [...S.knownInj]);
			if (live()) cue(t("inject.toast", { title: m.title || m.id }), sevOf(m.severity));
		}
		renderInbox(); renderDetail(); if (form) form.refreshInjects();
	},
	message(m) {
		const key = msgKey(m);
		if (S.messages.some((x) => msgKey(x) === key)) return;
		S.messages.push(m);
		if (m.from !== S.team && !S.seenMsg.has(key) && live()) cue(t("message.toast", { team: teamName(S.exercise, m.from) }), "info");
		renderInbox(); renderCoord();
	},
	score(m) {
		if (m.team && S.team && m.team !== S.team) return;
		const prev = S.score;
		S.score = Object.assign({}, S.score || {}, m);
		if (!Array.isArray(m.expectations) && prev) S.score.expectations = prev.expectations;
		renderScore(); renderScoreTab(); renderInbox(); renderDetail();
		if (S.clock.ended) renderEnd();
	},
	score_change(m) {
		if (m.team && S.team && m.team !== S.team) return;
		const effects = Array.isArray(m.effects) ? m.effects : [];
		if (m.seq !== undefined) {
			const a = S.outbox.find((x) => x.seq === m.seq);
			if (a) {
				a.effects = a.effects || [];
				for (const e of effects) if (!a.effects.some((x) => JSON.stringify(x) === JSON.stringify(e))) a.effects.push(e);
			}
		} else if (!S.scoreLog.some((x) => x.t_us === m.t_us && JSON.stringify(x.effects) === JSON.stringify(m.effects))) {
			S.scoreLog.push(m);
		}
		if (live()) for (const e of effects) {
			const { text, points } = effectText(e);
			toast(fmtPoints(points) + " " + t("score.pts.unit") + " · " + text, points > 0 ? "good" : points < 0 || e.type === "missed" ? "bad" : "info", 8000);
		}
		renderHistory(); renderScoreTab();
	},
	fleet(m) {
		if (typeof m.t_us !== "number") return;
		S.fleet = fleetAdd(S.fleet, m);
		renderFleet();
	},
	ack(m) {
		const a = S.outbox.find((x) => x.id === m.id);
		if (form) form.settled(m.id, true, "", m.seq);
		if (!a) return;
		a.status = "acked"; a.seq = m.seq; a.t_us = m.t_us; a.error = null;
		saveOutbox(); renderHistory(); renderCoord();
	},
	feedback_saved(m) { if (hw) hw.onSaved(m); },
	error(m) {
		if (hw && hw.onError(m)) return;   // an answer to the feedback form
		const a = m.id ? S.outbox.find((x) => x.id === m.id) : null;
		if (a && m.code === "rate_limited") {  // not stored: it stays pending and goes again when the server allows
			const ms = Math.min(60000, Math.max(100, Number(m.retry_after_ms) || 1000));
			toast(t("act.ratelimited", { s: Math.ceil(ms / 1000) }), "info", 3500);
			setTimeout(() => { if (a.status === "pending" && conn && conn.online) transmit(a); }, ms + Math.floor(Math.random() * 200));
			return;
		}
		if (a) {
			a.status = "error"; a.error = errorWords(m.code, m.message);
			if (form) form.settled(m.id, false, a.error);
			saveOutbox(); renderHistory(); renderCoord();
			return;
		}
		if (conn && conn.fatal) { showBanner(t("conn.badtoken", { message: m.message || m.code }), "bad"); return; }
		toast(errorWords(m.code, m.message), "bad");
	},
	grade(m) {
		// the facilitator's points and comment for one of this team's actions
		const seq = m.action !== undefined ? m.action : m.seq;
		const a = S.outbox.find((x) => x.seq === seq);
		if (a) { a.points = m.points; a.comment = m.comment || ""; renderHistory(); renderScore(); renderScoreTab(); }
		if (live()) toast(fmtPoints(m.points) + " " + t("score.pts.unit") + " · " + t("eff.grade") + (a ? " (" + t("kind." + a.kind) + ")" : "") + (m.comment ? ": " + m.comment : ""), "good", 8000);
	},
	action(m) {
		// the team's own action record: replayed after every welcome and sent live to every connection of the team,
		// with the world's result or error, the score effects and, once graded, the points
		if (!m.id || !m.kind) return;
		let a = S.outbox.find((x) => x.id === m.id);
		if (!a) { a = { id: m.id, kind: m.kind, args: m.args || {}, inject: m.inject, created: Date.now() }; S.outbox.push(a); }
		if (m.seq !== undefined) { a.status = "acked"; a.seq = m.seq; a.t_us = m.t_us; a.error = null; a.recorded = true; }
		if (m.inject) a.inject = m.inject;
		if (m.result !== undefined) a.result = m.result;
		if (m.error) { a.status = "refused"; a.error = m.error; }
		if (Array.isArray(m.effects)) a.effects = m.effects;
		if (m.points !== undefined) { a.points = m.points; a.comment = m.comment || ""; }
		if (m.by) a.by = m.by;   // the participant who sent it (hotwash.js: display names)
		saveOutbox(); renderHistory(); renderScore(); renderCoord();
	},
	read(m) {
		if (!m.inject) return;
		S.read.add(m.inject);
		if (S.readPending.delete(m.inject)) store.set(K + "readpending", [...S.readPending]);
		renderInbox();
	},
	fleet_history(m) {
		if (!Array.isArray(m.samples)) return;
		S.fleet = fleetFromHistory(S.fleet, m.samples);
		renderFleet();
	},
};

function onMessage(m) {
	const fn = handlers[m.type];
	if (fn) fn(m);
}

function msgKey(m) { return [m.t_us, m.from, m.to, m.tlp, m.text].join("\u0001"); }

/* An error of the server in the page's language (its own text kept for the refusals it explains). */
function errorWords(code, message) {
	if (code === "bad_state" && /ended|stopped/.test(message || "")) return t("err.ended");
	if (code === "storage") return t("err.storage");
	if (code === "internal") return t("err.internal");
	if (code === "rejected" || code === "bad_field") return message || code;
	return t("err.generic", { code: code || "?", message: message || "" });
}

function syncInjectTitles() { setInjectTitles(new Map([...S.injects.values()].map((i) => [i.id, i.title || i.id]))); }

// ---- sending -----------------------------------------------------------------------------------------
function sendAction(kind, args, inject) {
	const a = { id: newClientId(S.team || "t"), kind, args, inject: inject || undefined, status: "pending", created: Date.now() };
	S.outbox.push(a);
	saveOutbox();
	transmit(a);
	renderHistory(); renderCoord();
	return a;
}

function transmit(a) {
	const msg = { type: "action", id: a.id, kind: a.kind, args: a.args };
	if (a.inject) msg.inject = a.inject;
	a.sent = conn.send(msg);
}

function resendPending() {
	const pend = S.outbox.filter((a) => a.status === "pending");
	for (const a of pend) transmit(a);
	if (pend.length && pend.some((a) => a.sent)) toast(t("act.resent", { n: pend.length }), "info", 3500);
	renderHistory();
}

/* The highest seq of the team's action records this page holds (0: none): a reconnect's hello says it (since). */
function recordsHeld() { return S.outbox.reduce((n, a) => (a.recorded && a.seq > n ? a.seq : n), 0); }

function markRead(id) {
	if (!id || S.read.has(id)) return;
	S.read.add(id);
	S.readPending.add(id);   // until the server echoes the receipt
	store.set(K + "readpending", [...S.readPending]);
	conn.send({ type: "read", inject: id });
	renderInbox();
}

function sendReads() {
	for (const id of S.readPending) if (S.injects.has(id)) conn.send({ type: "read", inject: id });
}

function cue(text, sev) {
	toast(text, sev === "critical" || sev === "high" ? "bad" : "info");
	document.body.classList.remove("flash"); void document.body.offsetWidth; document.body.classList.add("flash");
	if (S.view.sound) chime();
	updateTitle();
}

// ---- rendering: header, clock, state ------------------------------------------------------------------
function updateTitle() {
	const n = unreadInjects().length;
	document.title = (n ? "(" + n + ") " : "") + (S.team ? teamName(S.exercise, S.team) + " · " : "") + "kyodo";
}

function unreadInjects() { return [...S.injects.values()].filter((i) => !S.read.has(i.id) && i.read !== true); }

function renderHeader() {
	$("#team-name").textContent = S.team ? teamName(S.exercise, S.team) : "—";
	const orgs = (S.exercise && S.exercise.orgs) || [];
	const org = S.org ? (orgs.find((o) => o && o.id === S.org) || {}).name || S.org : "";
	$("#team-org").textContent = org;
	$("#ex-title").textContent = (S.exercise && S.exercise.title) || t("app.tagline");
	const sb = $("#sound-btn");
	sb.innerHTML = S.view.sound ? BELL_ON : BELL_OFF;   // constant markup, no data
	sb.title = S.view.sound ? t("header.sound.on") : t("header.sound.off");
	sb.setAttribute("aria-label", t("header.sound"));
	sb.setAttribute("aria-pressed", String(!!S.view.sound));
	updateTitle();
}

function renderClock() {
	const c = S.clock, st = c.state();
	const el = $("#clock");
	el.dataset.running = String(c.running);
	el.dataset.state = st;
	$("#clock-state").textContent = t("clock." + st);
	$("#clock-time").textContent = fmtT(c.now());
	$("#clock-dur").textContent = isFinite(c.duration) ? t("clock.of", { duration: fmtT(c.duration) }) : "";
	$("#clock-speed").textContent = t("clock.speed", { speed: c.speed });
	$("#clock-speed").title = t("clock.speed.title", { speed: c.speed });
	updateAges();
}

/* The paused / ended banner, the form's lock and the end summary. */
function renderState() {
	const st = S.clock.state();
	const b = $("#state-banner");
	b.dataset.state = st;
	if (st === "paused") { b.hidden = false; b.textContent = t("state.paused"); }
	else if (st === "ended") { b.hidden = false; b.textContent = t("state.ended"); }
	else if (st === "notstarted" && S.exercise) { b.hidden = false; b.textContent = t("state.notstarted"); }
	else b.hidden = true;
	if (form) { if (st === "ended") form.lock(t("end.locked")); else if (form.locked) form.unlock(); }
	renderEnd();
	if (st === "ended") renderScoreTab();
}

function renderConn(state, attempt) {
	const el = $("#conn");
	el.dataset.state = state;
	$("#conn-text").textContent = state === "reconnecting" ? t("conn.reconnecting", { n: attempt }) : t("conn." + state);
	if (state === "reconnecting" && attempt >= 1) showBanner(t("conn.lost"), "warn");
	else if (state === "online") showBanner(null);
}

function showBanner(text, kind) {
	const b = $("#banner");
	if (!text) { b.hidden = true; return; }
	b.hidden = false; b.className = "banner " + (kind || ""); b.textContent = text;
}

// ---- score ---------------------------------------------------------------------------------------------
const exps = () => (S.score && Array.isArray(S.score.expectations) ? S.score.expectations : []);
const due = (e) => e.opened_us + e.within_us;           // full points until here
const closes = (e) => e.opened_us + 2 * e.within_us;    // then falling to zero here: missed after

function renderScore() {
	const s = S.score;
	$("#score").textContent = s && typeof s.score === "number" ? fmtN(s.score, getLang()) : "—";
	$("#score-detail").textContent = s && s.met !== undefined ? t("score.detail", { met: s.met || 0, missed: s.missed || 0, pending: s.pending || 0 }) : "";
	const box = $("#score-box");
	box.setAttribute("aria-label", t("score.button", { score: $("#score").textContent }));
	box.classList.remove("bump"); void box.offsetWidth; box.classList.add("bump");
}

/* The open expectations of an inject: {n, points, due, closes} (the earliest deadlines), or null. */
function openOf(injectId) {
	const list = exps().filter((e) => e.status === "pending" && e.inject === injectId && typeof e.opened_us === "number");
	if (!list.length) return null;
	return { n: list.length, points: list.reduce((x, e) => x + (e.points || 0), 0), due: Math.min(...list.map(due)), closes: Math.min(...list.map(closes)) };
}

/* "due in 12 min" / "overdue: points falling, closes in 8 min", with its state for styling. */
function dueWords(o, now) {
	const lang = getLang();
	if (now < o.due) return { state: o.due - now <= 0.25 * (o.closes - o.due) ? "soon" : "open", text: t("due.in", { span: fmtSpan(o.due - now, lang) }), at: o.due };
	return { state: "overdue", text: t("due.overdue", { span: fmtSpan(Math.max(0, o.closes - now), lang) }), at: o.closes };
}

function renderScoreTab() {
	const box = $("#tab-score");
	const s = S.score || {};
	const now = S.clock.now();
	const n = (v) => fmtN(typeof v === "number" ? v : 0, getLang());
	const open = exps().filter((e) => e.status === "pending"), met = exps().filter((e) => e.status === "met"), missed = exps().filter((e) => e.status === "missed");
	const penalties = [], grades = [];
	for (const a of S.outbox) {
		for (const e of a.effects || []) if (e.type === "penalty") penalties.push({ a, e });
		if (a.points !== undefined && a.points !== null) grades.push(a);
	}
	const adjusts = [];
	for (const m of S.scoreLog) for (const e of m.effects || []) if (e.type === "adjust") adjusts.push({ m, e });
	const overdue = open.filter((e) => now >= due(e)).length;
	const badge = $("#score-due");
	badge.hidden = !overdue; badge.textContent = overdue ? t("score.overdue.n", { n: overdue }) : "";
	if (S.view.tab !== "score" && !S.clock.ended) return;   // built when shown (and at the end, for the summary's link)
	const row = (cls, status, main, pts, sub) => h("li", { class: "exp " + cls, "data-exp-status": status }, h("div", { class: "exp-main" }, main), pts !== null ? h("span", { class: "exp-pts" }, pts) : null, sub ? h("div", { class: "exp-sub" }, sub) : null);
	fill(box,
		h("div", { class: "score-head" }, h("h2", {}, t("score.title")), h("div", { class: "score-big" }, typeof s.score === "number" ? fmtN(s.score, getLang()) : "—"),
			h("p", { class: "score-parts" }, t("score.breakdown", { expect: n(s.expect_points), grades: n(s.grades), penalties: n(s.penalties), adjust: n(s.adjust) }).replace("−0 ", "0 "))),
		h("p", { class: "help" }, t("score.how")),
		section("score.open", open.length, open.sort((x, y) => due(x) - due(y)).map((e) => {
			const w = dueWords({ due: due(e), closes: closes(e) }, now);
			return row("exp-" + w.state, "pending", t("score.open.item", { inject: injectTitle(e.inject) }), t("score.upto", { points: n(e.points) }),
				h("span", { class: "due due-" + w.state, "data-due": w.state }, w.text + " · " + t("score.fullby", { time: fmtT(due(e)) })));
		})),
		section("score.met", met.length, met.map((e) => row("exp-met", "met", expectationName(e), fmtPoints(e.awarded || 0),
			t("score.met.at", { time: fmtT(e.met_us), possible: n(e.points) })))),
		section("score.missed", missed.length, missed.map((e) => row("exp-missed", "missed", expectationName(e), fmtPoints(0),
			t("score.missed.at", { time: fmtT(closes(e)), possible: n(e.points) })))),
		section("score.penalties", penalties.length + adjusts.length, penalties.map(({ a, e }) => row("exp-penalty", "penalty", e.reason || "", fmtPoints(e.points), t("kind." + a.kind) + " · " + fmtT(a.t_us)))
			.concat(adjusts.map(({ m, e }) => row("exp-adjust", "adjust", e.reason || t("eff.adjust"), fmtPoints(e.points), fmtT(m.t_us))))),
		section("score.graded", grades.length, grades.map((a) => row("exp-graded", "graded", t("kind." + a.kind) + (a.comment ? " — " + a.comment : ""), fmtPoints(a.points), fmtT(a.t_us)))));
}

function section(key, count, items) {
	return h("section", { class: "score-sec", "data-sec": key.split(".")[1] },
		h("h3", {}, t(key), " ", h("span", { class: "count" }, String(count))),
		items.length ? h("ul", {}, items) : h("p", { class: "muted" }, t(key + ".none")));
}

// ---- inbox ---------------------------------------------------------------------------------------------
function inboxItems() {
	const items = [];
	for (const i of S.injects.values()) items.push({ type: "inject", t: i.t_us || 0, inj: i });
	for (const m of S.messages) if (m.from !== S.team) items.push({ type: "message", t: m.t_us || 0, msg: m });
	items.sort((a, b) => b.t - a.t);
	return items;
}

function renderInbox() {
	for (const b of document.querySelectorAll("#inbox-filter button")) { const on = b.dataset.filter === S.view.filter; b.classList.toggle("on", on); b.setAttribute("aria-pressed", String(on)); }
	const list = $("#inbox-list");
	const items = inboxItems().filter((x) => S.view.filter === "all" || x.type === S.view.filter);
	const focusedId = document.activeElement && list.contains(document.activeElement) ? document.activeElement.dataset.key : null;
	if (!items.length) fill(list, h("li", { class: "empty", role: "option", "aria-disabled": "true", "aria-selected": "false" }, t("inbox.empty")));
	else fill(list, items.map((x) => (x.type === "inject" ? injectRow(x.inj) : messageRow(x.msg))));
	const rows = [...list.querySelectorAll("[data-key]")];
	const cur = rows.find((r) => r.getAttribute("aria-selected") === "true") || rows[0];
	for (const r of rows) r.tabIndex = r === cur ? 0 : -1;
	if (focusedId) { const r = rows.find((x) => x.dataset.key === focusedId); if (r) { r.tabIndex = 0; r.focus(); } }
	const n = unreadInjects().length;
	const uc = $("#unread-count");
	uc.hidden = !n; uc.textContent = t("inbox.unread", { n });
	updateTitle();
}

function injectRow(i) {
	const sev = sevOf(i.severity);
	const unread = !S.read.has(i.id) && i.read !== true;
	const o = openOf(i.id);
	const w = o ? dueWords(o, S.clock.now()) : null;
	return h("li", { class: "item inject sev-" + sev + (unread ? " unread" : "") + (S.view.sel === i.id ? " sel" : ""), role: "option", "aria-selected": String(S.view.sel === i.id),
		"data-id": i.id, "data-key": "i:" + i.id, "data-unread": String(unread), onclick: () => select(i.id) },
	h("div", { class: "row1" }, h("span", { class: "sev sev-" + sev }, t("sev." + sev)), h("span", { class: "time" }, t("time.t", { time: fmtT(i.t_us) })),
		h("span", { class: "age", "data-t": i.t_us }, ageText(i.t_us)), unread ? h("span", { class: "new" }, t("inbox.new")) : null),
	h("div", { class: "title" }, i.title || i.id),
	w ? h("div", { class: "due due-" + w.state, "data-due": w.state }, w.text) : null);
}

function ageText(tUs) { return typeof tUs === "number" ? t("age.ago", { span: fmtSpan(S.clock.now() - tUs, getLang()) }) : ""; }

/* Ages and deadlines move with the clock: updated in place (the list is not rebuilt under the pointer). */
function updateAges() {
	for (const el of document.querySelectorAll(".age[data-t]")) el.textContent = ageText(Number(el.dataset.t));
	const now = S.clock.now();
	for (const row of document.querySelectorAll("#inbox-list [data-id]")) {
		const o = openOf(row.dataset.id);
		const el = row.querySelector(".due");
		if (!o || !el) continue;
		const w = dueWords(o, now);
		if (el.dataset.due !== w.state) { renderInbox(); renderScoreTab(); return; }
		el.textContent = w.text;
	}
}

function messageRow(m) {
	const tlp = tlpOf(m.tlp);
	const key = msgKey(m);
	const unread = !S.seenMsg.has(key);
	return h("li", { class: "item message" + (unread ? " unread" : ""), role: "option", "aria-selected": "false", "data-msg": "1", "data-key": "m:" + key, onclick: () => openThread(m.from) },
		h("div", { class: "row1" }, h("span", { class: "tlp tlp-" + tlp }, t("tlp." + tlp)), h("span", { class: "time" }, t("time.t", { time: fmtT(m.t_us) })), unread ? h("span", { class: "new" }, t("inbox.new")) : null),
		h("div", { class: "title" }, m.notify ? t("inbox.notify", { team: teamName(S.exercise, m.from), stage: t("val.stage." + (m.notify.stage || "initial")) })
			: t("inbox.from", { team: teamName(S.exercise, m.from) })),
		h("div", { class: "sub clamp" }, m.text || ""));
}

/* The inbox as a listbox: arrow keys, Home and End move, Enter and Space open. */
function inboxKeys(e) {
	const rows = [...$("#inbox-list").querySelectorAll("[data-key]")];
	const i = rows.indexOf(document.activeElement);
	if (i < 0) return;
	let j = -1;
	if (e.key === "ArrowDown") j = Math.min(rows.length - 1, i + 1);
	else if (e.key === "ArrowUp") j = Math.max(0, i - 1);
	else if (e.key === "Home") j = 0;
	else if (e.key === "End") j = rows.length - 1;
	else if (e.key === "Enter" || e.key === " ") { e.preventDefault(); rows[i].click(); return; }
	if (j < 0) return;
	e.preventDefault();
	for (const r of rows) r.tabIndex = -1;
	rows[j].tabIndex = 0;
	rows[j].focus();
}

function select(id) {
	S.view.sel = id; S.view.tab = "inject"; saveView();
	markRead(id);
	renderTabs(); renderInbox(); renderDetail();
}

function renderDetail() {
	const box = $("#tab-inject");
	const i = S.view.sel && S.injects.get(S.view.sel);
	if (!i) {
		const ex = S.exercise || {};
		fill(box, ex.title ? h("div", { class: "brief" }, h("div", { class: "sub" }, t("inject.brief")), h("h2", {}, ex.title), ex.description ? h("p", {}, ex.description) : null) : null,
			h("div", { class: "placeholder" }, t("inject.none")));
		return;
	}
	const linked = S.outbox.filter((a) => a.inject === i.id || (a.kind === "triage" && a.args && a.args.inject === i.id));
	const sev = sevOf(i.severity);
	const atts = Array.isArray(i.attachments) ? i.attachments : [];
	const o = openOf(i.id);
	const w = o ? dueWords(o, S.clock.now()) : null;
	fill(box, h("article", { class: "inject-detail sev-" + sev, "data-inject": i.id },
		h("div", { class: "meta" }, h("span", { class: "sev sev-" + sev }, t("sev." + sev)), h("span", { class: "time" }, t("inject.at", { time: fmtT(i.t_us) })),
			h("span", { class: "age", "data-t": i.t_us }, ageText(i.t_us))),
		h("h2", { class: "inject-title" }, i.title || i.id),
		w ? h("p", { class: "due due-" + w.state, "data-due": w.state }, t("inject.open", { n: o.n, points: fmtN(o.points, getLang()) }) + " · " + w.text + " · " + t("score.fullby", { time: fmtT(o.due) })) : null,
		h("div", { class: "body" }, i.body || ""),
		atts.length ? h("div", { class: "atts" }, h("h3", {}, t("inject.attachments")), atts.map((a) => h("div", { class: "att" },
			h("div", { class: "att-name" }, typeof a === "string" ? a : (a.name || a.title || ""),
				a && a.type ? h("span", { class: "sub mono" }, " · " + a.type + (typeof a.bytes === "number" ? " · " + a.bytes + " B" : "")) : null),
			typeof a === "object" && (a.text || a.content) ? h("pre", {}, a.text || a.content) : null))) : null,
		h("div", { class: "detail-actions" },
			h("button", { type: "button", class: "btn", disabled: S.clock.ended, onclick: () => { form.prefill("triage", { inject: i.id }, i.id); $("#act-kind").focus(); } }, t("inject.triage")),
			h("button", { type: "button", class: "btn primary", disabled: S.clock.ended, onclick: () => { form.prefill(S.draft.kind === "triage" ? "block_indicator" : S.draft.kind, {}, i.id); $("#act-kind").focus(); } }, t("inject.respond"))),
		linked.length ? h("div", { class: "linked" }, h("h3", {}, t("inject.linked")), h("ol", {}, linked.slice().reverse().map((a) =>
			h("li", {}, h("strong", {}, t("kind." + a.kind)), h("span", { class: "sub" }, summarize(a.kind, a.args)), statusPill(a))))) : null));
}

// ---- coordination --------------------------------------------------------------------------------------
function threadOf(m) { return m.from === S.team ? m.to || "all" : m.from; }

function threadIds() {
	const ids = ((S.exercise && S.exercise.teams) || []).map((x) => x.id).filter((x) => x !== S.team);
	for (const m of S.messages) { const th = threadOf(m); if (th && !ids.includes(th) && th !== "all") ids.push(th); }
	ids.push("all");
	return ids;
}

/* Messages of a thread: those from the server plus our own shares the server has not echoed back. */
function threadMsgs(th) {
	const out = S.messages.filter((m) => threadOf(m) === th).map((m) => ({ m, mine: m.from === S.team }));
	for (const a of S.outbox) {
		if (a.kind !== "share" || (a.args.to || "all") !== th) continue;
		const echoed = S.messages.some((m) => m.from === S.team && m.text === a.args.text && (m.to === a.args.to));
		if (echoed) continue;
		out.push({ m: { from: S.team, to: a.args.to, tlp: a.args.tlp, text: a.args.text, indicators: a.args.indicators, t_us: a.t_us }, mine: true, a });
	}
	out.sort((x, y) => (x.m.t_us ?? Infinity) - (y.m.t_us ?? Infinity));
	return out;
}

function openThread(th) {
	S.view.thread = th; S.view.tab = "coord"; saveView();
	renderTabs(); renderCoord();
}

function renderCoord() {
	const ids = threadIds();
	if (S.exercise && (!S.view.thread || !ids.includes(S.view.thread))) S.view.thread = ids[0];
	if (!ids.includes(S.view.thread)) return;
	let totalUnread = 0;
	const visible = S.view.tab === "coord";
	fill($("#threads"), ids.map((id) => {
		const msgs = threadMsgs(id);
		const unread = msgs.filter((x) => !x.mine && !S.seenMsg.has(msgKey(x.m))).length;
		totalUnread += unread;
		const last = msgs[msgs.length - 1];
		return h("li", {}, h("button", { type: "button", class: "thread-item" + (id === S.view.thread ? " sel" : ""), "data-thread": id, "aria-current": id === S.view.thread ? "true" : undefined, onclick: () => openThread(id) },
			h("span", { class: "thread-name" }, id === "all" ? t("coord.all") : teamName(S.exercise, id), unread ? h("span", { class: "badge" }, unread) : null),
			last ? h("span", { class: "thread-last clamp" }, last.m.text || "") : null));
	}));
	const msgs = threadMsgs(S.view.thread);
	const box = $("#thread-msgs");
	if (!msgs.length) fill(box, h("div", { class: "placeholder" }, t("coord.empty")));
	else fill(box, msgs.map((x) => {
		const tlp = tlpOf(x.m.tlp);
		const st = x.a ? x.a.status : null;
		return h("div", { class: "bubble" + (x.mine ? " mine" : ""), "data-tlp": tlp },
			h("div", { class: "bubble-meta" }, h("span", { class: "tlp tlp-" + tlp }, t("tlp." + tlp)),
				h("strong", {}, x.mine ? t("coord.you") : teamName(S.exercise, x.m.from)),
				x.m.to === "all" ? h("span", {}, "→ " + t("coord.all")) : null,
				typeof x.m.t_us === "number" ? h("span", { class: "time" }, t("time.t", { time: fmtT(x.m.t_us) })) : null,
				st ? statusPill(x.a) : null),
			h("div", { class: "bubble-text" }, x.m.text || ""),
			Array.isArray(x.m.indicators) && x.m.indicators.length ? h("ul", { class: "iocs", "aria-label": t("arg.indicators") }, x.m.indicators.map((v) => h("li", { class: "mono" }, String(v)))) : null);
	}));
	if (visible) {
		let changed = false;
		for (const x of msgs) { const k = msgKey(x.m); if (!x.mine && !S.seenMsg.has(k)) { S.seenMsg.add(k); changed = true; } }
		if (changed) { store.set(K + "seenmsg", [...S.seenMsg]); setTimeout(() => { renderCoord(); renderInbox(); }, 0); }
		box.scrollTop = box.scrollHeight;
	}
	const cu = $("#coord-unread");
	cu.hidden = !totalUnread; cu.textContent = totalUnread;
	renderCompose();
}

function renderCompose() {
	const th = S.view.thread;
	const f = $("#compose");
	const d = S.coordDraft[th] || { tlp: th === "all" ? "green" : "amber", text: "" };
	if (th === "all" && d.tlp === "red") d.tlp = "amber";
	const focused = document.activeElement && f.contains(document.activeElement);
	if (focused && f.dataset.thread === th && f.dataset.lang === getLang()) return;
	f.dataset.thread = th;
	f.dataset.lang = getLang();
	const tlpSel = h("select", { id: "compose-tlp", "aria-label": t("arg.tlp") }, ["clear", "green", "amber", "red"].filter((x) => !(th === "all" && x === "red")).map((x) => h("option", { value: x }, t("tlp." + x))));
	tlpSel.value = d.tlp;
	const ta = h("textarea", { id: "compose-text", rows: 3, placeholder: t("ph.share"), "aria-label": t("coord.compose", { team: th === "all" ? t("coord.all") : teamName(S.exercise, th) }) });
	ta.value = d.text;
	const save = () => { S.coordDraft[th] = { tlp: tlpSel.value, text: ta.value }; store.set(K + "coord", S.coordDraft); };
	tlpSel.onchange = save; ta.oninput = save;
	ta.onkeydown = (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) f.requestSubmit(); };
	f.onsubmit = (e) => {
		e.preventDefault();
		if (S.clock.ended) return;
		const text = ta.value.trim();
		if (!text) { ta.focus(); ta.classList.add("invalid-input"); ta.setAttribute("aria-invalid", "true"); return; }
		ta.classList.remove("invalid-input"); ta.setAttribute("aria-invalid", "false");
		sendAction("share", { to: th, tlp: tlpSel.value, text });
		S.coordDraft[th] = { tlp: tlpSel.value, text: "" }; store.set(K + "coord", S.coordDraft);
		f.dataset.thread = ""; renderCompose();
	};
	fill(f, h("fieldset", { class: "form-box", disabled: S.clock.ended },
		h("div", { class: "compose-head" }, h("strong", {}, t("coord.compose", { team: th === "all" ? t("coord.all") : teamName(S.exercise, th) })), tlpSel),
		ta, h("div", { class: "compose-foot" }, h("span", { class: "help" }, t("coord.help")), h("button", { type: "submit", class: "btn primary", id: "compose-send" }, t("coord.send")))));
}

// ---- the team's actions --------------------------------------------------------------------------------
function statusPill(a) {
	if (a.status === "acked") return h("span", { class: "status acked", "data-status": "acked" }, t("act.acked", { seq: a.seq }));
	if (a.status === "refused") return h("span", { class: "status error", "data-status": "refused" }, t("act.world.refused", { seq: a.seq }));
	if (a.status === "error") return h("span", { class: "status error", "data-status": "error" }, t("act.error"));
	return h("span", { class: "status pending", "data-status": "pending" }, t("act.pending"));
}

function effectsList(a) {
	const list = a.effects || [];
	if (!list.length) return null;
	return h("ul", { class: "effects", "aria-label": t("act.effects") }, list.map((e) => {
		const { text, points } = effectText(e);
		return h("li", { class: "eff eff-" + e.type, "data-effect": e.type, "data-points": points },
			h("span", { class: "pts" }, fmtPoints(points)), " ", h("span", { class: "eff-text" }, text));
	}));
}

function renderHistory() {
	if (S.view.sel) renderDetail();
	const list = $("#history");
	const items = S.outbox.slice().sort((x, y) => (x.seq ?? Infinity) - (y.seq ?? Infinity) || (x.created || 0) - (y.created || 0)).reverse();
	if (!items.length) { fill(list, h("li", { class: "empty" }, t("act.history.empty"))); return; }
	fill(list, items.map((a) => {
		const status = a.status || "pending";
		const res = a.status === "acked" && a.seq !== undefined && (a.result !== undefined || !(S.catalog.action_kinds || []).some((k) => k.kind === a.kind && k.world))
			? resultText(a.kind, a.result, a.args, false) : "";
		return h("li", { class: "hist " + (a.status || "pending"), "data-id": a.id, "data-status": status, "data-kind": a.kind, "data-seq": a.seq },
			h("div", { class: "row1" }, h("strong", {}, t("kind." + a.kind)), typeof a.t_us === "number" ? h("span", { class: "time" }, fmtT(a.t_us)) : null, statusPill(a)),
			h("div", { class: "sub" }, summarize(a.kind, a.args)),
			a.by ? h("div", { class: "sub by" }, t("act.by", { name: a.by })) : null,
			a.inject ? h("div", { class: "sub" }, t("act.for", { inject: injectTitle(a.inject) })) : null,
			res ? h("div", { class: "result", "data-result": a.kind }, res) : null,
			a.error ? h("div", { class: "err-text" }, a.status === "refused" ? t("act.world.said", { message: a.error }) : a.error) : null,
			a.status === "pending" && !a.sent ? h("div", { class: "sub" }, t("act.queued")) : null,
			effectsList(a),
			a.points !== undefined && a.points !== null ? h("div", { class: "graded", "data-points": a.points }, t("act.graded", { points: a.points }), a.comment ? h("span", { class: "comment" }, " — " + a.comment) : null) : null);
	}));
}

/* At the end: the team's summary above the locked form (and the place of the hot-wash form, #hotwash). */
function renderEnd() {
	const el = $("#end-summary");
	if (!S.clock.ended) { el.hidden = true; return; }
	const s = S.score || {};
	const n = (v) => fmtN(typeof v === "number" ? v : 0, getLang());
	const acted = S.outbox.filter((a) => a.seq !== undefined).length;
	el.hidden = false;
	fill(el, h("h3", {}, t("end.title")),
		h("p", { class: "end-score" }, t("end.score", { score: n(s.score) })),
		h("ul", {}, h("li", {}, t("end.met", { n: s.met || 0 })), h("li", {}, t("end.missed", { n: s.missed || 0 })), h("li", {}, t("end.actions", { n: acted })),
			s.penalties ? h("li", {}, t("end.penalties", { points: n(s.penalties) })) : null),
		h("p", { class: "help" }, t("end.next")),
		h("button", { type: "button", class: "btn", onclick: () => { S.view.tab = "score"; saveView(); renderTabs(); $("#tab-btn-score").focus(); } }, t("end.details")));
}

// ---- fleet ---------------------------------------------------------------------------------------------
const BELL = '<path d="M12 3a5 5 0 0 0-5 5v3.5L5.5 14v1.5h13V14L17 11.5V8a5 5 0 0 0-5-5zM10 17.5a2 2 0 0 0 4 0" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linejoin="round"/>';
const BELL_ON = '<svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true">' + BELL + '</svg>';
const BELL_OFF = '<svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true">' + BELL + '<path d="M4 4l16 16" stroke="currentColor" stroke-width="1.7"/></svg>';
const CAR_KEYS = ["total", "clean", "compromised", "patched", "offline", "bricked", "revoked"];

function renderFleet() {
	const last = S.fleet[S.fleet.length - 1] || {};
	const dash = (S.exercise && S.exercise.dashboard) || {};
	const tiles = (Array.isArray(dash.tiles) && dash.tiles.length ? dash.tiles : DEFAULT_TILES).map((x) => (typeof x === "string" ? { metric: x } : x));
	const kp = $("#kpis");
	kp.style.setProperty("--tiles", String(tiles.length));
	fill(kp, tiles.map(({ metric: k, label }) => {
		const name = metricLabel(k, label);
		const v = last[k];
		return h("div", { class: "kpi kpi-" + k, "data-kpi": k, role: "group", "aria-label": name + ": " + (typeof v === "number" ? fmtN(v, getLang()) : "—") },
			h("div", { class: "kpi-label" }, name),
			h("div", { class: "kpi-value" }, h("span", {}, fmtShort(v, getLang())),
				typeof v === "number" && CAR_KEYS.includes(k) && k !== "total" && typeof last.total === "number" && last.total > 0 ? h("span", { class: "kpi-pct" }, (100 * v / last.total).toFixed(1) + "%") : null));
	}));
	const svcs = last.services && typeof last.services === "object" ? Object.entries(last.services) : [];
	fill($("#services"), svcs.length ? svcs.map(([n, st]) => {
		const s = typeof st === "string" ? st : (st && (st.status || st.state)) || "up";
		return h("li", { class: "svc svc-" + s }, h("span", { class: "dot", "aria-hidden": "true" }), h("span", { class: "svc-name" }, has("val.name." + n) ? t("val.name." + n) : n), h("span", { class: "svc-state" }, has("svc." + s) ? t("svc." + s) : s));
	}) : h("li", { class: "muted" }, t("fleet.noservices")));
	$("#chart-empty").hidden = S.fleet.length > 0;
	if (chart) chart.setData(S.fleet);
}

function renderTabs() {
	if (tabs) tabs.show(S.view.tab);
	if (S.view.tab === "fleet" && chart) chart.draw();
	if (S.view.tab === "score") renderScoreTab();
}

function renderAll() {
	renderHeader(); renderClock(); renderState(); renderScore(); renderInbox(); renderDetail(); renderTabs(); renderCoord(); renderHistory(); renderFleet(); renderScoreTab();
}

/* Indicators a participant may want to block: those shared with the team and those named in its injects. */
function indicators() {
	const out = new Set();
	for (const m of S.messages) for (const v of Array.isArray(m.indicators) ? m.indicators : []) out.add(String(v));
	const re = /\b(?:\d{1,3}\.){3}\d{1,3}\b|\bapikey:[\w-]+|\b[a-f0-9]{32,64}\b|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:net|com|org|io|jp|info|biz|xyz|example)\b/gi;
	for (const i of S.injects.values()) for (const x of String((i.title || "") + " " + (i.body || "")).match(re) || []) out.add(x);
	return [...out].sort();
}

function mountForm() {
	form = ActionForm({
		schemas: () => S.catalog.actions,
		kinds: () => S.catalog.action_kinds,
		catalog: () => S.catalog,
		org: () => S.org,
		injects: () => [...S.injects.values()].sort((a, b) => (a.t_us || 0) - (b.t_us || 0)).map((i) => ({ id: i.id, title: i.title || "" })),
		indicators,
		campaigns: () => { const last = S.fleet[S.fleet.length - 1]; return last && Array.isArray(last.ota_campaigns) ? last.ota_campaigns : []; },
		draft: S.draft,
		onDraft: (d) => store.set(K + "draft", d),
		onSubmit: (kind, args, inject) => sendAction(kind, args, inject),
	});
	fill($("#act-form"), form.el);
	renderState();
}

// ---- start -------------------------------------------------------------------------------------------
function start() {
	applyStatic(document);
	hw = new Hotwash({ send: (m) => !!conn && conn.send(m), key: K });
	hw.mountName($(".team-chip"));
	hw.mountCard($("#kpis"));
	$("#lang-btn").addEventListener("click", () => setLang(getLang() === "ja" ? "en" : "ja"));
	$("#sound-btn").addEventListener("click", () => { S.view.sound = !S.view.sound; saveView(); renderHeader(); if (S.view.sound) chime(); });
	$("#score-box").addEventListener("click", () => { S.view.tab = "score"; saveView(); renderTabs(); $("#tab-btn-score").focus(); });
	for (const b of document.querySelectorAll("#inbox-filter button")) b.addEventListener("click", () => { S.view.filter = b.dataset.filter; saveView(); renderInbox(); });
	$("#inbox-list").addEventListener("keydown", inboxKeys);
	tabs = makeTabs($("#tabs"), (name) => { S.view.tab = name; saveView(); renderTabs(); if (name === "coord") renderCoord(); });
	$("#act-form").tabIndex = -1;
	chart = new LineChart($("#fleet-chart"), { series: seriesOf(null, DEFAULT_SERIES), label: (s) => metricLabel(s.key, s.label), lang: getLang, duration: () => S.clock.duration, title: () => t("fleet.chart") });
	addEventListener("storage", (e) => {   // another tab of this team sent or got an action acknowledged
		if (e.key !== K + "outbox") return;
		S.outbox = mergeOutbox(S.outbox, store.get(K + "outbox", []));
		renderHistory(); renderCoord();
	});
	onLang(() => { if (form) form.refresh(); renderAll(); renderConn(conn.state, conn.attempt); hw.renderName(); hw.render(); });
	mountForm();
	renderAll();
	setInterval(renderClock, 250);
	if (!token) { showBanner(t("conn.notoken"), "bad"); renderConn("offline", 0); conn = { send: () => false, state: "offline", attempt: 0 }; return; }
	// a reconnect's hello says which action records this page holds (since): only those after come again
	conn = new Conn(token, { onMessage, onState: renderConn, hello: () => { S.sentSince = recordsHeld(); return Object.assign(hw.helloFields(), S.sentSince ? { since: S.sentSince } : {}); } });
	window.kyodo = { state: S, conn };   // for the browser tests and for debugging from the console
	conn.open();
}

start();

// team: the participant page (/?token=…). Shows what the server sends the team (welcome, backlog of
// injects and messages, clock, score, fleet samples), sends actions and read receipts back.
// Local storage keeps only what the server never had: the typed drafts, the actions not yet acknowledged
// (resent with the same id after a reconnect), read receipts not yet echoed by the server, and the page's view
// choices. The team's acknowledged actions (with results and grades), read receipts and the fleet history come
// back from the server in every welcome's backlog.

import { t, getLang, setLang, onLang, applyStatic } from "./i18n.js";
import { h, fill, $, fmtT, fmtN, fmtShort, SimClock, store, tokenKey, fleetAdd, fleetFromHistory, newClientId, sevOf, tlpOf, toast, chime, teamName, exerciseDurationUs } from "./util.js";
import { Conn, pageToken } from "./conn.js";
import { ActionForm, normCatalog, summarize } from "./forms.js";
import { LineChart, FLEET_SERIES } from "./chart.js";
import { Hotwash } from "./hotwash.js";

const token = pageToken();
const K = "kyodo.v1." + tokenKey(token) + ".";

const S = {
	exercise: null, team: null, catalog: normCatalog(null),
	clock: new SimClock(),
	injects: new Map(),            // id -> inject message (+ read flag from the server)
	messages: [],                  // message messages in arrival order
	score: null,
	fleet: [],                           // fleet samples: the welcome's fleet_history, then live ones
	outbox: unacked(store.get(K + "outbox", [])), // [{id, kind, args, inject, status, seq, t_us, result, error, points, comment, created}]
	read: new Set(),                     // inject ids read (the server's read receipts, plus readPending)
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

let conn = null;
let form = null;
let chart = null;
let hw = null;   // the participant's name and the end-of-drill feedback form (hotwash.js)

// ---- messages from the server ----------------------------------------------------------------------
const handlers = {
	welcome(m) {
		S.exercise = m.exercise || {};
		S.team = m.team || S.team;
		const cat = normCatalog(Object.assign({}, S.exercise, m.catalog ? { catalog: m.catalog } : {}));
		if (!S.catalog.freeServices && cat.freeServices) { cat.services = S.catalog.services; cat.freeServices = false; }
		const formKey = JSON.stringify([cat, S.exercise.teams || [], S.team]);
		const catChanged = formKey !== S.formKey;
		S.formKey = formKey;
		S.catalog = cat;
		S.clock.duration = exerciseDurationUs(S.exercise);
		if (m.clock) S.clock.update(m.clock);
		if (S.clock.ended) showBanner(t("clock.ended.banner"), "warn");
		if (hw) hw.onClock(S.clock.ended);
		// the backlog follows: rebuild the inbox and threads from what the server sends now
		S.injects.clear();
		S.messages = [];
		if (m.score) handlers.score(m.score);
		S.fleet = [];
		S.outbox = S.outbox.filter((a) => a.status === "pending" && a.seq === undefined);   // the server replays the rest
		S.read = new Set(S.readPending);
		S.welcomeAt = performance.now();
		if (Array.isArray(m.actions)) for (const a of m.actions) handlers.action(a);
		for (const b of Array.isArray(m.backlog) ? m.backlog : []) onMessage(b);
		renderHeader();
		if (!form) mountForm(); else if (catChanged) form.refresh(); else form.refreshInjects();   // a reconnect does not disturb typing
		renderAll();
		resendPending();
		sendReads();
	},
	clock(m) {
		const was = S.clock.ended;
		S.clock.update(m);
		renderClock();
		if (S.clock.ended && !was) showBanner(t("clock.ended.banner"), "warn");
		if (hw) hw.onClock(S.clock.ended);
	},
	inject(m) {
		if (!m.id) return;
		const prev = S.injects.get(m.id);
		const inj = Object.assign({}, prev || {}, m);
		if (m.read === true) S.read.add(m.id);
		S.injects.set(m.id, inj);
		if (!prev && !S.knownInj.has(m.id)) {
			S.knownInj.add(m.id);
			store.set(K + "known", [...S.knownInj]);
			if (performance.now() - S.welcomeAt > 1500) cue(t("inject.toast", { title: m.title || m.id }), sevOf(m.severity));
		}
		renderInbox(); renderDetail(); if (form) form.refreshInjects();
	},
	message(m) {
		const key = msgKey(m);
		if (S.messages.some((x) => msgKey(x) === key)) return;
		S.messages.push(m);
		if (m.from !== S.team && !S.seenMsg.has(key) && performance.now() - S.welcomeAt > 1500) cue(t("message.toast", { team: teamName(S.exercise, m.from) }), "info");
		renderInbox(); renderCoord();
	},
	score(m) {
		if (m.team && S.team && m.team !== S.team) return;
		S.score = Object.assign({}, S.score || {}, m);
		renderScore();
	},
	fleet(m) {
		if (typeof m.t_us !== "number") return;
		S.fleet = fleetAdd(S.fleet, m);
		if (S.catalog.freeServices && m.services && typeof m.services === "object" && Object.keys(m.services).length) {
			S.catalog.services = Object.keys(m.services);
			S.catalog.freeServices = false;
			if (form && S.draft.kind === "isolate_service" && !(document.activeElement && $("#act-form").contains(document.activeElement))) form.refresh();
		}
		renderFleet();
	},
	ack(m) {
		const a = S.outbox.find((x) => x.id === m.id);
		if (!a) return;
		a.status = "acked"; a.seq = m.seq; a.t_us = m.t_us; a.error = null;
		saveOutbox(); renderHistory(); renderCoord();
	},
	feedback_saved(m) { if (hw) hw.onSaved(m); },
	error(m) {
		if (hw && hw.onError(m)) return;   // an answer to the feedback form
		const a = m.id ? S.outbox.find((x) => x.id === m.id) : null;
		if (a) { a.status = "error"; a.error = (m.code ? m.code + ": " : "") + (m.message || ""); saveOutbox(); renderHistory(); renderCoord(); return; }
		if (conn && conn.fatal) { showBanner(t("conn.badtoken", { message: m.message || m.code }), "bad"); return; }
		toast(t("err.generic", { code: m.code || "?", message: m.message || "" }), "bad");
	},
	grade(m) {
		// the facilitator's points and comment for one of this team's actions (an extension, docs/protocol.md)
		const seq = m.action !== undefined ? m.action : m.seq;
		const a = S.outbox.find((x) => x.seq === seq);
		if (a) { a.points = m.points; a.comment = m.comment || ""; renderHistory(); renderScore(); }
		if (performance.now() - S.welcomeAt > 1500) toast(t("act.graded", { points: m.points }) + (m.comment ? " — " + m.comment : ""), "good");
	},
	action(m) {
		// the team's own action record (an extension, docs/protocol.md): replayed after every welcome and sent
		// live to every connection of the team, with the world's result or error and, once graded, the points
		if (!m.id || !m.kind) return;
		let a = S.outbox.find((x) => x.id === m.id);
		if (!a) { a = { id: m.id, kind: m.kind, args: m.args || {}, inject: m.inject, created: Date.now() }; S.outbox.push(a); }
		if (m.seq !== undefined) { a.status = "acked"; a.seq = m.seq; a.t_us = m.t_us; a.error = null; }
		if (m.inject) a.inject = m.inject;
		if (m.result !== undefined) a.result = m.result;
		if (m.error) { a.status = "error"; a.error = m.error; }
		if (m.points !== undefined) { a.points = m.points; a.comment = m.comment || ""; }
		if (m.by) a.by = m.by;
		saveOutbox(); renderHistory(); renderScore(); renderCoord();
	},
	read(m) {
		// the server's read receipt for this team (from this laptop or a teammate's)
		if (!m.inject) return;
		S.read.add(m.inject);
		if (S.readPending.delete(m.inject)) store.set(K + "readpending", [...S.readPending]);
		renderInbox();
	},
	fleet_history(m) {
		// the samples the server kept, sent once after the welcome: the chart starts from them
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

function markRead(id) {
	if (!id || S.read.has(id)) return;
	S.read.add(id);
	S.readPending.add(id);   // until the server echoes the receipt
	store.set(K + "readpending", [...S.readPending]);
	conn.send({ type: "read", inject: id });
	renderInbox();
}

function sendReads() {
	// read receipts given while offline (or not yet echoed) reach the server after the next welcome
	for (const id of S.readPending) if (S.injects.has(id)) conn.send({ type: "read", inject: id });
}

function cue(text, sev) {
	toast(text, sev === "critical" || sev === "high" ? "bad" : "info");
	document.body.classList.remove("flash"); void document.body.offsetWidth; document.body.classList.add("flash");
	if (S.view.sound) chime();
	updateTitle();
}

// ---- rendering ---------------------------------------------------------------------------------------
function updateTitle() {
	const n = unreadInjects().length;
	document.title = (n ? "(" + n + ") " : "") + (S.team ? teamName(S.exercise, S.team) + " · " : "") + "kyodo";
}

function unreadInjects() { return [...S.injects.values()].filter((i) => !S.read.has(i.id) && i.read !== true); }

function renderHeader() {
	$("#team-name").textContent = S.team ? teamName(S.exercise, S.team) : "—";
	$("#ex-title").textContent = (S.exercise && S.exercise.title) || t("app.tagline");
	const sb = $("#sound-btn");
	sb.innerHTML = S.view.sound ? BELL_ON : BELL_OFF;   // constant markup, no data
	sb.title = S.view.sound ? t("header.sound.on") : t("header.sound.off");
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
}

function renderScore() {
	const s = S.score;
	$("#score").textContent = s && typeof s.score === "number" ? fmtN(s.score, getLang()) : "—";
	$("#score-detail").textContent = s && s.met !== undefined ? t("score.detail", { met: s.met || 0, missed: s.missed || 0, pending: s.pending || 0 })
		+ (s.grades ? " · " + t("score.graded", { points: fmtN(s.grades, getLang()) }) : "") : "";
	const box = $("#score-box");
	box.title = s ? scoreBreakdown(s) : "";
	const gl = $("#score-grades");
	if (gl) fill(gl, gradedActions().slice(-3).map((a) => h("li", { "data-seq": a.seq, "data-points": a.points }, gradeLine(a))));
	box.classList.remove("bump"); void box.offsetWidth; box.classList.add("bump");
}

function scoreBreakdown(s) {
	const n = (v) => fmtN(typeof v === "number" ? v : 0, getLang());
	return [t("score.breakdown", { expect: n(s.expect_points), grades: n(s.grades), penalties: n(s.penalties), adjust: n(s.adjust) })]
		.concat(gradedActions().map(gradeLine)).join("\n");
}
function gradedActions() { return S.outbox.filter((a) => a.seq !== undefined && a.points !== undefined && a.points !== null).sort((x, y) => x.seq - y.seq); }
function gradeLine(a) { return "#" + a.seq + " " + t("kind." + a.kind) + ": " + t("act.graded", { points: fmtN(a.points, getLang()) }) + (a.comment ? " — " + a.comment : ""); }

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

function inboxItems() {
	const items = [];
	for (const i of S.injects.values()) items.push({ type: "inject", t: i.t_us || 0, inj: i });
	for (const m of S.messages) if (m.from !== S.team) items.push({ type: "message", t: m.t_us || 0, msg: m });
	items.sort((a, b) => b.t - a.t);
	return items;
}

function renderInbox() {
	for (const b of document.querySelectorAll("#inbox-filter button")) b.classList.toggle("on", b.dataset.filter === S.view.filter);
	const list = $("#inbox-list");
	const items = inboxItems().filter((x) => S.view.filter === "all" || x.type === S.view.filter);
	if (!items.length) fill(list, h("li", { class: "empty" }, t("inbox.empty")));
	else fill(list, items.map((x) => (x.type === "inject" ? injectRow(x.inj) : messageRow(x.msg))));
	const n = unreadInjects().length;
	const uc = $("#unread-count");
	uc.hidden = !n; uc.textContent = t("inbox.unread", { n });
	updateTitle();
}

function injectRow(i) {
	const sev = sevOf(i.severity);
	const unread = !S.read.has(i.id) && i.read !== true;
	return h("li", { class: "item inject sev-" + sev + (unread ? " unread" : "") + (S.view.sel === i.id ? " sel" : ""), "data-id": i.id, "data-unread": String(unread), tabindex: "0",
		onclick: () => select(i.id), onkeydown: (e) => { if (e.key === "Enter") select(i.id); } },
	h("div", { class: "row1" }, h("span", { class: "sev sev-" + sev }, t("sev." + sev)), h("span", { class: "time" }, t("time.t", { time: fmtT(i.t_us) })), unread ? h("span", { class: "new" }, t("inbox.new")) : null),
	h("div", { class: "title" }, i.title || i.id),
	h("div", { class: "sub" }, i.id));
}

function messageRow(m) {
	const tlp = tlpOf(m.tlp);
	const key = msgKey(m);
	const unread = !S.seenMsg.has(key);
	return h("li", { class: "item message" + (unread ? " unread" : ""), tabindex: "0", "data-msg": "1", onclick: () => openThread(m.from) },
		h("div", { class: "row1" }, h("span", { class: "tlp tlp-" + tlp }, t("tlp." + tlp)), h("span", { class: "time" }, t("time.t", { time: fmtT(m.t_us) })), unread ? h("span", { class: "new" }, t("inbox.new")) : null),
		h("div", { class: "title" }, t("inbox.from", { team: teamName(S.exercise, m.from) })),
		h("div", { class: "sub clamp" }, m.text || ""));
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
	fill(box, h("article", { class: "inject-detail sev-" + sev, "data-inject": i.id },
		h("div", { class: "meta" }, h("span", { class: "sev sev-" + sev }, t("sev." + sev)), h("span", { class: "mono" }, i.id), h("span", { class: "time" }, t("inject.at", { time: fmtT(i.t_us) }))),
		h("h2", { class: "inject-title" }, i.title || i.id),
		h("div", { class: "body" }, i.body || ""),
		atts.length ? h("div", { class: "atts" }, h("h3", {}, t("inject.attachments")), atts.map((a) => h("div", { class: "att" },
			h("div", { class: "att-name" }, typeof a === "string" ? a : (a.name || a.title || "")),
			typeof a === "object" && (a.text || a.content) ? h("pre", {}, a.text || a.content) : null))) : null,
		h("div", { class: "detail-actions" },
			h("button", { type: "button", class: "btn", onclick: () => { form.prefill("triage", { inject: i.id }, i.id); $("#act-form select").focus(); } }, t("inject.triage")),
			h("button", { type: "button", class: "btn primary", onclick: () => { form.prefill(S.draft.kind === "triage" ? "block_indicator" : S.draft.kind, {}, i.id); $("#act-form select").focus(); } }, t("inject.respond"))),
		linked.length ? h("div", { class: "linked" }, h("h3", {}, t("inject.linked")), h("ol", {}, linked.slice().reverse().map((a) =>
			h("li", {}, h("strong", {}, t("kind." + a.kind)), h("span", { class: "sub" }, summarize(a.kind, a.args)), statusPill(a))))) : null));
}

function threadOf(m) {
	if (m.from === S.team) return m.to || "all";
	return m.from;
}

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
		return h("li", { class: "thread-item" + (id === S.view.thread ? " sel" : ""), "data-thread": id, onclick: () => openThread(id) },
			h("div", { class: "thread-name" }, id === "all" ? t("coord.all") : teamName(S.exercise, id), unread ? h("span", { class: "badge" }, unread) : null),
			last ? h("div", { class: "thread-last clamp" }, last.m.text || "") : null);
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
			Array.isArray(x.m.indicators) && x.m.indicators.length ? h("ul", { class: "iocs" }, x.m.indicators.map((v) => h("li", { class: "mono" }, String(v)))) : null);
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
	if (focused && f.dataset.thread === th) return;
	f.dataset.thread = th;
	const tlpSel = h("select", { id: "compose-tlp", "aria-label": t("f.tlp") }, ["clear", "green", "amber", "red"].filter((x) => !(th === "all" && x === "red")).map((x) => h("option", { value: x }, t("tlp." + x))));
	tlpSel.value = d.tlp;
	const ta = h("textarea", { id: "compose-text", rows: 3, placeholder: t("f.text.ph.share") });
	ta.value = d.text;
	const save = () => { S.coordDraft[th] = { tlp: tlpSel.value, text: ta.value }; store.set(K + "coord", S.coordDraft); };
	tlpSel.onchange = save; ta.oninput = save;
	ta.onkeydown = (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) f.requestSubmit(); };
	f.onsubmit = (e) => {
		e.preventDefault();
		const text = ta.value.trim();
		if (!text) { ta.focus(); ta.classList.add("invalid-input"); return; }
		ta.classList.remove("invalid-input");
		sendAction("share", { to: th, tlp: tlpSel.value, text });
		S.coordDraft[th] = { tlp: tlpSel.value, text: "" }; store.set(K + "coord", S.coordDraft);
		f.dataset.thread = ""; renderCompose();
	};
	fill(f, h("div", { class: "compose-head" }, h("strong", {}, t("coord.compose", { team: th === "all" ? t("coord.all") : teamName(S.exercise, th) })), tlpSel),
		ta, h("div", { class: "compose-foot" }, h("span", { class: "help" }, t("coord.help")), h("button", { type: "submit", class: "btn primary", id: "compose-send" }, t("coord.send"))));
}

function statusPill(a) {
	if (a.status === "acked") return h("span", { class: "status acked", "data-status": "acked" }, t("act.acked", { seq: a.seq }));
	if (a.status === "error") return h("span", { class: "status error", "data-status": "error", title: a.error || "" }, t("act.error"));
	return h("span", { class: "status pending", "data-status": "pending", title: a.sent ? "" : t("act.queued") }, t("act.pending"));
}

function renderHistory() {
	if (S.view.sel) renderDetail();
	const list = $("#history");
	const items = S.outbox.slice().sort((x, y) => (x.seq ?? Infinity) - (y.seq ?? Infinity) || (x.created || 0) - (y.created || 0)).reverse();
	if (!items.length) { fill(list, h("li", { class: "empty" }, t("act.history.empty"))); return; }
	fill(list, items.map((a) => h("li", { class: "hist " + (a.status || "pending"), "data-id": a.id, "data-status": a.status || "pending", "data-kind": a.kind },
		h("div", { class: "row1" }, h("strong", {}, t("kind." + a.kind)), statusPill(a)),
		h("div", { class: "sub" }, summarize(a.kind, a.args)),
		a.inject ? h("div", { class: "sub mono" }, "↳ " + a.inject) : null,
		a.status === "error" && a.error ? h("div", { class: "err-text" }, a.error) : null,
		a.status === "pending" && !a.sent ? h("div", { class: "sub muted" }, t("act.queued")) : null,
		a.points !== undefined && a.points !== null ? h("div", { class: "graded", "data-points": a.points }, t("act.graded", { points: a.points }), a.comment ? h("span", { class: "comment" }, " — " + a.comment) : null) : null)));
}

const BELL = '<path d="M12 3a5 5 0 0 0-5 5v3.5L5.5 14v1.5h13V14L17 11.5V8a5 5 0 0 0-5-5zM10 17.5a2 2 0 0 0 4 0" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linejoin="round"/>';
const BELL_ON = '<svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true">' + BELL + '</svg>';
const BELL_OFF = '<svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true">' + BELL + '<path d="M4 4l16 16" stroke="currentColor" stroke-width="1.7"/></svg>';
const KPI_KEYS = ["total", "compromised", "patched", "offline", "bricked"];
function renderFleet() {
	const last = S.fleet[S.fleet.length - 1] || {};
	fill($("#kpis"), KPI_KEYS.map((k) => h("div", { class: "kpi kpi-" + k, "data-kpi": k, title: typeof last[k] === "number" ? t("fleet." + k) + ": " + fmtN(last[k], getLang()) : "" },
		h("div", { class: "kpi-label" }, t("fleet." + k)),
		h("div", { class: "kpi-value" }, h("span", {}, fmtShort(last[k], getLang())),
			typeof last[k] === "number" && typeof last.total === "number" && last.total > 0 && k !== "total" ? h("span", { class: "kpi-pct" }, (100 * last[k] / last.total).toFixed(1) + "%") : null))));
	const svcs = last.services && typeof last.services === "object" ? Object.entries(last.services) : [];
	fill($("#services"), svcs.length ? svcs.map(([n, st]) => {
		const s = typeof st === "string" ? st : (st && (st.status || st.state)) || "up";
		return h("li", { class: "svc svc-" + s }, h("span", { class: "dot" }), h("span", { class: "svc-name" }, n), h("span", { class: "svc-state" }, t("svc." + s)));
	}) : h("li", { class: "muted" }, "—"));
	$("#chart-empty").hidden = S.fleet.length > 0;
	if (chart) chart.setData(S.fleet);
}

function renderTabs() {
	for (const b of document.querySelectorAll("#tabs button")) { const on = b.dataset.tab === S.view.tab; b.classList.toggle("on", on); b.setAttribute("aria-selected", String(on)); }
	for (const p of document.querySelectorAll("[data-tabpanel]")) p.hidden = p.dataset.tabpanel !== S.view.tab;
	if (S.view.tab === "fleet" && chart) chart.draw();
}

function renderAll() {
	renderHeader(); renderClock(); renderScore(); renderInbox(); renderDetail(); renderTabs(); renderCoord(); renderHistory(); renderFleet();
}

function mountForm() {
	form = ActionForm({
		get catalog() { return S.catalog; },
		get exercise() { return S.exercise; },
		get team() { return S.team; },
		get injects() { return [...S.injects.values()].sort((a, b) => (a.t_us || 0) - (b.t_us || 0)).map((i) => ({ id: i.id, title: i.title || "" })); },
		draft: S.draft,
		onDraft: (d) => store.set(K + "draft", d),
		onSubmit: (kind, args, inject) => sendAction(kind, args, inject),
	});
	fill($("#act-form"), form.el);
}

// ---- start -------------------------------------------------------------------------------------------
function start() {
	applyStatic(document);
	hw = new Hotwash({ send: (m) => !!conn && conn.send(m), key: K });
	hw.mountName($(".team-chip"));
	hw.mountCard($("#kpis"));
	$("#lang-btn").addEventListener("click", () => setLang(getLang() === "ja" ? "en" : "ja"));
	$("#sound-btn").addEventListener("click", () => { S.view.sound = !S.view.sound; saveView(); renderHeader(); if (S.view.sound) chime(); });
	for (const b of document.querySelectorAll("#inbox-filter button")) b.addEventListener("click", () => { S.view.filter = b.dataset.filter; saveView(); renderInbox(); });
	for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => { S.view.tab = b.dataset.tab; saveView(); renderTabs(); if (S.view.tab === "coord") renderCoord(); });
	chart = new LineChart($("#fleet-chart"), { series: FLEET_SERIES, label: (k) => t("fleet." + k), lang: getLang, duration: () => S.clock.duration });
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
	conn = new Conn(token, { onMessage, onState: renderConn, hello: () => hw.helloFields() });
	window.kyodo = { state: S, conn };   // for the browser tests and for debugging from the console
	conn.open();
}

start();

// facilitator: the exercise-control page (/facilitator?token=…). Clock controls (start, pause, resume, speed, a
// pause at a chosen sim time, stop), the teams side by side, the live action feed with what each action did and
// how it scored, grading, the ad-hoc inject composer, the attack timeline in words, scenario errors, the scoreboard
// with the joint score explained, and the drill's dashboard. Everything shown comes from the server: the welcome's
// backlog replays actions, grades, read receipts, score changes, the event timeline and the fleet history, so
// local storage keeps only the typed drafts (composer, grades being written) and view choices. Looking at a team's
// inbox sends nothing, so it never marks anything read.

import { t, has, getLang, setLang, onLang, applyStatic } from "./i18n.js";
import { h, fill, $, fmtT, fmtN, fmtShort, fmtSpan, SimClock, store, tokenKey, fleetAdd, fleetFromHistory, sevOf, tlpOf, toast, announce, teamName,
	exerciseDurationUs, parseDurationUs, makeTabs, SEVERITIES } from "./util.js";
import { Conn, pageToken } from "./conn.js";
import { setContext, setInjectTitles, injectTitle, summarize, resultText, effectText, expectationName, fmtPoints, metricLabel, valLabel } from "./forms.js";
import { LineChart, seriesOf } from "./chart.js";
import { openDialog } from "./dialog.js";
import { OrgsPanel } from "./orgs.js";

const token = pageToken();
const K = "kyodo.v1.fac." + tokenKey(token) + ".";
const SPEEDS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 10000];   // the fast ones for dry runs
const GRADED_KINDS = ["report", "notify"];
const DEFAULT_TILES = ["total", "compromised", "patched", "offline", "bricked"];
const DEFAULT_SERIES = ["compromised", "patched", "offline", "bricked", "revoked"];
const LIVE_AFTER_MS = 1500;

const S = {
	exercise: null, clock: new SimClock(),
	scores: {}, joint: null,
	inbox: {},              // team -> Map(id -> inject)
	reads: new Set(),       // team \x01 inject
	newLinks: {},           // team -> join URL issued by a revoke (shown for the facilitator to hand over)
	actions: [],            // feed, by seq
	events: [], errors: [],
	fleet: [],
	view: Object.assign({ feed: "all", tab: "timeline" }, store.get(K + "view", {})),
	composer: Object.assign({ to: [], title: "", body: "", severity: "medium" }, store.get(K + "composer", {})),
	gradeDraft: store.get(K + "grades", {}),
	inboxOpen: null,
	welcomeAt: 0,
};
let conn = null, chart = null, ftabs = null, modal = null;

const teams = () => ((S.exercise && S.exercise.teams) || []).map((x) => x.id);
const rk = (team, id) => team + "\u0001" + id;
const live = () => performance.now() - S.welcomeAt > LIVE_AFTER_MS;

// ---- messages from the server ----------------------------------------------------------------------
const handlers = {
	welcome(m) {
		S.exercise = m.exercise || {};
		setContext(S.exercise, S.exercise.catalog || {});
		S.clock.duration = exerciseDurationUs(S.exercise);
		if (m.clock) S.clock.update(m.clock);
		S.inbox = {}; S.reads = new Set(); S.actions = []; S.events = []; S.errors = [];
		for (const id of teams()) S.inbox[id] = new Map();
		S.fleet = [];
		S.impact = null;  // the backlog brings the latest one
		store.del(K + "cache"); store.del(K + "fleet");   // copies kept by earlier versions of this page
		if (m.scores) handlers.scores(m.scores);
		S.welcomeAt = performance.now();
		for (const b of Array.isArray(m.backlog) ? m.backlog : []) onMessage(b);
		for (const a of Array.isArray(m.actions) ? m.actions : []) handlers.action(a);
		if (chart) chart.setSeries(seriesOf(S.exercise.dashboard && S.exercise.dashboard.series, DEFAULT_SERIES));
		renderAll();
	},
	clock(m) {
		const was = S.clock.state();
		S.clock.update(m);
		renderClock(); renderTimelineSoon();
		if (S.clock.state() !== was) { renderState(); renderScoreboard(); if (live()) announce(t("clock.now." + S.clock.state())); }
		renderHotwash();
	},
	inject(m) {
		const to = m.team ? [m.team] : Array.isArray(m.to) ? m.to : typeof m.to === "string" ? [m.to] : [];
		const list = to.includes("all") ? teams() : to;
		for (const team of list) {
			if (!S.inbox[team]) S.inbox[team] = new Map();
			S.inbox[team].set(m.id, m);
			if (m.read === true) S.reads.add(rk(team, m.id));
		}
		syncInjectTitles();
		addEvent({ t_us: m.t_us, kind: "inject", subject: (m.title || m.id) + " → " + list.map((x) => teamName(S.exercise, x)).join(", "), detail: "", cls: "inject" });
		renderTeams(); if (S.inboxOpen) renderInboxModal();
	},
	read(m) {
		if (!m.team || !m.inject) return;
		S.reads.add(rk(m.team, m.inject));
		renderTeams(); if (S.inboxOpen) renderInboxModal();
	},
	message(m) {
		addEvent({ t_us: m.t_us, kind: "share", subject: teamName(S.exercise, m.from) + " → " + (m.to === "all" ? t("coord.all") : teamName(S.exercise, m.to)) + " [" + t("tlp." + tlpOf(m.tlp)) + "]", detail: m.text, cls: "share" });
	},
	score(m) {
		if (m.team) S.scores[m.team] = Object.assign({}, S.scores[m.team] || {}, m);
		if (typeof m.joint === "number") S.joint = m.joint;
		renderTeams(); renderScoreboard(); if (S.inboxOpen === m.team) renderInboxModal();
	},
	scores(m) {
		const tm = m.teams || {};
		for (const [id, s] of Object.entries(tm)) S.scores[id] = Object.assign({}, S.scores[id] || {}, s, { team: id });
		if (typeof m.joint === "number") S.joint = m.joint;
		renderTeams(); renderScoreboard();
	},
	score_change(m) {
		const a = m.seq !== undefined ? S.actions.find((x) => x.seq === m.seq) : null;
		if (a) {
			a.effects = a.effects || [];
			for (const e of m.effects || []) if (!a.effects.some((x) => JSON.stringify(x) === JSON.stringify(e))) a.effects.push(e);
			renderFeed();
		}
		for (const e of m.effects || []) {
			const { text, points } = effectText(e);
			addEvent({ t_us: m.t_us, kind: "score." + e.type, subject: teamName(S.exercise, m.team) + " " + fmtPoints(points), detail: text, cls: "score" });
		}
	},
	fleet(m) {
		if (typeof m.t_us !== "number") return;
		S.fleet = fleetAdd(S.fleet, m);
		renderFleet();
	},
	impact(m) { S.impact = m; renderImpact(); },  // harm averted against the run with no team actions (docs/protocol.md)
	fleet_history(m) {
		if (!Array.isArray(m.samples)) return;
		S.fleet = fleetFromHistory(S.fleet, m.samples);
		renderFleet();
	},
	action(m) {
		if (!m.kind) return;
		const key = m.seq !== undefined ? "s" + m.seq : "i" + m.team + m.id;
		const prev = S.actions.find((a) => a.key === key);
		if (prev) Object.assign(prev, m); else S.actions.push(Object.assign({ key }, m));
		S.actions.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0) || (a.t_us ?? 0) - (b.t_us ?? 0));
		renderFeed(); renderTeams();
	},
	grade(m) {
		const seq = m.action !== undefined ? m.action : m.seq;
		const a = S.actions.find((x) => x.seq === seq);
		if (a) { a.points = m.points; a.comment = m.comment; a.gradeSending = false; }
		if (S.gradeDraft[seq]) { delete S.gradeDraft[seq]; store.set(K + "grades", S.gradeDraft); }
		renderFeed();
	},
	event(m) {
		const kind = m.kind || m.name || "event";
		if (kind === "action.result" || kind === "action.error") {   // the world's effect of an action (or its refusal): on the action in the feed
			const d = m.detail || {};
			const a = S.actions.find((x) => x.seq === d.seq);
			if (a) { if (d.result !== undefined) a.result = d.result; if (d.error) a.error = d.error; renderFeed(); }
			else if (d.seq !== undefined) handlers.action(Object.assign({ t_us: m.t_us }, d));
			return;
		}
		if (/error/i.test(kind)) {
			S.errors.push(m);
			if (live()) toast(t("fac.errors") + ": " + errorText(m), "bad");
			renderErrors();
		}
		if (kind === "attack.suppressed") {   // the server held back a storm of attack steps (they are in a reload's timeline)
			addEvent({ t_us: m.t_us, kind, subject: "", detail: t("fac.suppressed", { n: fmtN((m.detail && m.detail.count) || 0, getLang()) }), cls: "attack" });
			return;
		}
		addEvent({ t_us: m.t_us ?? m.t, kind, subject: kind === "service.health" ? valLabel("name", m.subject) : m.subject || "", detail: eventWords(kind, m.subject, m.detail, m.message),
			cls: /^attack|^service\.health$/.test(kind) ? "attack" : /error/.test(kind) ? "error" : "" });
	},
	ack() { /* the facilitator's own control/grade/inject messages */ },
	token(m) {
		if (!m.team || !m.url) return;
		S.newLinks[m.team] = m.url;
		renderTeams();
		toast(t("fac.newlink", { team: teamName(S.exercise, m.team) }), "ok");
	},
	hotwash(m) { S.hotwash = m; renderHotwash(); },   // how many participants answered the feedback form
	error(m) {
		for (const a of S.actions) if (a.gradeSending) { a.gradeSending = false; renderFeed(); }
		if (conn && conn.fatal) { showBanner(t("conn.badtoken", { message: m.message || m.code }), "bad"); return; }
		toast(t("fac.errortoast", { message: (m.code ? m.code + ": " : "") + (m.message || "") }), "bad");
	},
};
handlers["scenario.error"] = (m) => handlers.event(Object.assign({ kind: "scenario.error" }, m));
handlers.fact = handlers.event;
handlers.log = (m) => handlers.event(Object.assign({ kind: "log" }, m));

let orgsPanel = null;   // drills with orgs: the teams by organisation and the sharing graph (orgs.js)
function onMessage(m) { if (orgsPanel) orgsPanel.onMessage(m, S); const fn = handlers[m.type]; if (fn) fn(m); }

function syncInjectTitles() {
	const map = new Map();
	for (const box of Object.values(S.inbox)) for (const [id, i] of box) map.set(id, i.title || id);
	for (const p of (S.exercise && S.exercise.inject_list) || []) if (p && p.id && !map.has(p.id)) map.set(p.id, p.title || p.id);
	setInjectTitles(map);
}

function errorText(m) {
	const where = m.where || m.subject || (m.detail && (m.detail.where || m.detail.file && (m.detail.file + ":" + m.detail.line))) || "";
	const msg = m.message || (m.detail && (typeof m.detail === "string" ? m.detail : m.detail.message || "")) || "";
	return (where ? where + ": " : "") + msg;
}

/* A world event in words (attack steps, service health, scenario messages); other details as "name: value" pairs. */
function eventWords(kind, subject, d, message) {
	if (d === undefined || d === null) return message || "";
	if (typeof d === "string") return d;
	const n = (v) => fmtN(typeof v === "number" ? v : Number(v) || 0, getLang());
	switch (kind) {
	case "attack.compromise": return d.blocked_by ? t("ev.compromise.blocked", { by: d.blocked_by }) : t("ev.compromise", { count: n(d.count), eligible: n(d.eligible), entry: valLabel("ecu", d.entry || "") });
	case "attack.spread": return t("ev.spread", { count: n(d.count), total: n(d.compromised) });
	case "attack.stop": return t("ev.stop", { cars: n(d.cars) });
	case "attack.exfiltrate": return d.records !== undefined ? t("ev.exfiltrate", { records: n(d.records) }) : t("ev.exfiltrate.rate", { per: n(d.records_per_checkin), cars: n(d.cars) });
	case "attack.abuse_feature": return t("ev.abuse", { commands: n(d.commands), unsafe: n(d.unsafe_events) });
	case "attack.malicious_ota": return d.accepted ? t("ev.ota.bad", { cars: n(d.targeted), version: d.version || "" }) : t("ev.ota.refused", { reason: d.reason || "" });
	case "service.health": return t("ev.health", { svc: valLabel("name", subject), from: t("svc." + d.from), to: t("svc." + (d.isolated ? "offline" : d.to)) });
	case "log": return typeof d.text === "string" ? d.text : d.message || "";
	case "scenario.error": case "scenario.stopped": return d.message || "";
	}
	if (typeof d.text === "string") return d.text;
	if (typeof d.message === "string") return d.message;
	return Object.entries(d).filter(([, v]) => v === null || typeof v !== "object").map(([k, v]) => (has("ek." + k) ? t("ek." + k) : k.replace(/_/g, " ")) + ": " + (typeof v === "number" ? n(v) : String(v))).join(" · ");
}

function eventKind(kind) { return has("ev." + kind) ? t("ev." + kind) : kind; }

function addEvent(e) {
	S.events.push(e);
	if (S.events.length > 3000) S.events.splice(0, S.events.length - 3000);
	renderTimelineSoon();
}
let tlTimer = 0;
/* The timeline is rebuilt at most four times a second, and only while it is shown (a fast clock sends many events). */
function renderTimelineSoon() { if (!tlTimer) tlTimer = setTimeout(() => { tlTimer = 0; if (S.view.tab === "timeline") renderTimeline(); }, 250); }

// ---- sending -----------------------------------------------------------------------------------------
function control(cmd, value) {
	const msg = { type: "control", cmd };
	if (value !== undefined) msg.value = value;
	if (!conn.send(msg)) toast(t("conn.offline"), "warn");
}

// ---- rendering ---------------------------------------------------------------------------------------
function renderClock() {
	const c = S.clock, st = c.state();
	const el = $("#clock");
	el.dataset.running = String(c.running); el.dataset.state = st;
	$("#clock-state").textContent = t("clock." + st);
	$("#clock-time").textContent = fmtT(c.now());
	$("#clock-dur").textContent = isFinite(c.duration) ? t("clock.of", { duration: fmtT(c.duration) }) : "";
	$("#clock-speed").textContent = t("clock.speed", { speed: c.speed });
	$("#ctl-start").hidden = st !== "notstarted";
	$("#ctl-pause").hidden = st !== "running";
	$("#ctl-resume").hidden = st !== "paused";
	$("#ctl-stop").disabled = st === "ended";
	$("#ctl-hold-set").disabled = st === "ended";
	$("#hold-state").textContent = typeof c.holdAt === "number" ? t("fac.hold.at", { time: fmtT(c.holdAt) }) : "";
	const sp = $("#ctl-speed");
	if (document.activeElement !== sp) {
		if (![...sp.options].some((o) => Number(o.value) === c.speed)) sp.appendChild(h("option", { value: c.speed }, "×" + c.speed));
		sp.value = String(c.speed);
	}
}

function renderState() {
	const st = S.clock.state();
	const b = $("#state-banner");
	b.dataset.state = st;
	if (st === "paused") { b.hidden = false; b.textContent = t("state.fac.paused"); }
	else if (st === "ended") { b.hidden = false; b.textContent = t("state.fac.ended"); }
	else b.hidden = true;
}

function renderConn(state, attempt) {
	$("#conn").dataset.state = state;
	$("#conn-text").textContent = state === "reconnecting" ? t("conn.reconnecting", { n: attempt }) : t("conn." + state);
	if (state === "online") showBanner(null);
	else if (state === "reconnecting" && attempt > 1) showBanner(t("conn.lost"), "warn");
}

function showBanner(text, kind) {
	const b = $("#banner");
	if (!text) { b.hidden = true; return; }
	b.hidden = false; b.className = "banner " + (kind || ""); b.textContent = text;
}

function unreadCount(team) {
	const box = S.inbox[team];
	if (!box) return 0;
	let n = 0;
	for (const id of box.keys()) if (!S.reads.has(rk(team, id))) n++;
	return n;
}

const overdueOf = (s) => (Array.isArray(s.expectations) ? s.expectations.filter((e) => e.status === "pending" && typeof e.opened_us === "number" && S.clock.now() >= e.opened_us + e.within_us).length : 0);

function renderTeams() {
	const ids = teams();
	const box = $("#teams");
	box.style.setProperty("--teams", String(Math.max(1, ids.length)));
	fill(box, ids.map((id) => {
		const s = S.scores[id] || {};
		const last = [...S.actions].reverse().find((a) => a.team === id);
		const un = unreadCount(id), od = overdueOf(s);
		return h("article", { class: "team-card", "data-team": id, "aria-label": teamName(S.exercise, id) },
			h("div", { class: "tc-head" }, h("h3", { class: "tc-name" }, teamName(S.exercise, id)), h("span", { class: "tc-score", "data-score": id }, typeof s.score === "number" ? fmtN(s.score, getLang()) : "—")),
			h("div", { class: "tc-detail" }, s.met !== undefined ? t("score.detail", { met: s.met || 0, missed: s.missed || 0, pending: s.pending || 0 }) : "",
				od ? h("span", { class: "tc-overdue" }, " · " + t("score.overdue.n", { n: od })) : null),
			h("div", { class: "tc-row" }, h("span", {}, t("fac.unread")), h("span", { class: "tc-unread" + (un ? " has" : ""), "data-unread": un }, String(un))),
			h("div", { class: "tc-row" }, h("span", {}, t("fac.lastaction")), h("span", { class: "tc-last", title: last ? summarize(last.kind, last.args) : "" }, last ? t("kind." + last.kind) + (typeof last.t_us === "number" ? " · " + fmtT(last.t_us) : "") : t("fac.noaction"))),
			h("div", { class: "tc-foot" }, h("button", { type: "button", class: "btn", "data-inbox": id, onclick: () => { S.inboxOpen = id; renderInboxModal(); } }, t("fac.viewinbox"))),
			h("div", { class: "tc-foot" },
				S.newLinks[id] ? h("input", { class: "tc-newlink", readonly: true, value: S.newLinks[id], "data-newlink": id, title: t("fac.newlink", { team: teamName(S.exercise, id) }), onfocus: (e) => e.target.select() }) : null,
				h("button", { type: "button", class: "btn", "data-revoke": id, title: t("fac.revoke.title"), onclick: () => revoke(id) }, t("fac.revoke"))));
	}));
}

/* A team's join link leaked: the server revokes its token, disconnects its pages and sends back a new link. */
function revoke(id) {
	if (!confirm(t("fac.revoke.confirm", { team: teamName(S.exercise, id) }))) return;
	if (!conn.send({ type: "revoke", team: id })) toast(t("conn.offline"), "warn");
}

function renderScoreboard() {
	const ids = teams().slice().sort((a, b) => ((S.scores[b] || {}).score || 0) - ((S.scores[a] || {}).score || 0));
	const num = (v) => (typeof v === "number" ? fmtN(v, getLang()) : "—");
	const started = S.clock.started || S.clock.ended;
	const teamSum = teams().reduce((x, id) => x + ((S.scores[id] || {}).score || 0), 0);
	fill($("#scoreboard"),
		h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("fac.rank")), h("th", { scope: "col" }, t("fac.team")), h("th", { scope: "col", class: "num" }, t("fac.score")), h("th", { scope: "col", class: "num" }, t("fac.met")), h("th", { scope: "col", class: "num" }, t("fac.missed")), h("th", { scope: "col", class: "num" }, t("fac.open")))),
		h("tbody", {}, ids.map((id, i) => { const s = S.scores[id] || {}; return h("tr", { "data-team": id }, h("td", {}, String(i + 1)), h("th", { scope: "row" }, teamName(S.exercise, id)), h("td", { class: "num" }, num(s.score)), h("td", { class: "num" }, num(s.met)), h("td", { class: "num" }, num(s.missed)), h("td", { class: "num" }, num(s.pending))); }),
			S.joint !== null && started ? h("tr", { class: "outcome" }, h("td", {}), h("th", { scope: "row" }, t("fac.outcome")), h("td", { class: "num" }, num(Math.round((S.joint - teamSum) * 100) / 100)), h("td", { colspan: "3" })) : null,
			S.joint !== null ? h("tr", { class: "joint" }, h("td", {}), h("th", { scope: "row" }, t("fac.joint")), h("td", { class: "num", "data-joint": started ? String(S.joint) : "" }, started ? num(S.joint) : "—"), h("td", { colspan: "3" })) : null));
	$("#joint-help").textContent = S.joint === null ? "" : started ? t("fac.joint.help") : t("fac.joint.before");
	const ex = S.exercise || {};
	const bits = [];
	if (ex.id) bits.push(ex.title || ex.id);
	if (typeof ex.injects === "number") bits.push(t("fac.injects", { n: ex.injects }));
	if (typeof ex.expectations === "number") bits.push(t("fac.expectations", { n: ex.expectations }));
	if (ex.seed !== undefined) bits.push(t("fac.seed", { seed: ex.seed }));
	const techs = Array.isArray(ex.techniques) ? ex.techniques : [];
	fill($("#ex-meta"), bits.join(" · "), techs.length ? h("div", { class: "techs" }, h("span", {}, t("fac.techniques")), techs.map((x) => h("span", { class: "tech mono" }, String(x)))) : null);
	$("#ex-title").title = ex.description || "";
}

// "Harm averted so far" while the drill runs; at its end, each team's share (what the harm would have been without it).
function renderImpact() {
	const m = S.impact, box = $("#impact");
	box.hidden = !m;
	if (!m) return;
	const pct = (x) => (typeof x === "number" ? fmtN(Math.round(x * 1000) / 10, getLang()) + " %" : "—");
	const teamsOf = m.final && m.teams ? Object.entries(m.teams) : [];
	fill(box, h("div", { class: "impact-head" }, h("span", {}, t(m.final ? "fac.impact.final" : "fac.impact.live")), h("strong", { "data-averted": String(m.averted) }, pct(m.averted))),
		h("div", { class: "sub" }, t("fac.impact.detail", { harm: fmtN(Math.round(m.harm), getLang()), baseline: fmtN(Math.round(m.baseline), getLang()) })),
		teamsOf.length ? h("table", { class: "scoreboard impact-teams" }, h("tbody", {}, teamsOf.map(([id, v]) =>
			h("tr", { "data-team": id }, h("td", {}, teamName(S.exercise, id)), h("td", { class: "num" }, pct(v.averted)))))) : null);
}

function needsGrade(a) { return GRADED_KINDS.includes(a.kind) && (a.points === undefined || a.points === null); }

function renderFeed() {
	for (const b of document.querySelectorAll("#feed-filter button")) { const on = b.dataset.filter === S.view.feed; b.classList.toggle("on", on); b.setAttribute("aria-pressed", String(on)); }
	const pending = S.actions.filter(needsGrade).length;
	const gc = $("#grade-count"); gc.hidden = !pending; gc.textContent = pending;
	const list = S.actions.filter((a) => S.view.feed === "all" || needsGrade(a)).slice().reverse();
	const feed = $("#feed");
	const focused = document.activeElement && feed.contains(document.activeElement) ? document.activeElement : null;
	if (focused && focused.closest(".grade-form")) { feedDirty = true; return; }   // do not rebuild under the facilitator's typing
	feedDirty = false;
	if (!list.length) { fill(feed, h("li", { class: "empty" }, t("fac.feed.empty"))); return; }
	fill(feed, list.slice(0, 400).map(feedItem));
}
let feedDirty = false;

function feedItem(a) {
	const text = a.args && (a.args.text || "");
	const graded = a.points !== undefined && a.points !== null;
	const res = !a.error && (a.result !== undefined || !((S.exercise.catalog || {}).action_kinds || []).some((k) => k.kind === a.kind && (k.world || k.kind === "assess"))) ? resultText(a.kind, a.result, a.args, true) : "";
	return h("li", { class: "feed-item" + (needsGrade(a) ? " needs-grade" : ""), "data-seq": a.seq, "data-team": a.team, "data-kind": a.kind },
		h("div", { class: "row1" }, h("span", { class: "time" }, fmtT(a.t_us)), h("span", { class: "team" }, teamName(S.exercise, a.team)), h("span", { class: "kind" }, t("kind." + a.kind)), h("span", { class: "seq" }, a.seq !== undefined ? "#" + a.seq : "")),
		a.by ? h("div", { class: "by" }, t("act.by", { name: a.by })) : null,
		h("div", { class: "text" }, summarize(a.kind, Object.assign({}, a.args, { text: undefined }))),
		text ? h("div", { class: "text quote" }, text) : null,
		a.inject ? h("div", { class: "result" }, t("act.for", { inject: injectTitle(a.inject) })) : null,
		res ? h("div", { class: "result", "data-result": a.kind }, res) : null,
		a.error ? h("div", { class: "err-text" }, t("act.world.said", { message: a.error })) : null,
		(a.effects || []).length ? h("ul", { class: "effects" }, a.effects.map((e) => { const x = effectText(e); return h("li", { class: "eff eff-" + e.type, "data-effect": e.type }, h("span", { class: "pts" }, fmtPoints(x.points)), " ", x.text); })) : null,
		graded ? h("div", { class: "graded-badge", "data-graded": a.points }, t("fac.grade.done", { points: a.points }) + (a.comment ? " — " + a.comment : "")) : null,
		GRADED_KINDS.includes(a.kind) && a.seq !== undefined ? gradeForm(a) : null);
}

function gradeForm(a) {
	const d = S.gradeDraft[a.seq] || { points: a.points ?? "", comment: a.comment ?? "" };
	const pts = h("input", { type: "number", step: "1", placeholder: t("fac.grade.points"), "aria-label": t("fac.grade.points.for", { seq: a.seq }), value: d.points, class: "grade-points" });
	const com = h("input", { type: "text", placeholder: t("fac.grade.comment"), "aria-label": t("fac.grade.comment"), value: d.comment, class: "grade-comment" });
	const save = () => { S.gradeDraft[a.seq] = { points: pts.value, comment: com.value }; store.set(K + "grades", S.gradeDraft); };
	pts.oninput = save; com.oninput = save;
	const f = h("form", { class: "grade-form", novalidate: true, "data-grade": a.seq }, pts, com,
		h("button", { type: "submit", class: "btn primary", disabled: !!a.gradeSending }, a.gradeSending ? "…" : t("fac.grade")));
	f.addEventListener("focusout", () => setTimeout(() => { if (feedDirty && !(document.activeElement && document.activeElement.closest(".grade-form"))) renderFeed(); }, 0));
	f.onsubmit = (e) => {
		e.preventDefault();
		const n = Number(pts.value);
		if (pts.value.trim() === "" || !isFinite(n)) { pts.classList.add("invalid-input"); pts.setAttribute("aria-invalid", "true"); toast(t("fac.grade.bad"), "warn"); return; }
		if (!conn.send({ type: "grade", action: a.seq, points: n, comment: com.value.trim() })) { toast(t("conn.offline"), "warn"); return; }
		a.gradeSending = true;   // the grade shows when the server's grade message comes back
		document.activeElement && document.activeElement.blur();
		renderFeed();
	};
	return f;
}

/* Injects the exercise plans (the facilitator's exercise lists them) and that have not been sent yet. */
function plannedEvents() {
	const ex = S.exercise || {};
	const list = Array.isArray(ex.inject_list) ? ex.inject_list : [];
	const sent = new Set();
	for (const box of Object.values(S.inbox)) for (const id of box.keys()) sent.add(id);
	const now = S.clock.now();
	const out = [];
	for (const p of list) {
		if (!p || typeof p !== "object") continue;
		const at = typeof p.at_us === "number" ? p.at_us : typeof p.t_us === "number" ? p.t_us : parseDurationUs(p.at);
		if (!isFinite(at) || at < 0 || (p.id && sent.has(p.id)) || at < now) continue;
		const to = (Array.isArray(p.to) ? p.to : p.to ? [p.to] : []).map((x) => teamName(S.exercise, x)).join(", ");
		out.push({ t_us: at, kind: "planned", subject: (p.title || p.id || "") + (to ? " → " + to : ""), detail: "", cls: "planned" });
	}
	return out.sort((a, b) => b.t_us - a.t_us);
}

function renderTimeline() {
	const tl = $("#timeline");
	const ev = plannedEvents().concat(S.events.slice(-400).map((e, i) => [e, i]).sort((x, y) => ((y[0].t_us ?? 0) - (x[0].t_us ?? 0)) || (y[1] - x[1])).map((x) => x[0]));
	if (!ev.length) { fill(tl, h("li", { class: "empty" }, t("fac.timeline.empty"))); return; }
	fill(tl, ev.map((e) => h("li", { class: "tl-item " + (e.cls || ""), "data-kind": e.kind },
		h("span", { class: "time" }, fmtT(e.t_us)),
		h("div", {}, h("span", { class: "kind" }, eventKind(e.kind)), e.subject ? h("span", {}, " · " + e.subject) : null, e.detail ? h("div", { class: "detail" }, String(e.detail).slice(0, 400)) : null))));
}

function renderErrors() {
	$("#tab-errors-btn").textContent = t("fac.tabs.errors", { n: S.errors.length });
	$("#tab-errors-btn").classList.toggle("has-errors", S.errors.length > 0);
	const el = $("#errors");
	if (!S.errors.length) { fill(el, h("li", { class: "empty" }, t("fac.errors.none"))); return; }
	fill(el, S.errors.slice().reverse().map((e) => h("li", { class: "error-item" }, fmtT(e.t_us ?? e.t) + "  " + errorText(e))));
}

function renderTabs() { if (ftabs) ftabs.show(S.view.tab); if (S.view.tab === "timeline") renderTimeline(); }

function renderComposer() {
	const f = $("#composer");
	if (f.contains(document.activeElement) && f.dataset.lang === getLang()) return;
	f.dataset.lang = getLang();
	const c = S.composer;
	const save = () => store.set(K + "composer", c);
	const checks = h("fieldset", { class: "checks", id: "comp-to" }, h("legend", {}, t("fac.composer.to")), teams().map((id) => h("label", {},
		h("input", { type: "checkbox", value: id, checked: c.to.includes(id), onchange: (e) => { c.to = c.to.filter((x) => x !== id); if (e.target.checked) c.to.push(id); save(); } }), " ", teamName(S.exercise, id))));
	const sev = h("select", { id: "comp-sev", onchange: (e) => { c.severity = e.target.value; save(); } }, SEVERITIES.map((s) => h("option", { value: s }, t("sev." + s))));
	sev.value = c.severity;
	const title = h("input", { type: "text", id: "comp-title", value: c.title, oninput: (e) => { c.title = e.target.value; save(); } });
	const body = h("textarea", { id: "comp-body", rows: 6, oninput: (e) => { c.body = e.target.value; save(); } });
	body.value = c.body;
	f.onsubmit = (e) => {
		e.preventDefault();
		if (!c.to.length) { toast(t("fac.composer.noteam"), "warn"); return; }
		if (!c.title.trim()) { title.focus(); title.classList.add("invalid-input"); title.setAttribute("aria-invalid", "true"); return; }
		const all = teams().every((id) => c.to.includes(id));
		if (!conn.send({ type: "inject", to: all ? ["all"] : c.to.slice(), title: c.title.trim(), body: c.body, severity: c.severity })) { toast(t("conn.offline"), "warn"); return; }
		toast(t("fac.composer.sent"), "good", 2500);
		c.title = ""; c.body = ""; save();
		document.activeElement && document.activeElement.blur();
		renderComposer();
	};
	fill(f, checks,
		h("div", { class: "field" }, h("label", { for: "comp-sev" }, t("fac.composer.severity")), sev),
		h("div", { class: "field" }, h("label", { for: "comp-title" }, t("fac.composer.title")), title),
		h("div", { class: "field" }, h("label", { for: "comp-body" }, t("fac.composer.body")), body),
		h("div", { class: "form-actions" }, h("button", { type: "submit", class: "btn primary", id: "comp-send" }, t("fac.composer.send"))));
}

/* A team's inbox and expectations, in a modal dialog (Escape or Close returns focus to the card's button). */
function renderInboxModal() {
	const id = S.inboxOpen;
	if (!id) { if (modal && modal.open) modal.close(null); modal = null; return; }
	if (!modal || !modal.open) {
		modal = openDialog({ id: "inbox-modal", className: "inbox-view", title: t("fac.inbox.title", { team: teamName(S.exercise, id) }),
			headExtra: h("button", { type: "button", class: "btn", onclick: () => { S.inboxOpen = null; renderInboxModal(); } }, t("fac.close")),
			onClose: () => { S.inboxOpen = null; modal = null; } });
	}
	const s = S.scores[id] || {};
	const now = S.clock.now();
	const items = [...(S.inbox[id] || new Map()).values()].sort((a, b) => (b.t_us || 0) - (a.t_us || 0));
	const exps = Array.isArray(s.expectations) ? s.expectations : [];
	fill(modal.body, h("p", { class: "note" }, t("fac.inbox.note")),
		exps.length ? h("section", { class: "iv-exps" }, h("h3", {}, t("fac.expect.title")), h("ul", {}, exps.map((e) => {
			const st = e.status === "pending" && now >= e.opened_us + e.within_us ? "overdue" : e.status;
			return h("li", { class: "exp exp-" + st, "data-exp-status": e.status },
				h("span", { class: "pill-st st-" + st }, t("exp.st." + st)), " ", expectationName(e), " · ", e.status === "met" ? fmtPoints(e.awarded || 0) + " / " + fmtN(e.points, getLang())
					: e.status === "pending" ? t("score.fullby", { time: fmtT(e.opened_us + e.within_us) }) + " (" + fmtSpan(e.opened_us + e.within_us - now, getLang()) + ")"
					: e.status === "unfired" ? t("exp.unfired") : fmtN(e.points, getLang()) + " " + t("score.pts.unit"));
		}))) : null,
		h("h3", {}, t("fac.inbox.injects")),
		items.length ? items.map((i) => {
			const read = S.reads.has(rk(id, i.id));
			const sev = sevOf(i.severity);
			return h("div", { class: "iv-item", "data-id": i.id },
				h("div", { class: "row1" }, h("span", { class: "sev sev-" + sev }, t("sev." + sev)), " ", h("span", { class: "time" }, fmtT(i.t_us)), " ", h("span", { class: "readflag " + (read ? "read" : "unread") }, t(read ? "fac.inbox.read" : "fac.inbox.unread"))),
				h("strong", {}, i.title || i.id), h("div", { class: "body" }, i.body || ""));
		}) : h("div", { class: "placeholder" }, t("inbox.empty")));
}

function renderFleet() {
	const last = S.fleet[S.fleet.length - 1] || {};
	const dash = (S.exercise && S.exercise.dashboard) || {};
	const tiles = (Array.isArray(dash.tiles) && dash.tiles.length ? dash.tiles : DEFAULT_TILES).map((x) => (typeof x === "string" ? { metric: x } : x));
	fill($("#kpis"), tiles.map(({ metric: k, label }) => h("div", { class: "kpi kpi-" + k, "data-kpi": k },
		h("div", { class: "kpi-label" }, metricLabel(k, label)), h("div", { class: "kpi-value" }, h("span", {}, fmtShort(last[k], getLang()))))));
	const svcs = last.services && typeof last.services === "object" ? Object.entries(last.services) : [];
	fill($("#services"), svcs.map(([n, st]) => {
		const s = typeof st === "string" ? st : (st && (st.status || st.state)) || "up";
		return h("li", { class: "svc svc-" + s }, h("span", { class: "dot", "aria-hidden": "true" }), h("span", { class: "svc-name" }, valLabel("name", n)), h("span", { class: "svc-state" }, has("svc." + s) ? t("svc." + s) : s));
	}));
	$("#chart-empty").hidden = S.fleet.length > 0;
	if (chart) chart.setData(S.fleet);
}

/* The hot wash: how many participants answered the feedback form (shown once the drill has ended or anyone has). */
function renderHotwash() {
	const el = $("#hw-count");
	if (!el) return;
	const m = S.hotwash || { answered: 0, teams: {} };
	el.hidden = !(m.answered > 0 || S.clock.ended);
	el.dataset.answered = String(m.answered || 0);
	el.textContent = t("fac.hotwash", { n: m.answered || 0 });
	el.title = teams().map((id) => teamName(S.exercise, id) + ": " + ((m.teams && m.teams[id]) || 0)).join("\n");
}

function renderAll() {
	renderHotwash();
	$("#ex-title").textContent = (S.exercise && S.exercise.title) || t("app.tagline");
	document.title = t("fac.title") + (S.exercise && S.exercise.title ? " · " + S.exercise.title : "") + " · kyodo";
	renderClock(); renderState(); renderTeams(); renderScoreboard(); renderImpact(); renderFeed(); renderTimeline(); renderErrors(); renderTabs(); renderComposer(); renderFleet();
	if (S.inboxOpen) renderInboxModal();
}

// ---- start -------------------------------------------------------------------------------------------
function start() {
	applyStatic(document);
	$("#clock").after(h("div", { class: "hw-chip", id: "hw-count", role: "status", hidden: true }));
	$("#lang-btn").addEventListener("click", () => setLang(getLang() === "ja" ? "en" : "ja"));
	$("#ctl-start").addEventListener("click", () => control("start"));
	$("#ctl-pause").addEventListener("click", () => control("pause"));
	$("#ctl-resume").addEventListener("click", () => control("resume"));
	$("#ctl-stop").addEventListener("click", async () => {
		const d = openDialog({ title: t("fac.stop"), body: h("p", {}, t("fac.stop.confirm")), className: "confirm",
			actions: [{ label: t("conf.cancel"), value: "cancel" }, { label: t("fac.stop.ok"), value: "stop", danger: true, primary: true }], initial: "cancel" });
		if ((await d.done) === "stop") control("stop");
	});
	$("#hold-form").addEventListener("submit", (e) => {
		e.preventDefault();
		const v = $("#ctl-hold").value.trim();
		if (!v) { control("hold_at", null); return; }
		const us = parseDurationUs(v);
		if (!isFinite(us)) { $("#ctl-hold").setAttribute("aria-invalid", "true"); toast(t("fac.hold.bad"), "warn"); return; }
		$("#ctl-hold").setAttribute("aria-invalid", "false");
		control("hold_at", us / 1e6);
	});
	const sp = $("#ctl-speed");
	fill(sp, SPEEDS.map((x) => h("option", { value: x }, "×" + x)));
	sp.addEventListener("change", () => { control("speed", Number(sp.value)); sp.blur(); });
	for (const b of document.querySelectorAll("#feed-filter button")) b.addEventListener("click", () => { S.view.feed = b.dataset.filter; store.set(K + "view", S.view); renderFeed(); });
	ftabs = makeTabs($("#ftabs"), (name) => { S.view.tab = name; store.set(K + "view", S.view); renderTabs(); });
	orgsPanel = new OrgsPanel($("#orgs-panel"));
	chart = new LineChart($("#fleet-chart"), { series: seriesOf(null, DEFAULT_SERIES), label: (s) => metricLabel(s.key, s.label), lang: getLang, duration: () => S.clock.duration, title: () => t("fleet.chart") });
	onLang(() => { renderAll(); renderConn(conn.state, conn.attempt); });
	renderAll();
	setInterval(renderClock, 250);
	if (!token) { showBanner(t("conn.notoken"), "bad"); conn = { send: () => false, state: "offline", attempt: 0 }; renderConn("offline", 0); return; }
	conn = new Conn(token, { onMessage, onState: renderConn });
	window.kyodo = { state: S, conn };
	conn.open();
}

start();

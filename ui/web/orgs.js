// orgs: organisations on the pages (CONTRACT §2-§4, drills that declare orgs{}). For the facilitator: the teams
// grouped by organisation (kind, cars, compromised per org from the fleet's truth, each team's score) and the sharing
// graph, live: which organisation shared with which, under which TLP, how often, with the ISAC's relays and the
// recipients' automated ingestion, plus the list of shares (who learned what from whom and when). For a team: its
// organisation's name for the header. Everything comes from the server (welcome.exercise.orgs, the teams' org, the
// `message`s of shares with their recipients, `fleet.orgs`); the page keeps nothing of its own. Drills without orgs:
// the panel stays hidden. Hooked into facilitator.js / team.js by a few lines; the strings are added to the one
// catalogue (i18n.js addCatalog).

import { t, getLang, addCatalog } from "./i18n.js";
import { h, fill, fmtT, fmtN, tlpOf, teamName } from "./util.js";

addCatalog("en", {
	"orgs.title": "Organisations",
	"orgs.graph": "Sharing between organisations",
	"orgs.graph.empty": "No share between organisations yet.",
	"orgs.list": "Shares",
	"orgs.kind.oem": "OEM", "orgs.kind.supplier": "Supplier", "orgs.kind.isac": "ISAC", "orgs.kind.soc": "SOC",
	"orgs.kind.regulator": "Regulator",
	"orgs.cars": "{n} cars", "orgs.compromised": "{n} compromised",
	"orgs.relay": "relay of #{seq} ({from})",
	"orgs.ingest": "ingested by {orgs}",
	"orgs.to": "{from} → {to}",
	"orgs.recipients": "{n} recipient(s)",
	"orgs.edge": "{from} → {to}: {n} share(s), TLP:{tlp}",
});
addCatalog("ja", {
	"orgs.title": "組織",
	"orgs.graph": "組織間の情報共有",
	"orgs.graph.empty": "組織間の共有はまだありません。",
	"orgs.list": "共有の一覧",
	"orgs.kind.oem": "自動車メーカー", "orgs.kind.supplier": "サプライヤ", "orgs.kind.isac": "ISAC", "orgs.kind.soc": "SOC",
	"orgs.kind.regulator": "規制当局",
	"orgs.cars": "{n} 台", "orgs.compromised": "侵害 {n} 台",
	"orgs.relay": "#{seq}({from})の中継",
	"orgs.ingest": "自動取り込み: {orgs}",
	"orgs.to": "{from} → {to}",
	"orgs.recipients": "受信 {n} チーム",
	"orgs.edge": "{from} → {to}: {n} 件, TLP:{tlp}",
});

const TLP_ORDER = ["clear", "green", "amber", "amber+strict", "red"];
const TLP_COLOR = { clear: "#7a8594", green: "#1f9d6b", amber: "#d69e2e", "amber+strict": "#b7791f", red: "#c53030" };

/* The org a team acts for, and an org's display name. */
export function teamOrg(ex, team) {
	for (const tm of (ex && ex.teams) || []) if (tm && tm.id === team) return tm.org || null;
	return null;
}
export function orgName(ex, id) {
	for (const o of (ex && ex.orgs) || []) if (o.id === id) return o.name || id;
	return id || "";
}

const SVG = "http://www.w3.org/2000/svg";
function s(tag, attrs, ...children) {
	const el = document.createElementNS(SVG, tag);
	for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
	for (const c of children.flat()) if (c !== null && c !== undefined) el.append(typeof c === "string" ? document.createTextNode(c) : c);
	return el;
}

/* The facilitator's organisations panel. root: the panel's element (hidden until the exercise declares orgs). */
export class OrgsPanel {
	constructor(root) {
		this.root = root;
		this.ex = null;
		this.shares = [];      // share messages, by time
		this.fleet = null;     // the latest fleet truth (its orgs breakdown)
		this.ingest = {};      // share seq -> [{org, at_us}] (from the share's action record)
	}
	welcome(ex) {
		this.ex = ex;
		this.shares = [];
		this.fleet = null;
		this.ingest = {};
		this.root.hidden = !(ex && Array.isArray(ex.orgs) && ex.orgs.length);
	}
	/* A `message` the facilitator got: a share between orgs carries from_org and recipients. */
	message(m) {
		if (!m || !m.from_org || !Array.isArray(m.recipients) || m.notify) return;   // a notification is not a share
		const key = m.from + "\u0001" + m.t_us + "\u0001" + m.text;
		if (this.shares.some((x) => x.key === key)) return;   // a welcome's backlog may replay it
		this.shares.push(Object.assign({ key }, m));
		this.shares.sort((a, b) => (a.t_us || 0) - (b.t_us || 0));
	}
	setFleet(f) { if (f && f.orgs) this.fleet = f; }
	/* The page's one hook: every server message, before the page's own handler; re-renders soon after. */
	onMessage(m, S) {
		if (!m) return;
		if (m.type === "welcome") this.welcome(m.exercise);
		else if (m.type === "message") this.message(m);
		else if (m.type === "action") this.action(m);
		else if (m.type === "fleet") this.setFleet(m);
		else if (m.type === "fleet_history" && Array.isArray(m.samples) && m.samples.length) this.setFleet(m.samples[m.samples.length - 1]);
		else if (m.type !== "score") return;
		if (!this.timer) this.timer = setTimeout(() => { this.timer = 0; this.render(S && S.scores); }, 120);
	}
	/* A team's `action` record: a share's result says which orgs ingested its indicators. */
	action(a) {
		if (a && a.kind === "share" && a.result && Array.isArray(a.result.ingest) && a.seq !== undefined) this.ingest[a.seq] = a.result.ingest;
	}
	/* The edges of the graph: (from org, to org, TLP) with counts; the strictest TLP first. */
	edges() {
		const ex = this.ex, map = new Map();
		for (const m of this.shares) {
			const to = new Set(m.recipients.map((x) => teamOrg(ex, x)).filter(Boolean));
			for (const o of to) {
				const k = m.from_org + "\u0001" + o + "\u0001" + tlpOf(m.tlp);
				const e = map.get(k) || { from: m.from_org, to: o, tlp: tlpOf(m.tlp), n: 0 };
				e.n++;
				map.set(k, e);
			}
		}
		return [...map.values()].sort((a, b) => TLP_ORDER.indexOf(a.tlp) - TLP_ORDER.indexOf(b.tlp));
	}
	render(scores) {
		if (this.root.hidden || !this.ex) return;
		const ex = this.ex, orgs = ex.orgs || [];
		const groups = orgs.map((o) => {
			const f = this.fleet && this.fleet.orgs && this.fleet.orgs[o.id];
			const teams = (ex.teams || []).filter((tm) => tm.org === o.id);
			return h("div", { class: "org-group", "data-org": o.id, "data-kind": o.kind },
				h("div", { class: "org-head" }, h("strong", {}, o.name || o.id), h("span", { class: "org-kind" }, t("orgs.kind." + o.kind))),
				o.cars ? h("div", { class: "org-fleet" }, t("orgs.cars", { n: fmtN(o.cars, getLang()) }),
					f ? h("span", { class: "org-comp" + (f.compromised ? " bad" : ""), "data-compromised": f.compromised }, t("orgs.compromised", { n: fmtN(f.compromised, getLang()) })) : null) : null,
				h("ul", { class: "org-teams" }, teams.map((tm) => {
					const sc = (scores && scores[tm.id]) || {};
					return h("li", { "data-team": tm.id }, h("span", {}, tm.name || tm.id), h("span", { class: "num" }, typeof sc.score === "number" ? fmtN(sc.score, getLang()) : "—"));
				})));
		});
		fill(this.root,
			h("div", { class: "panel-head" }, h("h2", {}, t("orgs.title"))),
			h("div", { class: "org-groups" }, groups),
			h("div", { class: "org-share" },
				h("div", { class: "org-graph-box" }, h("h3", {}, t("orgs.graph")), this.graph()),
				h("div", { class: "org-share-list" }, h("h3", {}, t("orgs.list")), this.list())));
	}
	/* Organisations on a circle, one arrow per (from, to, TLP) with its count. */
	graph() {
		const ex = this.ex, orgs = ex.orgs || [], edges = this.edges();
		if (!edges.length) return h("p", { class: "muted org-graph-empty" }, t("orgs.graph.empty"));
		const W = 360, H = 260, R = 100, cx = W / 2, cy = H / 2 + 4, pos = {};
		orgs.forEach((o, i) => {
			const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, orgs.length);
			pos[o.id] = [cx + R * Math.cos(a), cy + R * Math.sin(a)];
		});
		const arrows = edges.map((e, k) => {
			const [x1, y1] = pos[e.from] || [cx, cy], [x2, y2] = pos[e.to] || [cx, cy];
			const dx = x2 - x1, dy = y2 - y1, len = Math.hypot(dx, dy) || 1, off = (k % 3 - 1) * 6;  // parallel edges apart
			const nx = -dy / len * off, ny = dx / len * off, sh = 22 / len;
			const a = [x1 + dx * sh + nx, y1 + dy * sh + ny], b = [x2 - dx * sh + nx, y2 - dy * sh + ny];
			const label = t("orgs.edge", { from: orgName(ex, e.from), to: orgName(ex, e.to), n: e.n, tlp: e.tlp.toUpperCase() });
			return s("g", { class: "org-edge", "data-from": e.from, "data-to": e.to, "data-tlp": e.tlp, "data-count": e.n },
				s("title", {}, label),
				s("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], stroke: TLP_COLOR[e.tlp], "stroke-width": 1.5 + Math.min(4, e.n), "marker-end": "url(#org-arrow-" + e.tlp.replace("+", "-") + ")" }),
				s("text", { x: (a[0] + b[0]) / 2 + nx, y: (a[1] + b[1]) / 2 + ny - 3, class: "org-edge-n", "text-anchor": "middle" }, String(e.n)));
		});
		const markers = TLP_ORDER.map((tl) => s("marker", { id: "org-arrow-" + tl.replace("+", "-"), viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" },
			s("path", { d: "M0,0 L10,5 L0,10 z", fill: TLP_COLOR[tl] })));
		const nodes = orgs.map((o) => {
			const [x, y] = pos[o.id];
			return s("g", { class: "org-node", "data-org": o.id, "data-kind": o.kind },
				s("circle", { cx: x, cy: y, r: 18 }), s("text", { x, y: y + 32, "text-anchor": "middle" }, o.name || o.id));
		});
		return s("svg", { class: "org-graph", viewBox: `0 0 ${W} ${H + 30}`, role: "img", "aria-label": t("orgs.graph") }, s("defs", {}, markers), arrows, nodes);
	}
	list() {
		const ex = this.ex;
		return h("ol", { class: "org-shares scroll" }, this.shares.slice().reverse().map((m) => {
			const tl = tlpOf(m.tlp), ingest = (this.ingest[m.seq] || []).map((x) => orgName(ex, x.org) + " " + fmtT(x.at_us));
			return h("li", { "data-tlp": tl },
				h("span", { class: "mono" }, fmtT(m.t_us)), " ",
				h("span", { class: "tlp tlp-" + (tl === "amber+strict" ? "amber" : tl) }, "TLP:" + tl.toUpperCase()), " ",
				h("strong", {}, t("orgs.to", { from: teamName(ex, m.from) + " (" + orgName(ex, m.from_org) + ")", to: m.to === "all" ? t("coord.all") : teamName(ex, m.to) })), " ",
				h("span", { class: "muted" }, t("orgs.recipients", { n: m.recipients.length })),
				m.relay_of ? h("span", { class: "org-relay" }, " · " + t("orgs.relay", { seq: m.relay_of.seq, from: teamName(ex, m.relay_of.from) })) : null,
				ingest.length ? h("span", {}, " · " + t("orgs.ingest", { orgs: ingest.join(", ") })) : null,
				h("div", { class: "org-share-text" }, m.text || ""));
		}));
	}
}

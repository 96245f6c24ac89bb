// util: small helpers shared by both pages (DOM building, sim-time formatting, the interpolated clock,
// storage that survives a reload, toasts and the audible cue). No page state lives here.

/* h("div", {class: "x", onclick: fn}, child, "text", [children]) builds an element; text is never parsed as HTML. */
export function h(tag, attrs, ...children) {
	const el = document.createElement(tag);
	if (attrs) {
		for (const [k, v] of Object.entries(attrs)) {
			if (v === undefined || v === null || v === false) continue;
			if (k === "class") el.className = v;
			else if (k === "text") el.textContent = v;
			else if (k === "dataset") Object.assign(el.dataset, v);
			else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
			else if (k === "value") el.value = v;
			else if (k === "checked" || k === "disabled" || k === "selected" || k === "hidden") el[k] = !!v;
			else el.setAttribute(k, v === true ? "" : String(v));
		}
	}
	append(el, children);
	return el;
}

function append(el, children) {
	for (const c of children) {
		if (c === undefined || c === null || c === false) continue;
		if (Array.isArray(c)) append(el, c);
		else if (c instanceof Node) el.appendChild(c);
		else el.appendChild(document.createTextNode(String(c)));
	}
}

/* Replaces the children of el. */
export function fill(el, ...children) {
	el.replaceChildren();
	append(el, children);
	return el;
}

export const $ = (sel, root) => (root || document).querySelector(sel);

/* Sim time in microseconds as H:MM:SS (hours unbounded). */
export function fmtT(us) {
	if (typeof us !== "number" || !isFinite(us)) return "--:--:--";
	const neg = us < 0;
	let s = Math.floor(Math.abs(us) / 1e6);
	const hh = Math.floor(s / 3600); s -= hh * 3600;
	const mm = Math.floor(s / 60); s -= mm * 60;
	return (neg ? "-" : "") + String(hh).padStart(2, "0") + ":" + String(mm).padStart(2, "0") + ":" + String(s).padStart(2, "0");
}

/* Parses the times of the scenario API and the CLI: seconds as a number, "90s", "15m", "4h", "01:30:00"; returns microseconds or NaN. */
export function parseDurationUs(v) {
	if (typeof v === "number") return v * 1e6;
	if (typeof v !== "string") return NaN;
	const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/.exec(v);
	if (m) return parseFloat(m[1]) * ({ s: 1, m: 60, h: 3600 }[m[2] || "s"]) * 1e6;
	const c = /^\s*(\d+):(\d{1,2})(?::(\d{1,2}))?\s*$/.exec(v);
	if (c) return ((+c[1]) * 3600 + (+c[2]) * 60 + (+(c[3] || 0))) * 1e6;
	return NaN;
}

/* The drill's duration in microseconds from a welcome's exercise object (several spellings accepted). */
export function exerciseDurationUs(ex) {
	if (!ex) return NaN;
	if (typeof ex.duration_us === "number") return ex.duration_us;
	if (typeof ex.duration === "string") return parseDurationUs(ex.duration);
	if (typeof ex.duration === "number") return ex.duration > 1e7 ? ex.duration : ex.duration * 1e6;
	return NaN;
}

/* Compact number: 12345 → "12,345" in the page's locale. */
export function fmtN(n, lang) {
	if (typeof n !== "number" || !isFinite(n)) return "—";
	return n.toLocaleString(lang === "ja" ? "ja-JP" : "en-US", { maximumFractionDigits: 1 });
}

/* A number for a small tile: exact below 100,000, compact above (1.2M, 120万). */
export function fmtShort(n, lang) {
	if (typeof n !== "number" || !isFinite(n)) return "—";
	if (Math.abs(n) < 1e5) return fmtN(n, lang);
	return n.toLocaleString(lang === "ja" ? "ja-JP" : "en-US", { notation: "compact", maximumFractionDigits: 1 });
}

/* The server's clock between two clock messages: sim time advances by speed × wall time while running. */
export class SimClock {
	constructor() { this.t_us = 0; this.speed = 1; this.running = false; this.at = performance.now(); this.known = false; this.started = false; this.ended = false; this.duration = NaN; }
	update(msg) {
		this.t_us = typeof msg.t_us === "number" ? msg.t_us : this.t_us;
		if (typeof msg.speed === "number") this.speed = msg.speed;
		this.running = !!msg.running;
		if (this.running || this.t_us > 0 || msg.started) this.started = true;
		if (msg.started === false) this.started = !!this.running;
		this.ended = !!(msg.ended || msg.stopped || msg.state === "ended" || msg.state === "stopped");
		if (typeof msg.duration_us === "number") this.duration = msg.duration_us;
		this.holdAt = typeof msg.hold_at_us === "number" ? msg.hold_at_us : null;   // control hold_at: pauses itself there
		this.at = performance.now();
		this.known = true;
	}
	now() {
		let t = this.t_us;
		if (this.running) t += (performance.now() - this.at) * 1000 * this.speed;
		if (isFinite(this.duration) && t > this.duration) t = this.duration;
		return t;
	}
	state() {
		if (this.ended) return "ended";
		if (this.running) return "running";
		return this.started ? "paused" : "notstarted";
	}
}

/* JSON in localStorage under a key; get returns dflt when missing or unreadable. */
export const store = {
	get(key, dflt) {
		try { const s = localStorage.getItem(key); return s === null ? dflt : JSON.parse(s); } catch (e) { return dflt; }
	},
	set(key, v) {
		try { localStorage.setItem(key, JSON.stringify(v)); } catch (e) { /* quota or private mode */ }
	},
	del(key) { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } },
};

/* The part of a fleet sample the pages draw: its numbers (any metric a dashboard may name) and the services. */
export function slimFleet(m) {
	const o = {};
	for (const [k, v] of Object.entries(m)) if (typeof v === "number" || k === "services" || k === "ota_campaigns") o[k] = v;
	delete o.type;
	return o;
}

/* The fleet series after one live sample m (returns the new array): a sample from the past (a resumed or restarted
 * drill) drops what came after it, one at the same time replaces the last, and a long series is thinned. */
export function fleetAdd(series, m) {
	const last = series[series.length - 1];
	let out = last && m.t_us < last.t_us ? series.filter((p) => p.t_us < m.t_us) : series;
	const sm = slimFleet(m);
	if (last && last.t_us === m.t_us) out[out.length - 1] = sm; else out.push(sm);
	if (out.length > 2000) out = out.filter((p, i) => i % 2 === 0 || i > out.length - 200);
	return out;
}

/* The fleet series from the server's history (sent once after the welcome), keeping live samples newer than it. */
export function fleetFromHistory(live, samples) {
	const out = samples.filter((x) => x && typeof x.t_us === "number").map(slimFleet);
	const end = out.length ? out[out.length - 1].t_us : -1;
	for (const x of live) if (x.t_us > end) out.push(x);
	return out;
}

/* A short stable key for a token so that storage keys do not carry the token itself. */
export function tokenKey(token) {
	let x = 0x811c9dc5;
	for (let i = 0; i < token.length; i++) { x ^= token.charCodeAt(i); x = Math.imul(x, 0x01000193) >>> 0; }
	return x.toString(36);
}

/* A client id for an action: unique per browser, kept with the action until it is acknowledged. */
export function newClientId(prefix) {
	const b = new Uint8Array(8);
	crypto.getRandomValues(b);
	return (prefix ? prefix + "-" : "") + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

export const SEVERITIES = ["critical", "high", "medium", "low", "info"];
export function sevOf(s) {
	s = String(s || "info").toLowerCase();
	if (s === "crit") return "critical";
	if (s === "med" || s === "moderate") return "medium";
	return SEVERITIES.includes(s) ? s : "info";
}

export const TLPS = ["clear", "green", "amber", "amber+strict", "red"];
export function tlpOf(s) {
	s = String(s || "clear").toLowerCase().replace(/^tlp:/, "");
	if (s === "white") return "clear";
	return TLPS.includes(s) ? s : "clear";
}

/* Says text to screen readers through the page's live region (#announce, role=status), once. */
export function announce(text) {
	let el = document.getElementById("announce");
	if (!el) { el = h("div", { id: "announce", class: "sr-only", role: "status", "aria-live": "polite", "aria-atomic": "true" }); document.body.appendChild(el); }
	el.textContent = "";
	setTimeout(() => { el.textContent = text; }, 60);   // a change the reader notices even when the same text repeats
}

/* A toast at the bottom right that goes away after ms; screen readers hear it through announce(). */
export function toast(text, kind, ms) {
	let box = document.getElementById("toasts");
	if (!box) { box = h("div", { id: "toasts", "aria-hidden": "true" }); document.body.appendChild(box); }
	const el = h("div", { class: "toast " + (kind || "") }, text);
	box.appendChild(el);
	announce(text);
	setTimeout(() => { el.classList.add("out"); setTimeout(() => el.remove(), 400); }, ms || 6000);
}

/* Real tabs (WAI-ARIA tabs pattern) over tablist's buttons [data-tab] and the panels [data-tabpanel] of the same
   name: roles, aria-selected, aria-controls, one tab in the Tab order, arrow keys, Home and End. onSelect(name) is
   called on a click or a key; show(name) marks the chosen tab and shows its panel. */
export function makeTabs(tablist, onSelect) {
	const tabs = () => [...tablist.querySelectorAll("[data-tab]")];
	tablist.setAttribute("role", "tablist");
	for (const b of tabs()) {
		const panel = document.querySelector(`[data-tabpanel="${b.dataset.tab}"]`);
		if (!b.id) b.id = "tab-btn-" + b.dataset.tab;
		b.setAttribute("role", "tab");
		if (panel) {
			if (!panel.id) panel.id = "tab-panel-" + b.dataset.tab;
			b.setAttribute("aria-controls", panel.id);
			panel.setAttribute("role", "tabpanel");
			panel.setAttribute("aria-labelledby", b.id);
			if (!panel.hasAttribute("tabindex")) panel.tabIndex = 0;
		}
		b.addEventListener("click", () => onSelect(b.dataset.tab));
		b.addEventListener("keydown", (e) => {
			const list = tabs(), i = list.indexOf(b);
			let j = -1;
			if (e.key === "ArrowRight" || e.key === "ArrowDown") j = (i + 1) % list.length;
			else if (e.key === "ArrowLeft" || e.key === "ArrowUp") j = (i - 1 + list.length) % list.length;
			else if (e.key === "Home") j = 0;
			else if (e.key === "End") j = list.length - 1;
			if (j < 0) return;
			e.preventDefault();
			onSelect(list[j].dataset.tab);
			list[j].focus();
		});
	}
	return {
		show(name) {
			for (const b of tabs()) {
				const on = b.dataset.tab === name;
				b.classList.toggle("on", on);
				b.setAttribute("aria-selected", String(on));
				b.tabIndex = on ? 0 : -1;
			}
			for (const p of document.querySelectorAll("[data-tabpanel]")) if (tabs().some((b) => b.dataset.tab === p.dataset.tabpanel)) p.hidden = p.dataset.tabpanel !== name;
		},
	};
}

/* A text in the page's language from a scenario label: a string, or {en: …, ja: …}. */
export function pickLang(label, lang) {
	if (typeof label === "string") return label;
	if (label && typeof label === "object") return label[lang] || label.en || Object.values(label)[0] || "";
	return "";
}

/* How long ago in sim time, in words of the page's language ("12 min", "1 h 05 min"). */
export function fmtSpan(us, lang) {
	if (typeof us !== "number" || !isFinite(us)) return "";
	const m = Math.max(0, Math.round(us / 60e6));
	const hh = Math.floor(m / 60), mm = m % 60;
	if (lang === "ja") return hh ? hh + " 時間 " + (mm ? mm + " 分" : "") : mm + " 分";
	return hh ? hh + " h" + (mm ? " " + String(mm).padStart(2, "0") + " min" : "") : mm + " min";
}

let audioCtx = null;
/* Two short tones through WebAudio (only after a user gesture enabled sound). */
export function chime() {
	try {
		if (!audioCtx) audioCtx = new AudioContext();
		const t0 = audioCtx.currentTime;
		for (const [f, dt] of [[880, 0], [1320, 0.16]]) {
			const o = audioCtx.createOscillator();
			const g = audioCtx.createGain();
			o.type = "sine"; o.frequency.value = f;
			g.gain.setValueAtTime(0.0001, t0 + dt);
			g.gain.exponentialRampToValueAtTime(0.2, t0 + dt + 0.02);
			g.gain.exponentialRampToValueAtTime(0.0001, t0 + dt + 0.15);
			o.connect(g).connect(audioCtx.destination);
			o.start(t0 + dt); o.stop(t0 + dt + 0.16);
		}
	} catch (e) { /* no audio device: the visible cue remains */ }
}

/* Team display name from the exercise's team list. */
export function teamName(ex, id) {
	if (id === "all") return id;
	const teams = (ex && ex.teams) || [];
	for (const tm of teams) if (tm && (tm.id === id)) return tm.name || id;
	return id || "?";
}

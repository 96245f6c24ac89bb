// chart: a small hand-written canvas time-series chart for the fleet metrics (no library, nothing fetched).
// The series a drill cares about (its dashboard) are drawn over simulated time in stacked panels, one per axis:
// the counts of cars share one panel and scale, any other metric (records exfiltrated, unsafe events) gets its own,
// so that every series is read on a scale that fits it. Nice ticks, a legend, a hover read-out, sharp on high-DPI
// screens, redrawn on resize; the canvas's accessible name says the latest value of every series.

import { fmtT, fmtN, fmtShort } from "./util.js";

/* Colours by metric (the car states as the replay viewer draws them, Okabe–Ito); others from the palette. */
const COLORS = { compromised: "#D55E00", patched: "#009E73", offline: "#6b7280", bricked: "#CC79A7", revoked: "#B8860B",
	clean: "#0072B2", total: "#173a5c" };
const PALETTE = ["#0072B2", "#E69F00", "#56B4E9", "#7a4fa0", "#8c564b", "#117733"];

/* The series of a dashboard ([{metric, label?, axis?}]) as chart series [{key, color, axis, label}]. */
export function seriesOf(list, defaults) {
	const src = Array.isArray(list) && list.length ? list : defaults;
	let k = 0;
	return src.map((s) => {
		const key = typeof s === "string" ? s : s.metric;
		return { key, color: COLORS[key] || PALETTE[k++ % PALETTE.length], axis: (s && s.axis) || (COLORS[key] ? "cars" : key), label: s && s.label };
	});
}

export const FLEET_SERIES = seriesOf(null, ["compromised", "patched", "offline", "bricked", "revoked"]);

function niceStep(range, target) {
	const raw = range / Math.max(1, target);
	const p = Math.pow(10, Math.floor(Math.log10(raw || 1)));
	for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * p) return m * p;
	return 10 * p;
}

const TIME_STEPS_S = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

export class LineChart {
	/* canvas: the element; opts: {series: [{key,color,axis}], label(series) → text, lang() → code, duration() → us,
	   title() → the accessible name's first words}. */
	constructor(canvas, opts) {
		this.c = canvas;
		this.o = opts;
		this.data = [];
		this.hover = null;
		this.pending = false;
		canvas.setAttribute("role", "img");
		if (typeof ResizeObserver !== "undefined") new ResizeObserver(() => this.draw()).observe(canvas);
		canvas.addEventListener("mousemove", (e) => { const r = canvas.getBoundingClientRect(); this.hover = e.clientX - r.left; this.draw(); });
		canvas.addEventListener("mouseleave", () => { this.hover = null; this.draw(); });
	}

	setSeries(series) { this.o.series = series; this.draw(); }

	/* points: array of fleet messages ({t_us, compromised, …}) in time order; the chart keeps a reference. */
	setData(points) { this.data = points; this.draw(); }

	draw() {
		if (this.pending) return;
		this.pending = true;
		requestAnimationFrame(() => { this.pending = false; this.paint(); this.describe(); });
	}

	describe() {
		const last = this.data[this.data.length - 1];
		const lang = this.o.lang ? this.o.lang() : "en";
		const bits = this.o.series.filter((s) => last && typeof last[s.key] === "number").map((s) => this.o.label(s) + " " + fmtN(last[s.key], lang));
		this.c.setAttribute("aria-label", (this.o.title ? this.o.title() : "") + (last ? " (" + fmtT(last.t_us) + "): " + bits.join(", ") : ""));
	}

	paint() {
		const c = this.c;
		const dpr = window.devicePixelRatio || 1;
		const w = c.clientWidth, hgt = c.clientHeight;
		if (!w || !hgt) return;
		if (c.width !== Math.round(w * dpr) || c.height !== Math.round(hgt * dpr)) { c.width = Math.round(w * dpr); c.height = Math.round(hgt * dpr); }
		const g = c.getContext("2d");
		g.setTransform(dpr, 0, 0, dpr, 0, 0);
		g.clearRect(0, 0, w, hgt);
		const font = getComputedStyle(c).fontFamily || "sans-serif";
		const lang = this.o.lang ? this.o.lang() : "en";
		const pts = this.data;
		const series = this.o.series.filter((s) => pts.some((p) => typeof p[s.key] === "number"));

		// legend
		g.font = "12px " + font;
		g.textBaseline = "middle";
		g.textAlign = "left";
		let lx = 56, ly = 10;
		for (const s of series) {
			const label = this.o.label(s);
			const lw = 19 + g.measureText(label).width + 16;
			if (lx > 56 && lx + lw - 16 > w - 4) { lx = 56; ly += 18; }
			g.fillStyle = s.color; g.fillRect(lx, ly - 2, 14, 4);
			g.fillStyle = "#374151"; g.fillText(label, lx + 19, ly);
			lx += lw;
		}

		// one panel per axis, stacked, sharing the time axis
		const axes = [];
		for (const s of series) { let a = axes.find((x) => x.name === s.axis); if (!a) axes.push(a = { name: s.axis, series: [] }); a.series.push(s); }
		const L = 56, R = 12, top = ly + 14, B = 22, gap = 14;
		const pw = w - L - R;
		const panelH = axes.length ? (hgt - top - B - gap * (axes.length - 1)) / axes.length : 0;
		if (pw < 40 || panelH < 26) return;
		let t1 = pts.length ? pts[pts.length - 1].t_us : 0;
		const dur = this.o.duration ? this.o.duration() : NaN;
		t1 = Math.max(t1, 60e6);
		if (isFinite(dur) && dur > 0 && t1 < dur) t1 = Math.min(dur, Math.max(t1 * 1.25, t1 + 300e6));
		const t0 = 0;
		const X = (t) => L + ((t - t0) / (t1 - t0)) * pw;

		axes.forEach((a, i) => {
			const T = top + i * (panelH + gap), ph = panelH;
			let ymax = 0;
			for (const p of pts) for (const s of a.series) if (typeof p[s.key] === "number" && p[s.key] > ymax) ymax = p[s.key];
			const ystep = niceStep(Math.max(ymax, 4), ph > 90 ? 4 : 2);
			ymax = Math.max(ystep * Math.ceil(Math.max(ymax, 1) / ystep), ystep);
			const Y = (v) => T + ph - (v / ymax) * ph;
			g.strokeStyle = "#e5e7eb"; g.lineWidth = 1; g.fillStyle = "#4b5563"; g.textAlign = "right"; g.textBaseline = "middle";
			for (let v = 0; v <= ymax + 1e-9; v += ystep) {
				const y = Math.round(Y(v)) + 0.5;
				g.beginPath(); g.moveTo(L, y); g.lineTo(L + pw, y); g.stroke();
				g.fillText(fmtShort(v, lang), L - 6, y);
			}
			g.strokeStyle = "#9ca3af"; g.beginPath(); g.moveTo(L, T + ph + 0.5); g.lineTo(L + pw, T + ph + 0.5); g.stroke();
			g.lineJoin = "round";
			for (const s of a.series) {
				g.strokeStyle = s.color; g.lineWidth = 2;
				g.beginPath();
				let first = true;
				for (const p of pts) {
					if (typeof p[s.key] !== "number") continue;
					const x = X(p.t_us), y = Y(p[s.key]);
					if (first) { g.moveTo(x, y); first = false; } else g.lineTo(x, y);
				}
				g.stroke();
			}
		});

		// time labels under the last panel
		const spanS = (t1 - t0) / 1e6;
		let st = TIME_STEPS_S[TIME_STEPS_S.length - 1];
		for (const s of TIME_STEPS_S) if (spanS / s <= 7) { st = s; break; }
		const yb = hgt - B + 6;
		g.textAlign = "center"; g.textBaseline = "top"; g.fillStyle = "#4b5563";
		for (let s = 0; s * 1e6 <= t1; s += st) {
			const x = Math.round(X(s * 1e6)) + 0.5;
			const label = fmtT(s * 1e6).replace(/:00$/, "");
			if (x + g.measureText(label).width / 2 <= w) g.fillText(label, x, yb);
		}

		// hover read-out
		if (this.hover !== null && pts.length && this.hover >= L && this.hover <= L + pw) {
			const tt = t0 + ((this.hover - L) / pw) * (t1 - t0);
			let best = pts[0];
			for (const p of pts) if (Math.abs(p.t_us - tt) < Math.abs(best.t_us - tt)) best = p;
			const x = Math.round(X(best.t_us)) + 0.5;
			g.strokeStyle = "#111827"; g.lineWidth = 1; g.setLineDash([3, 3]);
			g.beginPath(); g.moveTo(x, top); g.lineTo(x, hgt - B); g.stroke(); g.setLineDash([]);
			const lines = [fmtT(best.t_us)].concat(series.filter((s) => typeof best[s.key] === "number").map((s) => this.o.label(s) + ": " + fmtN(best[s.key], lang)));
			g.font = "12px " + font; g.textAlign = "left"; g.textBaseline = "top";
			const bw = Math.max(...lines.map((l) => g.measureText(l).width)) + 16, bh = lines.length * 16 + 8;
			const bx = x + 8 + bw > L + pw ? x - 8 - bw : x + 8;
			g.fillStyle = "rgba(17,24,39,0.92)"; g.fillRect(bx, top + 4, bw, bh);
			g.fillStyle = "#fff";
			lines.forEach((l, i) => g.fillText(l, bx + 8, top + 8 + i * 16));
		}
	}
}

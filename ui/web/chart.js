// chart: a small hand-written canvas time-series chart for the fleet metrics (no library, nothing fetched).
// Draws one line per series over simulated time, with nice axis ticks, a legend and a hover read-out,
// sharp on high-DPI screens; redraws on resize.

import { fmtT, fmtN } from "./util.js";

export const FLEET_SERIES = [
	{ key: "compromised", color: "#d63a3a" },
	{ key: "patched", color: "#1f9d6b" },
	{ key: "offline", color: "#6b7280" },
	{ key: "bricked", color: "#8b5cf6" },
	{ key: "revoked", color: "#d9901a" },
];

function niceStep(range, target) {
	const raw = range / Math.max(1, target);
	const p = Math.pow(10, Math.floor(Math.log10(raw || 1)));
	for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * p) return m * p;
	return 10 * p;
}

const TIME_STEPS_S = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

export class LineChart {
	/* canvas: the element; opts: {series: [{key,color}], label(key) → text, lang() → code, duration() → us}. */
	constructor(canvas, opts) {
		this.c = canvas;
		this.o = opts;
		this.data = [];
		this.hover = null;
		this.pending = false;
		if (typeof ResizeObserver !== "undefined") new ResizeObserver(() => this.draw()).observe(canvas);
		canvas.addEventListener("mousemove", (e) => { const r = canvas.getBoundingClientRect(); this.hover = e.clientX - r.left; this.draw(); });
		canvas.addEventListener("mouseleave", () => { this.hover = null; this.draw(); });
	}

	/* points: array of fleet messages ({t_us, compromised, …}) in time order; the chart keeps a reference. */
	setData(points) { this.data = points; this.draw(); }

	draw() {
		if (this.pending) return;
		this.pending = true;
		requestAnimationFrame(() => { this.pending = false; this.paint(); });
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
		const series = this.o.series.filter((s) => this.data.some((p) => typeof p[s.key] === "number"));

		// legend
		g.font = "12px " + font;
		g.textBaseline = "middle";
		g.textAlign = "left";
		let lx = 52, ly = 12;
		for (const s of series) {
			const label = this.o.label(s.key);
			const lw = 19 + g.measureText(label).width + 16;
			if (lx > 52 && lx + lw - 16 > w - 4) { lx = 52; ly += 18; }
			g.fillStyle = s.color; g.fillRect(lx, ly - 2, 14, 4);
			g.fillStyle = "#374151"; g.fillText(label, lx + 19, ly);
			lx += lw;
		}

		const L = 52, R = 12, T = ly + 16, B = 24;
		const pw = w - L - R, ph = hgt - T - B;
		if (pw < 40 || ph < 30) return;
		const pts = this.data;
		let t1 = pts.length ? pts[pts.length - 1].t_us : 0;
		const dur = this.o.duration ? this.o.duration() : NaN;
		t1 = Math.max(t1, 60e6);
		if (isFinite(dur) && dur > 0 && t1 < dur) t1 = Math.min(dur, Math.max(t1 * 1.25, t1 + 300e6));
		const t0 = 0;
		let ymax = 0;
		for (const p of pts) for (const s of series) if (typeof p[s.key] === "number" && p[s.key] > ymax) ymax = p[s.key];
		const ystep = niceStep(Math.max(ymax, 10), 4);
		ymax = Math.max(ystep * Math.ceil(Math.max(ymax, 1) / ystep), ystep);
		const X = (t) => L + ((t - t0) / (t1 - t0)) * pw;
		const Y = (v) => T + ph - (v / ymax) * ph;

		// grid and y labels
		g.strokeStyle = "#e5e7eb"; g.lineWidth = 1; g.fillStyle = "#6b7280";
		g.textAlign = "right";
		for (let v = 0; v <= ymax + 1e-9; v += ystep) {
			const y = Math.round(Y(v)) + 0.5;
			g.beginPath(); g.moveTo(L, y); g.lineTo(L + pw, y); g.stroke();
			g.fillText(fmtN(v, lang), L - 6, y);
		}
		// x labels
		const spanS = (t1 - t0) / 1e6;
		let st = TIME_STEPS_S[TIME_STEPS_S.length - 1];
		for (const s of TIME_STEPS_S) if (spanS / s <= 7) { st = s; break; }
		g.textAlign = "center"; g.textBaseline = "top";
		for (let s = 0; s * 1e6 <= t1; s += st) {
			const x = Math.round(X(s * 1e6)) + 0.5;
			g.strokeStyle = "#f1f5f9"; g.beginPath(); g.moveTo(x, T); g.lineTo(x, T + ph); g.stroke();
			const label = fmtT(s * 1e6).replace(/:00$/, "");
			if (x + g.measureText(label).width / 2 <= w) g.fillText(label, x, T + ph + 6);
		}
		g.strokeStyle = "#9ca3af"; g.beginPath(); g.moveTo(L, T + ph + 0.5); g.lineTo(L + pw, T + ph + 0.5); g.stroke();

		// lines
		g.lineJoin = "round";
		for (const s of series) {
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

		// hover read-out
		if (this.hover !== null && pts.length && this.hover >= L && this.hover <= L + pw) {
			const tt = t0 + ((this.hover - L) / pw) * (t1 - t0);
			let best = pts[0];
			for (const p of pts) if (Math.abs(p.t_us - tt) < Math.abs(best.t_us - tt)) best = p;
			const x = Math.round(X(best.t_us)) + 0.5;
			g.strokeStyle = "#111827"; g.lineWidth = 1; g.setLineDash([3, 3]);
			g.beginPath(); g.moveTo(x, T); g.lineTo(x, T + ph); g.stroke(); g.setLineDash([]);
			const lines = [fmtT(best.t_us)].concat(series.filter((s) => typeof best[s.key] === "number").map((s) => this.o.label(s.key) + ": " + fmtN(best[s.key], lang)));
			g.font = "12px " + font; g.textAlign = "left"; g.textBaseline = "top";
			const bw = Math.max(...lines.map((l) => g.measureText(l).width)) + 16, bh = lines.length * 16 + 8;
			const bx = x + 8 + bw > L + pw ? x - 8 - bw : x + 8;
			g.fillStyle = "rgba(17,24,39,0.9)"; g.fillRect(bx, T + 4, bw, bh);
			g.fillStyle = "#fff";
			lines.forEach((l, i) => g.fillText(l, bx + 8, T + 8 + i * 16));
		}
	}
}

// Helpers for the page tests: a real `kyodo serve` on a free port, Debian's Chromium through playwright-core,
// pages that record their console errors, the action form driven the way a participant drives it, PASS/FAIL lines.
// Every server started here is stopped on exit.
import { spawn, execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const KYODO = process.env.KYODO || path.join(ROOT, "build", "kyodo");
export const WEB = path.join(ROOT, "ui", "web");
export const ART = path.join(ROOT, process.env.BUILD || "build", "artifacts");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const T = 30000;   // ms to wait for one thing to show

let nFail = 0;
const children = new Set();
export const consoleErrors = [];
export function pass(name) { console.log("PASS " + name); }
export function fail(name, e) { nFail++; console.log("FAIL " + name + ": " + (e && e.message ? e.message.split("\n")[0] : e)); }
export function failures() { return nFail; }
export function assert(c, msg) { if (!c) throw new Error(msg); }
export async function step(name, fn) {
	try { await fn(); pass(name); return true; } catch (e) { fail(name, e); return false; }
}

function killAll() { for (const p of children) { try { p.kill("SIGKILL"); } catch { /* gone */ } } }
process.on("exit", killAll);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => { killAll(); process.exit(1); });

export function tmpdir(tag) { return fs.mkdtempSync(path.join(os.tmpdir(), "kyodo-" + tag + "-")); }

export function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
		s.on("error", reject);
	});
}

/* Starts `kyodo serve FILE` on a free port with a journal in dir; resolves {proc, teams: {id: url}, facilitator}. */
export async function serve(file, dir, extra) {
	const port = await freePort();
	const proc = spawn(KYODO, ["serve", file, "--port", String(port), "--host", "127.0.0.1", "--db", path.join(dir, path.basename(file, ".lua") + ".db"),
		"--web", WEB].concat(extra || []), { stdio: ["ignore", "pipe", "pipe"], cwd: ROOT });
	children.add(proc);
	proc.on("exit", () => children.delete(proc));
	let out = "", err = "";
	proc.stderr.on("data", (d) => { err += d; if (err.length > 200000) err = err.slice(-100000); });
	return await new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(file + ": no join URLs within 15 s; stderr: " + err.slice(-400))), 15000);
		proc.on("exit", (code) => { clearTimeout(timer); reject(new Error(file + ": kyodo serve exited " + code + ": " + err.slice(-400))); });
		proc.stdout.on("data", (d) => {
			out += d;
			const teams = {};
			for (const m of out.matchAll(/^join (\S+) (http\S+)$/gm)) teams[m[1]] = m[2];
			const f = /^facilitator (http\S+\/facilitator\?token=\S+)$/m.exec(out);
			if (f) { clearTimeout(timer); resolve({ proc, teams, facilitator: f[1], log: () => err }); }
		});
	});
}

export function stop(proc) {
	return new Promise((resolve) => {
		if (proc.exitCode !== null || proc.signalCode) { resolve(); return; }
		const k = setTimeout(() => proc.kill("SIGKILL"), 5000);
		proc.once("exit", () => { clearTimeout(k); resolve(); });
		proc.kill("SIGTERM");
	});
}

export async function launch() {
	return chromium.launch({
		executablePath: CHROMIUM,
		args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
			"--disable-component-update", "--disable-sync",
			// several pages act at once (a facilitator and every team): none of them is throttled as a background tab
			"--disable-renderer-backgrounding", "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows"],
	});
}

/* Opens url in page (a new one of ctx when page is null), records console errors, waits until it is online. */
export async function openPage(ctx, url, label, page) {
	page = page || await ctx.newPage();
	page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(label + ": " + m.text()); });
	page.on("pageerror", (e) => consoleErrors.push(label + ": " + e.message));
	page.on("response", (r) => { if (r.status() >= 400) consoleErrors.push(label + ": HTTP " + r.status() + " " + r.url()); });
	await page.goto(url);
	await page.waitForSelector("#conn[data-state=online]", { timeout: T });
	return page;
}

export async function shot(page, name) {
	fs.mkdirSync(ART, { recursive: true });
	await page.screenshot({ path: path.join(ART, name + ".png"), fullPage: false });
}

/* "01:30:00" for seconds. */
export function hms(s) {
	const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), x = Math.floor(s % 60);
	return [h, m, x].map((v) => String(v).padStart(2, "0")).join(":");
}

/* Seconds from the CONTRACT time forms. */
export function seconds(v) {
	if (typeof v === "number") return v;
	const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(v);
	if (m) return parseFloat(m[1]) * ({ s: 1, m: 60, h: 3600 }[m[2] || "s"]);
	return v.split(":").reduce((a, x) => a * 60 + Number(x), 0);
}

/* Enters an action (kind, args, inject?) through the team page's one action form and sends it, as a participant
   does: the kind chosen in the control named `kind`, each argument in the control named after it (a selector's
   fields as select.model, …; a scope that is a group of cars by choosing that group first; a list as lines of one
   text control), each control changed with the input and change events a browser fires, then the send button and,
   for a kind that asks, the dialog's confirm button. It all happens in the page in one round trip (the machine
   running the tests is shared, and one driver call per control made a drill take a minute); the existing page test
   drives every kind control by control through playwright. Resolves with the outbox entry of the new action once
   the server answered it (acked, or refused by the world); rejects with what the form refused. */
export async function enterAction(page, kind, args, inject) {
	const a = await page.evaluate(({ kind, args, inject }) => new Promise((resolve, reject) => {
		const form = document.querySelector("#act-form form");
		const before = new Set(window.kyodo.state.outbox.map((x) => x.id));
		const set = (name, value) => {
			const el = form.querySelector(`[name="${CSS.escape(name)}"]`);
			if (!el) throw new Error(`the form has no control named ${name}`);
			if (el.tagName === "SELECT") {
				const want = (Array.isArray(value) ? value : [value]).map(String);
				for (const o of el.options) o.selected = want.includes(o.value);
				const got = [...el.selectedOptions].map((o) => o.value);
				if (want.some((v) => !got.includes(v))) throw new Error(`${name}: the list does not offer ${JSON.stringify(value)}`);
			} else {
				el.value = Array.isArray(value) ? value.join("\n") : String(value);
			}
			el.dispatchEvent(new Event("input", { bubbles: true }));
			el.dispatchEvent(new Event("change", { bubbles: true }));
		};
		try {
			set("kind", kind);
			for (const [k, v] of Object.entries(args || {})) {
				if (v && typeof v === "object" && !Array.isArray(v)) {
					const mode = form.querySelector(`select[name="${CSS.escape(k)}"]`);
					if (mode) set(k, "@cars");   // a name or a group of cars: the group
					for (const [sk, sv] of Object.entries(v)) set(k + "." + sk, sv);
				} else {
					set(k, v);
				}
			}
			if (inject) { const s = form.querySelector("#act-inject"); s.value = inject; s.dispatchEvent(new Event("change", { bubbles: true })); }
			form.querySelector("#act-send").click();
			const bad = [...form.querySelectorAll(".field.invalid")].map((e) => e.dataset.field + ": " + e.querySelector(".err").textContent);
			if (bad.length) throw new Error(kind + ": the form refused " + bad.join(", "));
			const ok = document.querySelector(".modal.confirm [data-value=ok]");
			const asks = ((window.kyodo.state.catalog.action_kinds || []).find((x) => x.kind === kind) || {}).confirm;
			if (asks && !ok) throw new Error(kind + ": no confirmation asked");
			if (ok) ok.click();
		} catch (e) { reject(e); return; }
		const t0 = Date.now();
		const poll = () => {
			const x = window.kyodo.state.outbox.find((y) => !before.has(y.id));
			if (x && x.status !== "pending") return resolve(JSON.parse(JSON.stringify(x)));
			if (Date.now() - t0 > 30000) return reject(new Error(kind + ": no answer from the server in 30 s"));
			setTimeout(poll, 15);
		};
		setTimeout(poll, 15);
	}), { kind, args, inject });
	return a;
}

/* Runs fn over items with at most n at a time; resolves when all are done. */
export async function pool(items, n, fn) {
	const q = items.slice();
	const workers = Array.from({ length: Math.max(1, Math.min(n, q.length)) }, async () => { while (q.length) await fn(q.shift()); });
	await Promise.all(workers);
}

/* `kyodo run FILE --actions GOOD --json` (the reference a live drill is compared with), without blocking the other
   drills' pages meanwhile. */
export function runJson(file, actions, dir) {
	return new Promise((resolve, reject) => {
		execFile(KYODO, ["run", file, "--actions", actions, "--json", "--db", path.join(dir, path.basename(file, ".lua") + ".ref.db")],
			{ encoding: "utf8", cwd: ROOT, maxBuffer: 64 << 20 }, (err, out, errText) => {
				if (err) reject(new Error("kyodo run " + path.basename(file) + ": " + (errText || err.message).slice(-400)));
				else { try { resolve(JSON.parse(out)); } catch (e) { reject(e); } }
			});
	});
}

/* Stops every server still running (call at the end). */
export async function stopAll() { for (const c of [...children]) await stop(c); }

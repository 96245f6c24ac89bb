// Helpers for the websocket tests: start a real `kyodo serve` on 127.0.0.1 (a free port), real `ws` clients,
// PASS/FAIL lines. Every server started here is killed on exit, whatever happens.
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

export { WebSocket };
// KY_TEST_SLOW=N multiplies every wait of these helpers (make valgrind runs the server some 20x slower).
export const SLOW = Math.max(1, Number(process.env.KY_TEST_SLOW || 1));
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const KYODO = process.env.KYODO || path.join(ROOT, "build/kyodo");

const live = new Set();
function killAll() {
	for (const p of live) {
		try { p.kill("SIGKILL"); } catch { /* gone */ }
	}
}
process.on("exit", killAll);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => { killAll(); process.exit(1); });

let nFail = 0;
export function pass(name) { console.log(`PASS ${name}`); }
export function fail(name, why) { nFail++; console.log(`FAIL ${name}`); console.log(`  ${why}`); }
export function check(name, ok, why) { if (ok) pass(name); else fail(name, why); return ok; }
export function failures() { return nFail; }

export function tmpdir(tag) { return fs.mkdtempSync(path.join(os.tmpdir(), `kyodo-${tag}-`)); }
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Starts `kyodo serve SCENARIO --port 0 ...`; resolves once the join lines are printed.
export function startServer(scenario, args = [], { timeoutMs = 15000 } = {}) {
	return new Promise((resolve, reject) => {
		const proc = spawn(KYODO, ["serve", scenario, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
		live.add(proc);
		const srv = { proc, tokens: {}, urls: {}, stderr: "", stdout: "", exited: null };
		srv.exit = new Promise((r) => proc.on("exit", (code, sig) => { live.delete(proc); srv.exited = { code, sig }; r(srv.exited); }));
		const timer = setTimeout(() => reject(new Error(`server did not print its join lines in time; stderr: ${srv.stderr}`)), timeoutMs * SLOW);
		proc.stderr.on("data", (d) => { srv.stderr += d; });
		proc.stdout.on("data", (d) => {
			srv.stdout += d;
			for (const line of srv.stdout.split("\n")) {
				let m = line.match(/^join (\S+) (https?:\/\/[^/]+\/\S*)$/);
				if (m) { srv.urls[m[1]] = m[2]; srv.tokens[m[1]] = new URL(m[2]).searchParams.get("token"); }
				m = line.match(/^facilitator (https?:\/\/[^/]+\/facilitator\S*)$/);
				if (m) {
					srv.urls.facilitator = m[1];
					srv.tokens.facilitator = new URL(m[1]).searchParams.get("token");
					srv.base = new URL(m[1]).origin;
					srv.ws = srv.base.replace(/^http/, "ws") + "/ws";
					clearTimeout(timer);
					resolve(srv);
				}
			}
		});
		proc.on("exit", (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}) before listening: ${srv.stderr}`)); });
	});
}

export async function stopServer(srv, sig = "SIGTERM") {
	if (srv.exited) return srv.exited;
	srv.proc.kill(sig);
	const t = setTimeout(() => srv.proc.kill("SIGKILL"), 5000);
	const r = await srv.exit;
	clearTimeout(t);
	return r;
}

// A websocket client that keeps every message and lets a test wait for one matching a predicate.
export class Client {
	// wsOpts go to ws's WebSocket (origin, localAddress, autoPong, rejectUnauthorized, ...).
	constructor(url, { protocol = "kyodo.v1", ...wsOpts } = {}) {
		this.msgs = [];
		this.waiters = [];
		this.closed = null;
		this.ws = new WebSocket(url, protocol ? [protocol] : undefined, wsOpts);
		this.opened = new Promise((res, rej) => {
			this.ws.once("open", res);
			this.ws.once("error", rej);
		});
		this.ws.on("error", () => {});
		this.ws.on("message", (data, isBinary) => {
			const m = isBinary ? { binary: true } : JSON.parse(data.toString());
			m._at = Date.now();
			this.msgs.push(m);
			this.waiters = this.waiters.filter((w) => !(w.pred(m) && (w.res(m), true)));
		});
		this.ws.on("close", (code, reason) => {
			this.closed = { code, reason: reason.toString() };
			for (const w of this.waiters) w.onClose?.();
		});
	}
	static async open(url, opts) { const c = new Client(url, opts); await c.opened; return c; }
	send(obj) { this.ws.send(typeof obj === "string" ? obj : JSON.stringify(obj)); }
	// Resolves with the first message (already received from index `from`, or coming) matching pred.
	next(pred, { timeoutMs = 15000, from = 0, what = "a message" } = {}) {
		const hit = this.msgs.slice(from).find(pred);
		if (hit) return Promise.resolve(hit);
		return new Promise((res, rej) => {
			const w = { pred, res: (m) => { clearTimeout(t); res(m); } };
			const t = setTimeout(() => { this.waiters = this.waiters.filter((x) => x !== w); rej(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.msgs.slice(-5))}`)); }, timeoutMs * SLOW);
			this.waiters.push(w);
		});
	}
	type(t, extra = {}) { return this.next((m) => m.type === t, { what: `a '${t}' message`, ...extra }); }
	async hello(token) { this.send({ type: "hello", token }); return this.type("welcome"); }
	waitClose(timeoutMs = 15000) {
		if (this.closed) return Promise.resolve(this.closed);
		return new Promise((res, rej) => {
			const t = setTimeout(() => rej(new Error("timed out waiting for close")), timeoutMs * SLOW);
			this.ws.once("close", (code, reason) => { clearTimeout(t); res({ code, reason: reason.toString() }); });
		});
	}
	close() { try { this.ws.close(); } catch { /* closed */ } }
}

// Runs SQL on a journal with the sqlite3 shell; returns the trimmed output.
export function sql(db, q) {
	return execFileSync("sqlite3", [db, q], { encoding: "utf8" }).trim();
}

export async function httpGet(url) {
	const r = await fetch(url);
	return { status: r.status, type: r.headers.get("content-type"), body: await r.text() };
}

// Runs the named async test cases in order, each as PASS/FAIL, then exits non-zero on any failure. A case that
// returns { skip: "why" } prints a SKIP line instead (tests/run.sh shows it, never counts it as a pass).
export async function run(cases) {
	for (const [name, fn] of cases) {
		try {
			const r = await fn();
			if (r && r.skip) console.log(`SKIP ${name}: ${r.skip}`);
			else pass(name);
		} catch (e) {
			fail(name, e && e.stack ? e.stack.split("\n").slice(0, 3).join(" | ") : String(e));
		}
	}
}

export function assert(cond, why) { if (!cond) throw new Error(why); }
export function assertEq(got, want, what) {
	const g = JSON.stringify(got), w = JSON.stringify(want);
	if (g !== w) throw new Error(`${what}: got ${g}, want ${w}`);
}

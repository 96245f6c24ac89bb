// hardening: what docs/security.md promises about the network side, tried against a real `kyodo serve`, real `ws`
// clients and real headless Chromium: security headers on every response and pages without inline script; no
// websocket from another site's page; wrong tokens hold back only their own address, exponentially; the
// facilitator's revoke closes a team and issues a new link (also from the facilitator page); silent connections
// are closed while the drill is held; a page shows a lost connection within seconds and comes back; TLS serves
// https and wss only; no token ever reaches the log or the journal.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { chromium } from "playwright-core";
import {
	Client, ROOT, SLOW, assert, assertEq, failures, httpGet, run, sleep, startServer, stopServer, tmpdir,
} from "./ws_lib.mjs";

const dir = tmpdir("hard");
const web = path.join(ROOT, "ui", "web");
const scenario = path.join(dir, "drill.lua");
fs.writeFileSync(scenario, `
scenario { id = "hardening", title = "Hardening drill", duration = "2h", seed = 3 }
teams { { id = "red", name = "Red team" }, { id = "blue", name = "Blue team" } }
fleet { { model = "Sedan-A", count = 200, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
inject { id = "I1", at = "00:00:30", to = { "red" }, severity = "high", title = "Red only", body = "for red" }
`);
const CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync"];
const wrong = ["0".repeat(32), "f".repeat(32), "deadbeef".repeat(4), "1234abcd".repeat(4), "c0ffee00".repeat(4)];
const seenTokens = new Set(wrong);
let srv, db, newRed, firstRed, logs = "", browser = null;
const getBrowser = async () => browser || (browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROME_ARGS }));

// GET over http or https (self-signed accepted); resolves {status, headers, body}.
function get(url, headers = {}) {
	const mod = url.startsWith("https:") ? https : http;
	return new Promise((resolve, reject) => {
		const req = mod.get(url, { headers, rejectUnauthorized: false }, (r) => {
			let body = "";
			r.on("data", (d) => { body += d; });
			r.on("end", () => resolve({ status: r.statusCode, headers: r.headers, body }));
		});
		req.on("error", reject);
		req.setTimeout(5000, () => req.destroy(new Error("timeout")));
	});
}

function checkHeaders(h, what) {
	const csp = h["content-security-policy"] || "";
	assert(/script-src 'self'/.test(csp) && !/unsafe-inline|unsafe-eval/.test(csp), `${what}: CSP ${csp}`);
	assert(/frame-ancestors 'none'/.test(csp), `${what}: CSP without frame-ancestors: ${csp}`);
	assertEq([h["x-content-type-options"], h["referrer-policy"]], ["nosniff", "no-referrer"], `${what}: headers`);
}

// Resolves "open" once a websocket opens, or why it did not.
function tryOpen(url, opts) {
	return new Promise((resolve) => {
		const c = new Client(url, opts);
		c.opened.then(() => { c.close(); resolve("open"); }, (e) => resolve("refused: " + e.message));
		setTimeout(() => resolve("timeout"), 5000);
	});
}

const metric = (body, name) => Number((body.match(new RegExp("^" + name.replace(/[{}"]/g, "\\$&") + " (\\S+)$", "m")) || [])[1]);

await run([
	["security_headers_on_every_response_and_no_inline_script_in_the_pages", async () => {
		db = path.join(dir, "a.db");
		srv = await startServer(scenario, ["--db", db, "--web", web, "--ping", "1"]);
		for (const t of Object.values(srv.tokens)) seenTokens.add(t);
		firstRed = srv.tokens.red;
		for (const p of ["/", "/?token=" + srv.tokens.red, "/facilitator", "/healthz", "/metrics", "/team.js", "/style.css", "/no-such-file"]) {
			const r = await get(srv.base + p);
			checkHeaders(r.headers, p);
		}
		for (const page of ["index.html", "facilitator.html"]) {
			const html = fs.readFileSync(path.join(web, page), "utf8");
			for (const tag of html.match(/<script[^>]*>/g) || []) assert(/\ssrc=/.test(tag), `${page}: inline script ${tag}`);
			assert(!/<style|\sstyle=|\son[a-z]+=/i.test(html), `${page}: inline style or handler`);
		}
	}],
	["a_page_of_another_site_cannot_open_the_websocket", async () => {
		assert((await tryOpen(srv.ws, { origin: "http://evil.example" })).startsWith("refused"), "another site's origin");
		assertEq(await tryOpen(srv.ws, { origin: srv.base }), "open", "the drill's own origin");
		assertEq(await tryOpen(srv.ws), "open", "no origin (not a browser)");
		assert(metric((await httpGet(srv.base + "/metrics")).body, 'kyodo_refusals_total{reason="origin"}') >= 1, "origin refusals counted");
	}],
	["wrong_tokens_hold_back_only_their_own_address_exponentially", async () => {
		const storm = await Promise.all([0, 1, 2, 3].map(() => Client.open(srv.ws)));
		const t0 = Date.now();
		storm.forEach((c, i) => c.send({ type: "hello", token: wrong[i] }));
		// meanwhile a team member on another address joins at once
		await sleep(100);
		const other = await Client.open(srv.ws, { localAddress: "127.0.0.2" });
		const welcome = await other.hello(srv.tokens.blue);
		const answers = await Promise.all(storm.map((c) => c.type("error", { timeoutMs: 10000 })));
		const at = storm.map((c) => c.msgs[0]._at - t0).sort((a, b) => a - b);
		assert(answers.every((e) => e.code === "bad_token"), `answers ${JSON.stringify(answers)}`);
		// checked one after another, each failure doubling the address's delay (what each answer says it will be)
		assertEq(answers.map((e) => e.retry_after_ms).sort((a, b) => a - b), [250, 500, 1000, 2000], "delays");
		// the other address is not held: welcomed before the stormy address's held hellos are even looked at
		assert(welcome._at - t0 < at[2], `a hello from another address waited ${welcome._at - t0} ms (storm answers at ${at})`);
		// a right token from the stormy address still gets in, after its delay
		const late = await Client.open(srv.ws);
		const tLate = Date.now();
		await late.hello(srv.tokens.red);
		assert(Date.now() - tLate >= 1000, `the stormy address was not held back (${Date.now() - tLate} ms)`);
		const m = (await httpGet(srv.base + "/metrics")).body;
		assert(metric(m, 'kyodo_refusals_total{reason="bad_token"}') >= 4, "bad_token refusals counted");
		assert(metric(m, "kyodo_hellos_delayed_total") >= 3, "delayed hellos counted");
		for (const c of [...storm, other, late]) c.close();
	}],
	["revoke_closes_the_team_and_issues_a_new_token", async () => {
		await sleep(4000); // let the stormy address's delay pass
		const oldRed = srv.tokens.red; // (srv.tokens follows the join lines on stdout: the revoke prints a new one)
		const fac = await Client.open(srv.ws);
		await fac.hello(srv.tokens.facilitator);
		const r1 = await Client.open(srv.ws), r2 = await Client.open(srv.ws), blue = await Client.open(srv.ws);
		await r1.hello(srv.tokens.red);
		await r2.hello(srv.tokens.red);
		await blue.hello(srv.tokens.blue);
		blue.send({ type: "revoke", team: "red" });
		assertEq((await blue.type("error")).code, "forbidden", "a team revoking");
		let n = fac.msgs.length;
		fac.send({ type: "revoke", team: "nobody" });
		assertEq((await fac.type("error", { from: n })).code, "rejected", "an unknown team");
		n = fac.msgs.length;
		fac.send({ type: "revoke", team: "red" });
		const tok = await fac.type("token", { from: n });
		seenTokens.add(tok.token);
		assertEq([tok.team, tok.closed, tok.url.endsWith("/?token=" + tok.token)], ["red", 2, true], `token ${JSON.stringify(tok)}`);
		const closes = await Promise.all([r1.waitClose(5000), r2.waitClose(5000)]);
		assert(closes.every((c) => c.code === 1008 && c.reason === "token revoked"), `closes ${JSON.stringify(closes)}`);
		assert(!blue.closed, "another team was closed");
		const old = await Client.open(srv.ws);
		old.send({ type: "hello", token: oldRed });
		assertEq((await old.type("error")).code, "revoked", "the old token");
		const fresh = await Client.open(srv.ws);
		assertEq((await fresh.hello(tok.token)).team, "red", "the new token");
		await sleep(200);
		assert(srv.stdout.includes(`join red ${tok.url}`), `new join line on stdout: ${srv.stdout.slice(-300)}`);
		const m = (await httpGet(srv.base + "/metrics")).body;
		assert(metric(m, 'kyodo_refusals_total{reason="revoked"}') >= 3, "revocations counted");
		assert(metric(m, 'kyodo_refusals_total{reason="forbidden"}') >= 1, "forbidden counted");
		newRed = tok.token;
		for (const c of [fac, blue, old, fresh]) c.close();
	}],
	["a_silent_connection_is_closed_while_the_drill_is_held", async () => {
		// --ping 1: pinged after 1 s of silence, closed after 7 s without a pong; the drill is held (never started)
		const silent = await Client.open(srv.ws, { autoPong: false });
		const live = await Client.open(srv.ws);
		await silent.hello(srv.tokens.blue);
		await live.hello(srv.tokens.blue);
		const t0 = Date.now();
		const c = await silent.waitClose(15000);
		const s = (Date.now() - t0) / 1000;
		assert(s >= 5, `closed after ${s} s (code ${c.code}): before its pings went unanswered`);
		assert(!live.closed, "a connection answering pings was closed too");
		const wr = (await httpGet(srv.base + "/healthz")).body;
		assert(JSON.parse(wr).running === false, "the drill was held");
		live.close();
	}],
	["the_revoke_survives_a_resume", async () => {
		const r = await stopServer(srv);
		assertEq(r.code, 0, "clean stop");
		logs += srv.stderr;
		const oldRed = firstRed;
		srv = await startServer(scenario, ["--db", db, "--web", web, "--resume"], { timeoutMs: 60000 });
		const c = await Client.open(srv.ws);
		assertEq((await c.hello(newRed)).team, "red", "the reissued token after --resume");
		const o = await Client.open(srv.ws);
		o.send({ type: "hello", token: oldRed });
		assertEq((await o.type("error")).code, "bad_token", "the revoked token after --resume");
		c.close();
		o.close();
	}],
	["no_token_reaches_the_log_or_the_journal", async () => {
		const log = logs + srv.stderr;
		const dump = execFileSync("sqlite3", [db, ".dump"], { encoding: "utf8", maxBuffer: 64 << 20 });
		for (const t of seenTokens) {
			assert(!log.includes(t), `a token in the log: ${t.slice(0, 6)}…`);
			assert(!dump.includes(t), `a token in the journal: ${t.slice(0, 6)}…`);
		}
		assert(seenTokens.size >= 9, `tokens checked: ${seenTokens.size}`);
		await stopServer(srv);
	}],
	["tls_serves_https_and_wss_only_with_https_join_urls", async () => {
		const key = path.join(dir, "key.pem"), cert = path.join(dir, "cert.pem");
		execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
			"-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], { stdio: "ignore" });
		srv = await startServer(scenario, ["--db", path.join(dir, "tls.db"), "--web", web, "--tls-cert", cert, "--tls-key", key]);
		assert(Object.values(srv.urls).every((u) => u.startsWith("https://")), `join URLs ${JSON.stringify(srv.urls)}`);
		for (const t of Object.values(srv.tokens)) seenTokens.add(t);
		for (const p of ["/", "/facilitator", "/healthz", "/metrics"]) {
			const r = await get(srv.base + p);
			assertEq(r.status, 200, `https ${p}`);
			checkHeaders(r.headers, "https " + p);
			assert(/max-age=\d+/.test(r.headers["strict-transport-security"] || ""), `HSTS on ${p}`);
		}
		const plain = srv.base.replace("https:", "http:");
		const r = await get(plain + "/healthz").catch((e) => ({ status: "refused " + e.message }));
		assert(r.status === "refused" || String(r.status).startsWith("refused") || (r.status === 301 && /^https:/.test(r.headers.location)),
			`plain HTTP: ${r.status} ${JSON.stringify(r.headers || {})}`);
		assert((await tryOpen(srv.ws.replace("wss:", "ws:"))).startsWith("refused"), "plain ws on the TLS port");
		const c = await Client.open(srv.ws, { rejectUnauthorized: false });
		assertEq((await c.hello(srv.tokens.blue)).team, "blue", "wss welcome");
		c.close();
	}],
	["the_team_page_over_https_uses_wss_without_console_errors", async () => {
		const ctx = await (await getBrowser()).newContext({ ignoreHTTPSErrors: true });
		try {
			const page = await ctx.newPage();
			const errors = [], sockets = [];
			page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
			page.on("pageerror", (e) => errors.push(e.message));
			page.on("websocket", (w) => sockets.push(w.url()));
			await page.goto(srv.urls.red);
			await page.waitForSelector("#conn[data-state=online]", { timeout: 20000 * SLOW });
			assert(sockets.length >= 1 && sockets.every((u) => u.startsWith("wss://")), `websockets ${sockets}`);
			assertEq(errors.filter((e) => !/favicon/.test(e)), [], "console errors (a CSP violation shows here)");
		} finally {
			await ctx.close();
			await stopServer(srv);
		}
	}],
	["a_page_shows_a_lost_connection_within_seconds_and_comes_back", async () => {
		srv = await startServer(scenario, ["--db", path.join(dir, "live.db"), "--web", web]);
		for (const t of Object.values(srv.tokens)) seenTokens.add(t);
		const ctx = await (await getBrowser()).newContext();
		try {
			const page = await ctx.newPage();
			await page.goto(srv.urls.blue);
			await page.waitForSelector("#conn[data-state=online]", { timeout: 20000 * SLOW });
			// an action of the team first: after the reconnect the page holds its record and says so (hello's since)
			await page.selectOption("#act-kind", "share");
			await page.selectOption("#f-to", "red");
			await page.fill("#f-text", "before the outage");
			await page.click("#act-send");
			await page.waitForFunction(() => window.kyodo.state.outbox.some((a) => a.args.text === "before the outage" && a.recorded), null, { timeout: 20000 * SLOW });
			srv.proc.kill("SIGSTOP"); // the server hangs: no close, no error, only silence
			const t0 = Date.now();
			// within seconds: the page's 5 s watchdog (ui/web/conn.js), nothing from the server can tell it
			await page.waitForSelector("#conn[data-state=reconnecting]", { timeout: 10000 * SLOW });
			console.log(`  lost connection shown ${(Date.now() - t0) / 1000} s after the server stopped`);
			assert(await page.isVisible("#banner"), "no lost-connection banner");
			srv.proc.kill("SIGCONT");
			await page.waitForSelector("#conn[data-state=online]", { timeout: 20000 * SLOW });
			const st = await page.evaluate(() => ({ since: window.kyodo.state.sentSince, rows: window.kyodo.state.outbox.filter((a) => a.args.text === "before the outage").map((a) => a.status) }));
			assert(st.since >= 1, `the reconnect's hello said which records it holds: since ${st.since}`);
			assertEq(st.rows, ["acked"], "the action before the outage is still in the history, once");
		} finally {
			srv.proc.kill("SIGCONT");
			await ctx.close();
		}
	}],
	["a_team_page_resends_what_the_rate_limit_held_back", async () => {
		const s2 = await startServer(scenario, ["--db", path.join(dir, "rate.db"), "--web", web, "--action-rate", "2", "--action-burst", "1"]);
		for (const t of Object.values(s2.tokens)) seenTokens.add(t);
		const ctx = await (await getBrowser()).newContext();
		try {
			const fc = await Client.open(s2.ws);
			await fc.hello(s2.tokens.facilitator);
			fc.send({ type: "control", cmd: "start" });
			await fc.next((m) => m.type === "clock" && m.running === true);
			const page = await ctx.newPage();
			await page.goto(s2.urls.blue);
			await page.waitForSelector("#conn[data-state=online]", { timeout: 20000 * SLOW });
			for (let i = 1; i <= 4; i++) {  // as fast as a participant can click: beyond the burst of 1
				await page.selectOption("#act-kind", "share");
				await page.selectOption("#f-to", "red");
				await page.fill("#f-text", `note ${i}`);
				await page.click("#act-send");
			}
			await page.waitForFunction(() => { const o = window.kyodo.state.outbox; return o.length === 4 && o.every((a) => a.status === "acked"); }, null, { timeout: 20000 * SLOW });
			const outbox = await page.evaluate(() => window.kyodo.state.outbox.map((a) => [a.args.text, a.status, a.error || null]));
			assertEq(outbox.map((a) => a[0]).sort(), ["note 1", "note 2", "note 3", "note 4"], "every action sent");
			const m = await httpGet(s2.base + "/metrics");
			const held = metric(m.body, 'kyodo_refusals_total{reason="rate_limited"}');
			assert(held >= 1, `the rate limit held some back: ${held}`);
			fc.close();
		} finally {
			await ctx.close();
			await stopServer(s2);
		}
	}],
	["the_facilitator_page_revokes_a_team_link", async () => {
		const b = await getBrowser();
		try {
			const team = await (await b.newContext()).newPage();
			await team.goto(srv.urls.red);
			await team.waitForSelector("#conn[data-state=online]", { timeout: 20000 * SLOW });
			const fac = await (await b.newContext()).newPage();
			fac.on("dialog", (d) => d.accept());
			await fac.goto(srv.urls.facilitator);
			await fac.waitForSelector("#conn[data-state=online]", { timeout: 20000 * SLOW });
			const before = srv.urls.red;
			await fac.click("[data-revoke=red]");
			const link = await fac.waitForSelector("[data-newlink=red]", { timeout: 10000 * SLOW });
			const url = await link.inputValue();
			assert(/\/\?token=[0-9a-f]{32}$/.test(url) && url !== before, `new link ${url} (was ${before})`);
			seenTokens.add(new URL(url).searchParams.get("token"));
			await team.waitForSelector("#conn[data-state=denied]", { timeout: 15000 * SLOW });
			const again = await (await b.newContext()).newPage();
			await again.goto(url);
			await again.waitForSelector("#conn[data-state=online]", { timeout: 20000 * SLOW });
		} finally {
			await b.close();
			const log = srv.stderr;
			await stopServer(srv);
			for (const t of seenTokens) assert(!log.includes(t), `a token in the log: ${t.slice(0, 6)}…`);
		}
	}],
]);
if (browser) await browser.close().catch(() => {});
process.exit(failures() ? 1 : 0);

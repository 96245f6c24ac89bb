// hotwash: the participant's display name and the end-of-drill feedback form, over a real `kyodo serve`, in
// Debian's Chromium. Two team pages name their participants, act, the drill ends, both answer the form; the
// facilitator page counts the answers; a reload keeps the name and the sent state; the protocol refuses feedback
// before the end, from the facilitator and with bad ratings; the journal holds the answers and who acted; a
// resumed server still counts them and says who acted; `kyodo report` summarises the hot wash.
// Prints PASS/FAIL lines; exits non-zero on any failure. Starts and stops its own servers.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { startServer, stopServer, Client, run, assert, assertEq, sql, tmpdir, failures, ROOT, KYODO } from "./ws_lib.mjs";

const WEB = path.join(ROOT, "ui", "web");
const ART = path.join(ROOT, process.env.BUILD || "build", "artifacts");
const T = 20000;
const dir = tmpdir("hotwash");
const scenario = path.join(dir, "hotwash.lua");
const db = path.join(dir, "hotwash.db");
fs.writeFileSync(scenario, `
scenario { id = "hotwash", title = "Hot wash drill", duration = "20m", seed = 4 }
teams { { id = "oem", name = "OEM PSIRT" }, { id = "soc", name = "Vehicle SOC" } }
fleet { { model = "Sedan-A", count = 500, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
inject { id = "I1", at = "00:01:00", to = { "soc" }, severity = "high", title = "IDS alert surge", body = "Beacons to 203.0.113.7.",
         expects = { { action = "block_indicator", args = { value = "203.0.113.7" }, within = "10m", points = 20 } } }
at("00:00:30", function(now) attack.compromise { select = { model = "Sedan-A" }, count = 5, c2 = "203.0.113.7", entry = "tcu" } end)
`);

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
const consoleErrors = [];
let srv, fac, oem, soc, raw, tokens, ctxs = [];

async function page(url, name) {
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
	ctxs.push(ctx);
	const p = await ctx.newPage();
	p.on("console", (m) => { if (m.type() === "error") consoleErrors.push(name + ": " + m.text()); });
	p.on("pageerror", (e) => consoleErrors.push(name + ": " + e.message));
	await p.goto(url);
	return p;
}

async function answer(p, ratings, texts) {
	await p.waitForSelector("#hotwash:not([hidden]) #hw-form", { timeout: T });
	for (const [q, v] of Object.entries(ratings)) await p.click(`#hotwash [data-q=${q}] input[value="${v}"]`);
	for (const [k, v] of Object.entries(texts)) await p.fill("#hw-" + k, v);
	await p.click("#hw-send");
	await p.waitForSelector("#hw-saved", { timeout: T });
}

try {
	await run([
		["the server starts with a journal and serves the pages", async () => {
			srv = await startServer(scenario, ["--db", db, "--speed", "120", "--web", WEB]);
		}],
		["feedback before the drill has ended is refused (bad_state), from the facilitator forbidden, bad ratings bad_field", async () => {
			raw = await Client.open(srv.ws);
			await raw.hello(srv.tokens.oem);
			raw.send({ type: "feedback", id: "f1", participant: "p-raw", ratings: { realism: 4 } });
			const e1 = await raw.next((m) => m.type === "error" && m.id === "f1", { what: "the error of f1" });
			assertEq(e1.code, "bad_state", "before the end");
			raw.send({ type: "feedback", id: "f2", participant: "p-raw", ratings: { realism: 9 } });
			const e2 = await raw.next((m) => m.type === "error" && m.id === "f2", { what: "the error of f2" });
			assertEq(e2.code, "bad_field", "rating 9");
			assert(/1 to 5/.test(e2.message), "message names the range: " + e2.message);
			raw.send({ type: "feedback", id: "f3", participant: "p-raw", ratings: { "Bad Key": 3 } });
			assertEq((await raw.next((m) => m.type === "error" && m.id === "f3")).code, "bad_field", "bad question key");
			const f = await Client.open(srv.ws);
			await f.hello(srv.tokens.facilitator);
			f.send({ type: "feedback", id: "f4", participant: "p-fac" });
			assertEq((await f.next((m) => m.type === "error" && m.id === "f4")).code, "forbidden", "the facilitator");
			f.close();
		}],
		["participants give their names on the team pages (kept per browser)", async () => {
			fac = await page(srv.urls.facilitator, "facilitator");
			oem = await page(srv.urls.oem, "oem");
			soc = await page(srv.urls.soc, "soc");
			for (const [p, name] of [[oem, "Aiko Tanaka"], [soc, "Ken Sato"]]) {
				await p.waitForSelector("#me-input", { timeout: T });
				await p.fill("#me-input", name);
				await p.click("#me-save");
				await p.waitForSelector("#me-name", { timeout: T });
				assertEq(await p.textContent("#me-name"), name, "the chip shows the name");
			}
			assert(await fac.isHidden("#hw-count"), "no hot-wash count before the end");
		}],
		["an action says who sent it (the facilitator's feed)", async () => {
			await fac.click("#ctl-start");
			await soc.waitForSelector("#inbox-list [data-id=I1]", { timeout: T });
			await soc.evaluate(() => window.kyodo.conn.send({ type: "action", id: "hw-a1", kind: "block_indicator", args: { value: "203.0.113.7" } }));
			const item = await fac.waitForSelector("#feed li[data-kind=block_indicator] .by", { timeout: T });
			assert((await item.textContent()).includes("Ken Sato"), "by Ken Sato: " + (await item.textContent()));
		}],
		["when the drill ends each participant answers the feedback form; the facilitator counts them", async () => {
			for (const p of [fac, oem, soc]) await p.waitForSelector("#clock[data-state=ended]", { timeout: 60000 });
			await answer(oem, { realism: 4, roles: 5, coordination: 3, tools: 4, value: 5 },
				{ well: "The SOC blocked the C2 fast.", improve: "Share with the supplier earlier.", surprise: "How quickly it spread." });
			await fac.waitForSelector("#hw-count[data-answered='1']", { timeout: T });
			await answer(soc, { realism: 2, roles: 4, coordination: 2 }, { improve: "We never heard from the OEM, \"as usual\"." });
			await fac.waitForSelector("#hw-count[data-answered='2']", { timeout: T });
			assert((await fac.textContent("#hw-count")).includes("2"), "the count's text");
			fs.mkdirSync(ART, { recursive: true });
			await oem.screenshot({ path: path.join(ART, "hotwash-team.png") });
			await fac.screenshot({ path: path.join(ART, "hotwash-facilitator.png") });
		}],
		["a reload keeps the name and the sent state; sending again replaces the answer (still 2 answered)", async () => {
			await oem.reload();
			await oem.waitForSelector("#me-name", { timeout: T });
			assertEq(await oem.textContent("#me-name"), "Aiko Tanaka", "the name after a reload");
			await oem.waitForSelector("#hw-saved", { timeout: T });
			await oem.click(`#hotwash [data-q=realism] input[value="5"]`);
			await oem.click("#hw-send");
			await oem.waitForFunction(() => !document.querySelector("#hw-send").disabled, null, { timeout: T });
			await oem.waitForSelector("#hw-saved", { timeout: T });
			await fac.waitForTimeout(300);
			assertEq(await fac.getAttribute("#hw-count", "data-answered"), "2", "one answer per participant");
		}],
		["no console error on the pages", async () => {
			assertEq(consoleErrors, [], "console errors");
			for (const c of ctxs) await c.close(); /* before the server stops: a page would log its reconnects */
			ctxs = [];
		}],
		["the journal holds every answer durably, with names, and who acted", async () => {
			raw.close();
			tokens = Object.assign({}, srv.tokens);
			await stopServer(srv);
			assertEq(sql(db, "SELECT count(*) FROM feedback"), "3", "three submissions (one sent again)");
			assertEq(sql(db, "SELECT count(DISTINCT participant) FROM feedback"), "2", "two participants");
			assertEq(sql(db, "SELECT name FROM feedback WHERE team = 'soc'"), "Ken Sato", "the soc participant's name");
			assertEq(sql(db, "SELECT json_extract(answers, '$.ratings.realism') FROM feedback WHERE team = 'oem' ORDER BY id DESC LIMIT 1"), "5", "the latest oem rating");
			assertEq(sql(db, "SELECT w.name FROM actions a JOIN actors w USING (team, client_id) WHERE a.client_id = 'hw-a1'"), "Ken Sato", "the actor");
			assert(sql(db, "SELECT value FROM meta WHERE key = 'summary'").startsWith("{"), "the run summary at close");
		}],
		["a resumed server still counts the answers and says who acted", async () => {
			srv = await startServer(scenario, ["--db", db, "--resume", "--web", WEB]);
			const f = await Client.open(srv.ws);
			const w = await f.hello(tokens.facilitator); /* a resumed drill keeps its tokens (digests in the journal) */
			assert(w, "welcome");
			const hwm = await f.type("hotwash");
			assertEq(hwm.answered, 2, "answered after resume");
			assertEq(hwm.teams, { oem: 1, soc: 1 }, "per team");
			const act = await f.next((m) => m.type === "action" && m.id === "hw-a1", { what: "the action record" });
			assertEq(act.by, "Ken Sato", "by, after the resume");
			f.close();
			await stopServer(srv);
		}],
		["kyodo report summarises the hot wash", async () => {
			const out = path.join(dir, "hotwash.html");
			execFileSync(KYODO, ["report", db, "--out", out], { stdio: "pipe" });
			const html = fs.readFileSync(out, "utf8");
			assert(/data-k="hw.respondents" data-v="2"/.test(html), "two respondents in the report");
			const mean = html.match(/data-k="hw.mean" data-q="realism" data-v="([0-9.]+)"/);
			assert(mean && Math.abs(Number(mean[1]) - 3.5) < 1e-9, "mean of the latest realism ratings (5 and 2): " + (mean && mean[1]));
			assert(html.includes("We never heard from the OEM, &quot;as usual&quot;."), "a free-text answer, escaped");
			assert(html.includes("Ken Sato"), "names in the report");
			assert(/\(by Ken Sato\)/.test(html), "the timeline says who acted");
		}],
	]);
} finally {
	for (const c of ctxs) await c.close().catch(() => {});
	await browser.close();
	if (srv) await stopServer(srv).catch(() => {});
	fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(failures() ? 1 : 0);

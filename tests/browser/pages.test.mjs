// pages: the participant and facilitator pages in real headless Chromium against a real `kyodo serve`.
// Two team pages and the facilitator page: start, injects routed to the right team, an action going
// pending → acknowledged with the score changing on both sides, a share between teams, reload keeping
// everything (inbox, actions, typed drafts), an unacknowledged action resent after a dropped connection,
// pause stopping every clock, grading a report, the language switch, a Japanese drill rendered in
// Japanese, screenshots under build/artifacts/, and no console errors.
// Prints PASS/FAIL lines; exits non-zero on any failure. Starts and stops its own servers.

import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..");
const KYODO = process.env.KYODO || path.join(ROOT, "build", "kyodo");
const WEB = path.join(ROOT, "ui", "web");
const ART = path.join(ROOT, process.env.BUILD || "build", "artifacts");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "kyodo-pages-"));
const T = 20000 * Math.max(1, Number(process.env.KY_TEST_SLOW || 1)); // ms to wait for one thing to show (KY_TEST_SLOW: make valgrind)

let failed = 0;
const children = [];
const consoleErrors = [];

function pass(name) { console.log("PASS " + name); }
function fail(name, e) { failed++; console.log("FAIL " + name + ": " + (e && e.message ? e.message.split("\n")[0] : e)); }
async function step(name, fn) {
	try { await fn(); pass(name); return true; } catch (e) { fail(name, e); return false; }
}
function assert(c, msg) { if (!c) throw new Error(msg); }

const SCENARIO_EN = `
scenario { id = "web-pages", title = "Browser test drill", duration = "2h", seed = 3,
           description = "A short drill for the page tests." }
teams { { id = "oem", name = "OEM PSIRT" }, { id = "soc", name = "Vehicle SOC" } }
fleet { { model = "Sedan-A", count = 2000, region = "JP-Kanto", ecus = { tcu = "2.3.1", gw = "1.4.0" } } }
sbom { tcu = { ["2.3.1"] = { "openssl@1.1.1k", "busybox@1.31.1" } } }
inject { id = "I1", at = "00:00:20", to = { "soc" }, severity = "high", title = "IDS alert surge",
         body = "Abnormal outbound traffic from Sedan-A TCUs to 203.0.113.7.",
         expects = { { action = "block_indicator", args = { value = "203.0.113.7" }, within = "1h", points = 20, team = "soc" } } }
inject { id = "I2", at = "00:00:30", to = { "oem" }, severity = "medium", title = "Researcher report",
         body = "A researcher reports a flaw in the TCU 2.3.1 firmware." }
at("00:00:05", function(now) error("boom in a callback") end)
at("00:00:25", function(now) attack.compromise { select = { model = "Sedan-A" }, count = 40, c2 = "203.0.113.7", entry = "tcu" } end)
at("00:00:35", function(now) attack.spread { rate = 0.25, c2 = "203.0.113.7" } end)
`;

const SCENARIO_JA = `
scenario { id = "web-pages-ja", title = "TCU 遠隔攻撃 合同演習", duration = "1h", seed = 5,
           description = "日本語のページ試験用の短い演習。" }
teams { { id = "oem", name = "自動車メーカー PSIRT" }, { id = "isac", name = "自動車 ISAC" } }
fleet { { model = "Sedan-A", count = 1000, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
inject { id = "J1", at = "00:00:10", to = { "oem" }, severity = "high", title = "IDS アラートの急増",
         body = "関東地域の Sedan-A で TCU から 203.0.113.7 への異常な通信を検知しました。" }
`;

function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
		s.on("error", reject);
	});
}

/* Starts `kyodo serve` on a free port with a temp journal; resolves {proc, teams: {id: url}, facilitator}. */
async function serve(name, lua, extra) {
	const file = path.join(TMP, name + ".lua");
	fs.writeFileSync(file, lua);
	const port = await freePort();
	const proc = spawn(KYODO, ["serve", file, "--port", String(port), "--host", "127.0.0.1", "--db", path.join(TMP, name + ".db"),
		"--web", WEB].concat(extra || []), { stdio: ["ignore", "pipe", "pipe"], cwd: ROOT });
	children.push(proc);
	let out = "", err = "";
	proc.stderr.on("data", (d) => { err += d; });
	return await new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(name + ": no join URLs in time; stderr: " + err.slice(-400))), 15000 * Math.max(1, Number(process.env.KY_TEST_SLOW || 1)));
		proc.on("exit", (code) => { clearTimeout(timer); reject(new Error(name + ": kyodo serve exited " + code + ": " + err.slice(-400))); });
		proc.stdout.on("data", (d) => {
			out += d;
			const teams = {};
			for (const m of out.matchAll(/^join (\S+) (http\S+)$/gm)) teams[m[1]] = m[2];
			const f = /^facilitator (http\S+\/facilitator\?token=\S+)$/m.exec(out);
			if (f) { clearTimeout(timer); resolve({ proc, teams, facilitator: f[1], log: () => err }); }
		});
	});
}

function stop(proc) {
	return new Promise((resolve) => {
		if (proc.exitCode !== null || proc.signalCode) { resolve(); return; }
		const k = setTimeout(() => proc.kill("SIGKILL"), 5000);
		proc.once("exit", () => { clearTimeout(k); resolve(); });
		proc.kill("SIGTERM");
	});
}

async function openPage(browser, url, label, locale) {
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: locale || "en-US" });
	const page = await ctx.newPage();
	page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(label + ": " + m.text()); });
	page.on("pageerror", (e) => consoleErrors.push(label + ": " + e.message));
	page.on("requestfailed", (r) => consoleErrors.push(label + ": request failed " + r.url() + " " + (r.failure() || {}).errorText));
	page.on("response", (r) => { if (r.status() >= 400) consoleErrors.push(label + ": HTTP " + r.status() + " " + r.url()); });
	await page.goto(url);
	await page.waitForSelector("#conn[data-state=online]", { timeout: T });
	return page;
}

const clockText = (p) => p.textContent("#clock-time");
const scoreOf = (p) => p.evaluate(() => (window.kyodo.state.score || {}).score);
const facScoreOf = (p, team) => p.evaluate((tm) => (window.kyodo.state.scores[tm] || {}).score, team);

async function shot(page, name) {
	fs.mkdirSync(ART, { recursive: true });
	await page.screenshot({ path: path.join(ART, name + ".png") });
}

async function sendAction(page, kind, fill) {
	await page.selectOption("#act-kind", kind);
	for (const [sel, v] of Object.entries(fill)) {
		const tag = await page.$eval(sel, (el) => el.tagName);
		if (v === "check") await page.check(sel);
		else if (tag === "SELECT") await page.selectOption(sel, v); else await page.fill(sel, v);
	}
	await page.click("#act-send");
	// kinds with fleet-wide consequences ask first (a modal dialog with the number of cars affected)
	const asks = await page.evaluate((k) => ((window.kyodo.state.catalog.action_kinds || []).find((x) => x.kind === k) || {}).confirm, kind);
	const bad = await page.$(".field.invalid");
	if (asks && !bad) {
		await page.waitForSelector(".modal.confirm", { timeout: T });
		await page.click(".modal.confirm [data-value=ok]");
	}
}

/* Records every status a history row of kind goes through (so a fast ack cannot hide the pending state). */
async function watchStatuses(page) {
	await page.evaluate(() => {
		window.__seen = {};
		const note = () => { for (const el of document.querySelectorAll("#history [data-id]")) { const s = (window.__seen[el.dataset.id] ||= []); if (s[s.length - 1] !== el.dataset.status) s.push(el.dataset.status); } };
		new MutationObserver(note).observe(document.querySelector("#history"), { childList: true, subtree: true, attributes: true });
	});
}

async function main() {
	if (!fs.existsSync(KYODO)) { fail("setup", new Error("no kyodo binary at " + KYODO + " (run make)")); return; }
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
			"--disable-component-update", "--disable-sync"],
	});
	try {
		await englishDrill(browser);
		await japaneseDrill(browser);
	} finally {
		await browser.close();
	}
	await step("no console errors", () => assert(consoleErrors.length === 0, consoleErrors.slice(0, 5).join(" | ")));
}

async function englishDrill(browser) {
	let srv, fac, oem, soc;
	const ok = await step("serve starts and prints join URLs", async () => {
		srv = await serve("en", SCENARIO_EN, ["--speed", "60"]);
		assert(srv.teams.oem && srv.teams.soc, "join lines for oem and soc: " + JSON.stringify(srv.teams));
	});
	if (!ok) return;
	try {
		const pagesOk = await step("team and facilitator pages connect", async () => {
			fac = await openPage(browser, srv.facilitator, "facilitator");
			oem = await openPage(browser, srv.teams.oem, "oem");
			soc = await openPage(browser, srv.teams.soc, "soc");
			assert((await oem.textContent("#team-name")) === "OEM PSIRT", "team name in the header");
			assert((await fac.$$("#teams .team-card")).length === 2, "two team cards");
		});
		if (!pagesOk) return;

		await step("facilitator starts the drill", async () => {
			assert((await soc.getAttribute("#clock", "data-state")) === "notstarted", "held before start");
			await fac.click("#ctl-start");
			for (const p of [fac, oem, soc]) await p.waitForSelector("#clock[data-state=running]", { timeout: T });
			const a = await clockText(soc);
			await soc.waitForFunction((x) => document.querySelector("#clock-time").textContent !== x, a, { timeout: T });
		});

		await step("the action forms offer the fleet's models, regions, ECUs and services as lists", async () => {
			await soc.selectOption("#act-kind", "ota_campaign");
			const opts = (sel) => soc.$eval(sel, (el) => el.tagName === "SELECT" ? [...el.options].map((o) => o.value).filter(Boolean) : el.tagName);
			assert(JSON.stringify(await opts("#f-select-model")) === '["Sedan-A"]', "model list: " + JSON.stringify(await opts("#f-select-model")));
			assert(JSON.stringify(await opts("#f-select-region")) === '["JP-Kanto"]', "region list: " + JSON.stringify(await opts("#f-select-region")));
			const ecus = await opts("#f-select-ecu");
			assert(Array.isArray(ecus) && ecus.includes("tcu") && ecus.includes("gw"), "ECU list: " + JSON.stringify(ecus));
			await soc.selectOption("#act-kind", "isolate_service");
			const svcs = await opts("#f-name");
			assert(Array.isArray(svcs) && svcs.includes("app_api") && svcs.includes("ota"), "service list: " + JSON.stringify(svcs));
			await soc.selectOption("#act-kind", "assess");
			const comps = await soc.$$eval("#dl-component option", (els) => els.map((o) => o.value));
			assert(comps.includes("openssl@1.1.1k"), "component suggestions: " + JSON.stringify(comps));
			await soc.selectOption("#act-kind", "block_indicator");
		});

		await step("an inject appears in the right team only", async () => {
			await soc.waitForSelector("#inbox-list [data-id=I1][data-unread=true]", { timeout: T });
			await oem.waitForSelector("#inbox-list [data-id=I2]", { timeout: T });
			assert(!(await oem.$("#inbox-list [data-id=I1]")), "oem must not see I1");
			assert(!(await soc.$("#inbox-list [data-id=I2]")), "soc must not see I2");
			assert((await soc.textContent("#unread-count")).includes("1"), "unread count on soc");
			await fac.waitForFunction(() => document.querySelector("[data-team=soc] .tc-unread").dataset.unread === "1", null, { timeout: T });
		});

		await step("opening an inject sends a read receipt (facilitator sees it, its viewing marks nothing)", async () => {
			await fac.click("[data-inbox=oem]");
			await fac.waitForSelector("#inbox-modal [data-id=I2] .readflag.unread", { timeout: T });
			await fac.click("#inbox-modal .modal-head .btn");
			await soc.click("#inbox-list [data-id=I1]");
			await soc.waitForSelector("#tab-inject [data-inject=I1]", { timeout: T });
			assert((await soc.textContent("#tab-inject .body")).includes("203.0.113.7"), "inject body shown");
			await soc.waitForSelector("#inbox-list [data-id=I1][data-unread=false]", { timeout: T });
			await fac.waitForFunction(() => document.querySelector("[data-team=soc] .tc-unread").dataset.unread === "0", null, { timeout: T });
			assert((await fac.getAttribute("[data-team=oem] .tc-unread", "data-unread")) === "1", "oem's I2 still unread after the facilitator viewed it");
		});

		await step("an action goes pending then acknowledged, and the score changes on both pages", async () => {
			const before = await scoreOf(soc);
			const facBefore = await facScoreOf(fac, "soc");
			await watchStatuses(soc);
			await sendAction(soc, "block_indicator", { "#f-value": "203.0.113.7" });
			const row = await soc.waitForSelector("#history [data-kind=block_indicator][data-status=acked]", { timeout: T });
			const id = await row.getAttribute("data-id");
			const seen = await soc.evaluate((x) => window.__seen[x], id);
			assert(seen && seen[0] === "pending" && seen.includes("acked"), "statuses seen: " + JSON.stringify(seen));
			await soc.waitForFunction((b) => (window.kyodo.state.score || {}).score !== b, before, { timeout: T });
			await fac.waitForFunction((b) => (window.kyodo.state.scores.soc || {}).score !== b, facBefore, { timeout: T });
			const a = await soc.textContent("#score"), f = await fac.textContent("[data-score=soc]");
			assert(a === f, "same score on both pages: " + a + " vs " + f);
			await fac.waitForSelector("#feed [data-kind=block_indicator][data-team=soc]", { timeout: T });
		});

		await step("a form refuses a bad value with a message and sends nothing", async () => {
			const n = (await soc.$$("#history [data-id]")).length;
			await sendAction(soc, "block_indicator", { "#f-value": "not an indicator" });
			await soc.waitForSelector("[data-field=value].invalid", { timeout: T });
			assert((await soc.textContent("[data-err=value]")).length > 0, "error text");
			assert((await soc.$$("#history [data-id]")).length === n, "nothing sent");
			await soc.fill("#f-value", "");
		});

		await step("a share appears in the other team's page", async () => {
			await oem.click("#tabs [data-tab=coord]");
			await oem.click("#threads [data-thread=soc]");
			await oem.selectOption("#compose-tlp", "amber");
			await oem.fill("#compose-text", "TCU 2.3.1 is vulnerable; please watch 203.0.113.7");
			await oem.click("#compose-send");
			await soc.waitForSelector("#inbox-list [data-msg]:has-text('TCU 2.3.1 is vulnerable')", { timeout: T });
			await soc.click("#inbox-list [data-msg]");
			await soc.waitForSelector("#thread-msgs .bubble[data-tlp=amber]:has-text('TCU 2.3.1 is vulnerable')", { timeout: T });
			await oem.waitForSelector("#thread-msgs .bubble.mine:has-text('TCU 2.3.1 is vulnerable')", { timeout: T });
		});

		await step("the facilitator grades a report and the team sees the points", async () => {
			await sendAction(oem, "report", { "#f-text": "Situation: TCU exploit suspected; OTA being prepared." });
			await oem.waitForSelector("#history [data-kind=report][data-status=acked]", { timeout: T });
			const before = await scoreOf(oem);
			// locators, not element handles: the feed is rebuilt until the facilitator's focus is in a grade form
			const form = fac.locator("#feed [data-kind=report][data-team=oem] .grade-form");
			await form.waitFor({ timeout: T });
			await form.locator(".grade-points").fill("15");
			await form.locator(".grade-comment").fill("Clear and timely");
			await form.locator("button").click();
			await oem.waitForFunction((b) => (window.kyodo.state.score || {}).score === (b || 0) + 15, before, { timeout: T });
			await fac.waitForSelector("#feed [data-kind=report] .graded-badge", { timeout: T });
			// the points and the comment next to the action and in the score's breakdown (the Score tab)
			await oem.waitForSelector("#history [data-kind=report] .graded[data-points='15']:has-text('Clear and timely')", { timeout: T });
			await oem.click("#score-box");
			await oem.waitForSelector("#tab-score:not([hidden]) [data-exp-status=graded]:has-text('Clear and timely')", { timeout: T });
			assert((await oem.textContent("#tab-score .score-parts")).includes("graded by the facilitator 15"), "breakdown: " + (await oem.textContent("#tab-score .score-parts")));
			await shot(oem, "team-oem-graded");
			await oem.click("#tabs [data-tab=inject]");
		});

		await step("an unacknowledged action is resent with the same id after the connection drops", async () => {
			await soc.evaluate(() => window.kyodo.conn.ws.close());
			await soc.waitForSelector("#conn:not([data-state=online])", { timeout: T });
			await sendAction(soc, "notify", { "#f-party": "isac", "#f-text": "Sent while offline" });
			const row = await soc.waitForSelector("#history [data-kind=notify]", { timeout: T });
			const id = await row.getAttribute("data-id");
			await soc.waitForSelector(`#history [data-id="${id}"][data-status=acked]`, { timeout: T });
			await fac.waitForSelector("#feed [data-kind=notify][data-team=soc]", { timeout: T });
			assert((await fac.$$("#feed [data-kind=notify][data-team=soc]")).length === 1, "one action, not two");
		});

		await step("reload keeps everything (inbox, messages, actions, score, typed text)", async () => {
			await soc.selectOption("#act-kind", "report");
			await soc.fill("#f-text", "Draft that must survive a reload");
			const score = await soc.textContent("#score");
			const nHist = (await soc.$$("#history [data-id]")).length;
			await soc.reload();
			await soc.waitForSelector("#conn[data-state=online]", { timeout: T });
			await soc.waitForSelector("#inbox-list [data-id=I1][data-unread=false]", { timeout: T });
			await soc.waitForSelector("#inbox-list [data-msg]", { timeout: T });
			assert((await soc.inputValue("#f-text")) === "Draft that must survive a reload", "draft restored");
			assert((await soc.$$("#history [data-id]")).length === nHist, "action history kept");
			assert((await soc.$$("#history li[data-status=acked]")).length === nHist, "all acknowledged: " + JSON.stringify(await soc.evaluate(() => window.kyodo.state.outbox.map((a) => a.kind + ":" + a.status))));
			await soc.waitForFunction((s) => document.querySelector("#score").textContent === s, score, { timeout: T });
			const nFeed = (await fac.$$("#feed [data-seq]")).length;
			await fac.reload();
			await fac.waitForSelector("#conn[data-state=online]", { timeout: T });
			await fac.waitForSelector("#feed [data-kind=report] .graded-badge", { timeout: T });
			assert((await fac.$$("#feed [data-seq]")).length === nFeed, "facilitator feed kept");
			assert((await fac.getAttribute("[data-team=soc] .tc-unread", "data-unread")) === "0", "read receipts kept on the facilitator page");
			await shot(soc, "team-soc");
			await oem.click("#inbox-list [data-id=I2]");
			await shot(oem, "team-oem");
			await shot(fac, "facilitator");
		});

		await step("a teammate's laptop (no local storage) shows the team's actions, grades and read receipts", async () => {
			const mate = await openPage(browser, srv.teams.oem, "oem-mate");
			const facMate = await openPage(browser, srv.facilitator, "facilitator-mate");
			try {
				const mine = await oem.$$eval("#history [data-id]", (els) => els.map((e) => e.dataset.id + ":" + e.dataset.status));
				await mate.waitForFunction((n) => document.querySelectorAll("#history [data-id]").length === n, mine.length, { timeout: T });
				const theirs = await mate.$$eval("#history [data-id]", (els) => els.map((e) => e.dataset.id + ":" + e.dataset.status));
				assert(JSON.stringify(theirs) === JSON.stringify(mine), "history " + JSON.stringify(theirs) + " vs " + JSON.stringify(mine));
				await mate.waitForSelector("#history [data-kind=report] .graded[data-points='15']:has-text('Clear and timely')", { timeout: T });
				await mate.waitForSelector("#inbox-list [data-id=I2][data-unread=false]", { timeout: T });
				// an action sent from one laptop shows up on the other at once
				await sendAction(mate, "notify", { "#f-party": "regulator", "#f-text": "Sent from the teammate's laptop" });
				const row = await mate.waitForSelector("#history [data-kind=notify][data-status=acked]", { timeout: T });
				const id = await row.getAttribute("data-id");
				await oem.waitForSelector(`#history [data-id="${id}"][data-status=acked]`, { timeout: T });
				await facMate.waitForSelector("#feed [data-kind=report] .graded-badge", { timeout: T });
				assert((await facMate.$$("#feed [data-seq]")).length === (await fac.$$("#feed [data-seq]")).length, "feed on a second facilitator laptop");
				assert((await facMate.getAttribute("[data-team=soc] .tc-unread", "data-unread")) === "0", "read receipts on a second facilitator laptop");
				await facMate.waitForSelector("#timeline [data-kind='attack.compromise']", { state: "attached", timeout: T });
			} finally {
				await mate.context().close();
				await facMate.context().close();
			}
			// nothing the server has is kept in the browser: only drafts, view choices and unacknowledged actions
			for (const p of [oem, soc, fac]) {
				const st = await p.evaluate(() => Object.keys(localStorage).map((k) => [k.split(".").pop(), localStorage.getItem(k)]));
				const bad = st.filter(([k]) => /^(fleet|cache|read|readsent|actions|events)$/.test(k)).map(([k]) => k);
				assert(!bad.length, "server state in localStorage: " + bad.join(", "));
				const ob = st.find(([k]) => k === "outbox");
				assert(!ob || JSON.parse(ob[1]).every((a) => a.status === "pending"), "acknowledged actions in the stored outbox: " + (ob && ob[1].slice(0, 200)));
			}
		});

		await step("the world's attack steps are on the facilitator's timeline", async () => {
			await fac.click("#ftabs [data-tab=timeline]");
			const el = await fac.waitForSelector("#timeline .tl-item.attack[data-kind='attack.compromise']", { timeout: T });
			assert((await el.textContent()).includes("203.0.113.7"), "attack step: " + (await el.textContent()));
			await fac.waitForSelector("#timeline .tl-item.attack[data-kind='attack.spread']", { timeout: T });
			assert(!(await soc.evaluate(() => JSON.stringify(window.kyodo.state)).then((x) => x.includes("attack.compromise"))), "a team page got attack facts");
		});

		await step("every action kind's form builds args the server accepts", async () => {
			const kinds = [
				["triage", { "#f-inject": "I1" }],
				["isolate_service", { "#f-name": "app_api" }],
				["restore_service", { "#f-name": "app_api" }],
				["revoke_certificate", { "#f-scope": "tcu" }],
				["ota_campaign", { "#f-ecu": "tcu", "#f-version": "2.4.1", "#f-rollout": "0.5", "#f-select-model": "Sedan-A" }],
				["disable_feature", { "#f-feature": "remote_start" }],
				["assess", { "#f-component": "openssl@1.1.1k", "#f-affected": "2000" }],
				["share", { "#f-to": "all", "#f-tlp": "green", "#f-text": "Block 203.0.113.7", "#f-indicators": "203.0.113.7" }],
			];
			for (const [kind, fill] of kinds) {
				await sendAction(soc, kind, fill).catch((e) => { throw new Error(kind + ": " + e.message); });
				const bad = await soc.$$eval(".field.invalid", (els) => els.map((e) => e.dataset.field + ": " + e.querySelector(".err").textContent));
				assert(!bad.length, kind + ": the form refused " + bad.join(", "));
			}
			for (const [kind] of kinds) {
				const row = await soc.waitForSelector(`#history li[data-kind=${kind}]:not([data-status=pending])`, { timeout: T }).catch((e) => { throw new Error(kind + ": no answer: " + e.message); });
				assert((await row.getAttribute("data-status")) === "acked", kind + " refused: " + (await row.textContent()));
			}
			await oem.waitForSelector("#inbox-list [data-msg]:has-text('Block 203.0.113.7')", { timeout: T });
		});

		await step("the assess form sends a VEX statement the server accepts", async () => {
			// the form is the schema's: a statement is the vulnerability, status, justification, response and detail fields
			await sendAction(soc, "assess", { "#f-vulnerability": "CVE-2099-0001", "#f-status": "not_affected", "#f-select-ecu": "tcu" });
			// a rule the schema cannot say (not_affected needs a justification or a detail): the server's refusal, beside its field
			await soc.waitForSelector("[data-field=justification].invalid [data-err=justification]:has-text('needs a justification')", { timeout: T });
			assert((await soc.inputValue("#f-vulnerability")) === "CVE-2099-0001", "the typed values stay after a refusal");
			await soc.selectOption("#f-justification", "code_not_present");
			await soc.click("#act-send");
			const row = await soc.waitForSelector("#history li[data-kind=assess][data-status=acked]:has-text('CVE-2099-0001')", { timeout: T });
			assert((await row.textContent()).includes("not affected"), "the statement in words: " + (await row.textContent()));
		});

		await step("a speed change reaches every page", async () => {
			await fac.selectOption("#ctl-speed", "120");
			for (const p of [fac, oem, soc]) await p.waitForFunction(() => document.querySelector("#clock-speed").textContent === "×120", null, { timeout: T });
		});

		await step("pause stops the clock on every page", async () => {
			await fac.click("#ctl-pause");
			for (const p of [fac, oem, soc]) await p.waitForSelector("#clock[data-state=paused][data-running=false]", { timeout: T });
			const a = await Promise.all([fac, oem, soc].map(clockText));
			await new Promise((r) => setTimeout(r, 1500));
			const b = await Promise.all([fac, oem, soc].map(clockText));
			assert(JSON.stringify(a) === JSON.stringify(b), "clocks moved: " + a + " → " + b);
			assert(a[0] === a[1] && a[1] === a[2], "same time on every page: " + a);
		});

		await step("a wrong or missing token shows why and does not retry", async () => {
			const base = new URL(srv.facilitator).origin;
			const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
			const p = await ctx.newPage();
			const errs = [];
			p.on("pageerror", (e) => errs.push(e.message));
			await p.goto(base + "/?token=not-a-token");
			await p.waitForSelector("#conn[data-state=denied]", { timeout: T });
			await p.waitForSelector("#banner.bad:not([hidden])", { timeout: T });
			await p.goto(base + "/");
			await p.waitForSelector("#banner.bad:has-text('token')", { timeout: T });
			await ctx.close();
			assert(!errs.length, errs.join(" | "));
		});

		await step("scenario errors are shown to the facilitator with file:line", async () => {
			await fac.click("#ftabs [data-tab=errors]");
			const el = await fac.waitForSelector("#errors .error-item:has-text('boom in a callback')", { timeout: T });
			assert(/en\.lua:\d+/.test(await el.textContent()), "file:line in " + (await el.textContent()));
			await fac.click("#ftabs [data-tab=timeline]");
		});

		await step("an ad-hoc inject from the composer reaches the chosen team only", async () => {
			await fac.click("#ftabs [data-tab=compose]");
			await fac.check("#comp-to input[value=oem]");
			await fac.selectOption("#comp-sev", "critical");
			await fac.fill("#comp-title", "Press enquiry about remote unlock");
			await fac.fill("#comp-body", "A journalist asks whether cars can be unlocked remotely.");
			await fac.click("#comp-send");
			await oem.waitForSelector("#inbox-list .item.sev-critical:has-text('Press enquiry about remote unlock')", { timeout: T });
			await new Promise((r) => setTimeout(r, 300));
			assert(!(await soc.$("#inbox-list .item:has-text('Press enquiry')")), "soc must not get it");
			await fac.click("#ftabs [data-tab=timeline]");
			await shot(fac, "facilitator-end");
		});

		await step("the message catalogue has every text in both languages and no raw key shows", async () => {
			const r = await oem.evaluate(async () => {
				const { CATALOG_FOR_TESTS: c } = await import("./i18n.js");
				const missing = Object.keys(c.en).filter((k) => !(k in c.ja)).concat(Object.keys(c.ja).filter((k) => !(k in c.en)));
				const raw = [];
				for (const el of document.querySelectorAll("body *")) {
					for (const n of el.childNodes) if (n.nodeType === 3 && /^\s*[a-z]+\.[a-z_.]+\s*$/.test(n.textContent) && !/^\s*\d/.test(n.textContent)) raw.push(n.textContent.trim());
				}
				return { missing, raw };
			});
			assert(!r.missing.length, "keys missing in one language: " + r.missing.join(", "));
			assert(!r.raw.length, "raw keys on the page: " + r.raw.slice(0, 5).join(", "));
		});

		await step("the language switch turns the page Japanese and back", async () => {
			await oem.click("#lang-btn");
			await oem.waitForFunction(() => document.querySelector("#inbox-h").textContent === "受信箱", null, { timeout: T });
			assert((await oem.getAttribute("html", "lang")) === "ja", "html lang");
			await oem.click("#tabs [data-tab=fleet]");
			await shot(oem, "team-oem-fleet-ja");
			await oem.click("#lang-btn");
			await oem.waitForFunction(() => document.querySelector("#inbox-h").textContent === "Inbox", null, { timeout: T });
		});

		await step("stop ends the drill on every page: the form locks with a message, the team's summary shows", async () => {
			await fac.click("#ctl-stop");
			await fac.waitForSelector(".modal.confirm", { timeout: T });
			await fac.click(".modal.confirm [data-value=stop]");
			for (const p of [fac, oem, soc]) await p.waitForSelector("#clock[data-state=ended]", { timeout: T });
			await soc.waitForSelector("#state-banner[data-state=ended]:not([hidden])", { timeout: T });
			assert(await soc.$eval("#act-form fieldset.form-box", (el) => el.disabled), "the action form is disabled");
			assert((await soc.textContent("#act-form .form-locked")).includes("ended"), "the lock says why");
			await soc.waitForSelector("#end-summary:not([hidden]):has-text('score')", { timeout: T });
			assert(await soc.$("#hotwash"), "a place for the hot-wash form");
		});
	} finally {
		for (const p of [fac, oem, soc]) if (p) await p.context().close().catch(() => {});
		await stop(srv.proc);
	}
}

async function japaneseDrill(browser) {
	let srv, fac, oem;
	const ok = await step("the Japanese drill serves", async () => { srv = await serve("ja", SCENARIO_JA, ["--speed", "60"]); });
	if (!ok) return;
	try {
		await step("the Japanese drill renders its Japanese text", async () => {
			fac = await openPage(browser, srv.facilitator, "facilitator-ja", "ja-JP");
			oem = await openPage(browser, srv.teams.oem, "oem-ja", "ja-JP");
			assert((await oem.textContent("#inbox-h")) === "受信箱", "page in Japanese from the browser language");
			assert((await oem.textContent("#team-name")) === "自動車メーカー PSIRT", "Japanese team name");
			assert((await oem.textContent("#ex-title")) === "TCU 遠隔攻撃 合同演習", "Japanese title");
			await fac.click("#ctl-start");
			await oem.waitForSelector("#inbox-list [data-id=J1]", { timeout: T });
			await oem.click("#inbox-list [data-id=J1]");
			await oem.waitForSelector("#tab-inject .inject-title:has-text('IDS アラートの急増')", { timeout: T });
			assert((await oem.textContent("#tab-inject .body")).includes("関東地域"), "Japanese body");
			await shot(oem, "team-ja");
			await shot(fac, "facilitator-ja");
		});
	} finally {
		for (const p of [fac, oem]) if (p) await p.context().close().catch(() => {});
		await stop(srv.proc);
	}
}

const guard = setTimeout(() => { console.log("FAIL pages (timed out after 480 s)"); for (const c of children) c.kill("SIGKILL"); process.exit(1); }, 480000);
try {
	await main();
} catch (e) {
	fail("pages", e);
} finally {
	clearTimeout(guard);
	for (const c of children) await stop(c);
	fs.rmSync(TMP, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

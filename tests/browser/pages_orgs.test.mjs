// pages with organisations (ui/web/orgs.js) in real headless Chromium against a real `kyodo serve` of
// tests/data/scn/orgs_small.lua: the facilitator page groups the teams by organisation with each org's cars and
// compromised count, and draws the sharing graph live as teams share (edges per from-org → to-org and TLP, with their
// counts; the share list with the ISAC's relay); a team page names its organisation; the regulator's liaison sees a
// maker's notification labelled as one; a drill without orgs shows no
// panel; screenshots under build/artifacts/; no console errors. Prints PASS/FAIL lines; exits non-zero on any failure.
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { Client, ROOT, failures, run, assert, assertEq, startServer, stopServer, tmpdir } from "./ws_lib.mjs";

const WEB = path.join(ROOT, "ui", "web");
const ART = path.join(ROOT, process.env.BUILD || "build", "artifacts");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const dir = tmpdir("pages-orgs");
const T = 20000;
const errors = [];
let srv, browser, fac, team, ws = {};

async function openPage(url, label) {
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
	const page = await ctx.newPage();
	page.on("console", (m) => { if (m.type() === "error") errors.push(label + ": " + m.text()); });
	page.on("pageerror", (e) => errors.push(label + ": " + e.message));
	await page.goto(url);
	await page.waitForSelector("#conn[data-state=online]", { timeout: T });
	return page;
}

async function share(t, args) {
	const id = "p" + Math.random().toString(36).slice(2), n = ws[t].msgs.length;
	ws[t].send({ type: "action", id, kind: "share", args });
	const a = await ws[t].next((m) => m.type === "ack" && m.id === id, { from: n });
	return a.seq;
}

await run([
	["the_facilitator_page_groups_teams_by_organisation", async () => {
		srv = await startServer(path.join(ROOT, "tests/data/scn/orgs_small.lua"), ["--db", path.join(dir, "o.db"), "--web", WEB, "--speed", "300"]);
		browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
		fac = await openPage(srv.urls.facilitator, "facilitator");
		await fac.waitForSelector("#orgs-panel:not([hidden]) .org-group", { timeout: T });
		const groups = await fac.$$eval("#orgs-panel .org-group", (els) => els.map((e) => [e.dataset.org, [...e.querySelectorAll(".org-teams li")].map((li) => li.dataset.team)]));
		assertEq(groups, [["oem_a", ["a1", "a2"]], ["oem_b", ["b1", "b2"]], ["tier1", ["sup"]], ["isac", ["isac1"]], ["reg", ["reg1"]]], "teams by org");
		assert((await fac.textContent("#orgs-panel .org-group[data-org=oem_b] .org-fleet")).includes("3,000"), "oem_b's cars");
		assert(await fac.$("#orgs-panel .org-graph-empty"), "no share yet: no graph");
	}],
	["a_team_page_names_its_organisation", async () => {
		team = await openPage(srv.urls.b2, "b2");
		await team.waitForFunction(() => document.querySelector("#team-org").textContent !== "", null, { timeout: T });
		assertEq(await team.textContent("#team-org"), "OEM B", "the org beside the team's name");
		assert(await team.$eval("#team-org", (e) => getComputedStyle(e).display !== "none"), "shown");
	}],
	["the_sharing_graph_follows_the_shares_live", async () => {
		for (const t of ["a1", "isac1", "b1"]) { ws[t] = await Client.open(srv.ws); await ws[t].hello(srv.tokens[t]); }
		const fc = await Client.open(srv.ws);
		await fc.hello(srv.tokens.facilitator);
		fc.send({ type: "control", cmd: "start" });
		await fc.next((m) => m.type === "clock" && m.running === true);
		const s1 = await share("a1", { to: "isac1", tlp: "green", text: "report from A", indicators: ["203.0.113.9"] });
		await share("a1", { to: "b1", tlp: "amber", text: "heads-up to B" });
		await share("isac1", { to: "all", tlp: "green", text: "advisory", relay: s1 });
		await share("b1", { to: "isac1", tlp: "red", text: "B's eyes only" });
		await fac.waitForFunction(() => document.querySelectorAll("#orgs-panel .org-shares li").length === 4, null, { timeout: T });
		const edges = await fac.$$eval("#orgs-panel .org-edge", (els) => els.map((e) => [e.dataset.from, e.dataset.to, e.dataset.tlp, Number(e.dataset.count)]).sort());
		assertEq(edges, [["isac", "oem_a", "green", 1], ["isac", "oem_b", "green", 1], ["isac", "tier1", "green", 1],
			["oem_a", "isac", "green", 1], ["oem_a", "oem_b", "amber", 1], ["oem_b", "isac", "red", 1]], "edges from → to, TLP, count");
		assert((await fac.textContent("#orgs-panel .org-shares li:first-child")).includes("B's eyes only"), "newest share first");
		const items = await fac.$$eval("#orgs-panel .org-shares li", (els) => els.map((e) => e.textContent));
		assert(items.some((x) => x.includes("relay of #" + s1)), `the relay is shown: ${items.join(" | ")}`);
		assert(items.some((x) => x.includes("ingested by OEM B")), `oem_b's ingestion is shown: ${items.join(" | ")}`);
		fs.mkdirSync(ART, { recursive: true });
		await fac.screenshot({ path: path.join(ART, "facilitator-orgs.png"), fullPage: true });
		await team.screenshot({ path: path.join(ART, "team-orgs.png") });
		// a reload rebuilds the same graph from the welcome's backlog
		await fac.reload();
		await fac.waitForFunction(() => document.querySelectorAll("#orgs-panel .org-edge").length === 6, null, { timeout: T });
		fc.close();
	}],
	["the_regulators_page_shows_a_makers_notification", async () => {
		const reg = await openPage(srv.urls.reg1, "reg1");
		ws.a2 = await Client.open(srv.ws);
		await ws.a2.hello(srv.tokens.a2);
		const id = "n" + Math.random().toString(36).slice(2), n = ws.a2.msgs.length;
		ws.a2.send({ type: "action", id, kind: "notify", args: { party: "reg", stage: "initial", text: "Initial notice: TCU exploit at OEM A" } });
		await ws.a2.next((m) => m.type === "ack" && m.id === id, { from: n });
		await reg.waitForFunction(() => [...document.querySelectorAll("#inbox-list [data-msg]")].some((e) => e.textContent.includes("TCU exploit at OEM A")), null, { timeout: T });
		const row = await reg.$$eval("#inbox-list [data-msg]", (els) => els.map((e) => e.querySelector(".title").textContent + " | " + e.textContent).find((x) => x.includes("TCU exploit")));
		assert(row.startsWith("Initial notification from OEM A PSIRT"), `the row names the notification and its sender: ${row}`);
		await reg.screenshot({ path: path.join(ART, "team-orgs-regulator.png") });
		await fac.waitForTimeout(400);
		assertEq(await fac.$$eval("#orgs-panel .org-edge", (els) => els.length), 6, "a notification is not drawn as a share");
	}],
	["a_drill_without_orgs_has_no_organisations_panel", async () => {
		const lua = path.join(dir, "plain.lua");
		fs.writeFileSync(lua, `scenario { id = "plain", title = "Plain", duration = "1h" }
teams { { id = "t", name = "T" } }
fleet { { model = "M", count = 10 } }
`);
		const s2 = await startServer(lua, ["--db", path.join(dir, "p.db"), "--web", WEB]);
		const p = await openPage(s2.urls.facilitator, "plain");
		await p.waitForTimeout(500);
		assert(await p.$eval("#orgs-panel", (e) => e.hidden), "the panel stays hidden");
		const tp = await openPage(s2.urls.t, "plain-team");
		await tp.waitForFunction(() => document.querySelector("#team-name").textContent !== "—", null, { timeout: T });
		assert(await tp.$eval("#team-org", (e) => e.textContent === "" && getComputedStyle(e).display === "none"), "no org beside the team's name");
		await stopServer(s2);
	}],
	["no_console_errors", async () => {
		assertEq(errors, [], "console errors");
	}],
]);
for (const c of Object.values(ws)) c.close();
if (browser) await browser.close();
if (srv) await stopServer(srv);
process.exit(failures() ? 1 : 0);

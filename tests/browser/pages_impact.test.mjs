// The impact figures and the inject attachments on the pages, in real headless Chromium against a real
// `kyodo serve`: the facilitator page shows "harm averted so far" while the drill runs and each team's share once it
// has ended; the team page shows an inject's attachments with their type. Screenshots under build/artifacts/.
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { Client, ROOT, assert, failures, run, startServer, stopServer, tmpdir } from "./ws_lib.mjs";

const ART = path.join(ROOT, process.env.BUILD || "build", "artifacts");
const dir = tmpdir("pages-impact");
for (const f of ["breach.lua", "breach.advisory.txt"]) fs.copyFileSync(path.join(ROOT, "tests/data/impact", f), path.join(dir, f));
const T = 30000;
const errors = [];
let srv, browser, fac, team;

async function open(url, label) {
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
	const page = await ctx.newPage();
	page.on("pageerror", (e) => errors.push(label + ": " + e.message));
	page.on("console", (m) => { if (m.type() === "error") errors.push(label + ": " + m.text()); });
	await page.goto(url);
	await page.waitForSelector("#conn[data-state=online]", { timeout: T });
	return page;
}

await run([
	["facilitator_page_shows_harm_averted_so_far", async () => {
		srv = await startServer(path.join(dir, "breach.lua"), ["--db", path.join(dir, "k.db"), "--speed", "240", "--autostart"]);
		browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
			args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"] });
		fac = await open(srv.urls.facilitator, "facilitator");
		team = await open(srv.urls.vsoc, "vsoc");
		await fac.waitForSelector("#impact:not([hidden]) strong[data-averted]", { timeout: T });
		const text = await fac.textContent("#impact");
		assert(/Harm averted so far/.test(text) && /without any team action/.test(text), "impact box: " + text);
	}],
	["team_page_shows_an_injects_attachments", async () => {
		await team.waitForSelector("#inbox-list [data-id=B1]", { timeout: T });
		await team.click("#inbox-list [data-id=B1]");
		await team.waitForSelector(".inject-detail .atts .att", { timeout: T });
		const atts = await team.$$eval(".inject-detail .atts .att-name", (els) => els.map((e) => e.textContent));
		assert(atts.length === 3 && atts[0].includes("ids.log") && atts[2].includes("application/json"), "attachments: " + JSON.stringify(atts));
		assert((await team.textContent(".inject-detail .atts")).includes("SA-2025-07"), "the file's text is shown");
		fs.mkdirSync(ART, { recursive: true });
		await team.screenshot({ path: path.join(ART, "team-attachments.png") });
	}],
	["after_the_stop_the_facilitator_sees_each_teams_share", async () => {
		const c = await Client.open(srv.ws);
		await c.hello(srv.tokens.vsoc);
		c.send({ type: "action", id: "b1", kind: "block_indicator", args: { value: "198.51.100.23" } });
		await c.type("ack");
		c.close();
		fac.once("dialog", (d) => d.accept());
		await fac.click("#ctl-stop");
		await fac.waitForSelector("#impact .impact-teams tr[data-team=vsoc]", { timeout: T });
		const rows = await fac.$$eval("#impact .impact-teams tr", (els) => els.map((e) => e.textContent));
		assert(rows.length === 3 && /%/.test(rows[0]), "team rows: " + JSON.stringify(rows));
		await fac.screenshot({ path: path.join(ART, "facilitator-impact.png") });
		assert(errors.length === 0, "console errors: " + errors.slice(0, 3).join(" | "));
	}],
]);
if (browser) await browser.close();
if (srv) await stopServer(srv);
process.exit(failures() ? 1 : 0);

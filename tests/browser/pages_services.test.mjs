// pages with declared services and credentials, in real headless Chromium against a real `kyodo serve` of the shipped
// dealer-dms drill: the team page's one action form offers rotate_credential with the drill's credentials, recall with
// the dealers' system among the services and customer_advisory; a rotation and a pause of an OTA campaign go through
// the page (the confirmation of a kind with a cost to customers, the ack, the result in words in the history, without
// the attacker's truth for a team); the facilitator's feed says whether the rotation cut the attacker; screenshots
// under build/artifacts/ (team-rotate.png, facilitator-rotate.png); no console errors.
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { Client, ROOT, assert, assertEq, failures, run, startServer, stopServer, tmpdir } from "./ws_lib.mjs";

const T = 20000;
const ART = path.join(ROOT, process.env.BUILD || "build", "artifacts");
const WEB = path.join(ROOT, "ui", "web");
const dir = tmpdir("pages-services");
const errors = [];
let srv, browser, vsoc, psirt, fac;

async function openPage(url, label) {
	const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "en-US" });
	const page = await ctx.newPage();
	page.on("console", (m) => { if (m.type() === "error") errors.push(label + ": " + m.text()); });
	page.on("pageerror", (e) => errors.push(label + ": " + e.message));
	await page.goto(url);
	await page.waitForSelector("#conn[data-state=online]", { timeout: T });
	return page;
}

/* Fills the form for kind (selectors -> values) and sends it, confirming when the page asks. */
async function send(page, kind, fill) {
	await page.selectOption("#act-kind", kind);
	for (const [sel, v] of Object.entries(fill)) {
		const tag = await page.$eval(sel, (el) => el.tagName);
		if (tag === "SELECT") await page.selectOption(sel, v); else await page.fill(sel, v);
	}
	await page.click("#act-send");
	const asks = await page.evaluate((k) => ((window.kyodo.state.catalog.action_kinds || []).find((x) => x.kind === k) || {}).confirm, kind);
	if (asks) {
		await page.waitForSelector(".modal.confirm", { timeout: T });
		await page.click(".modal.confirm [data-value=ok]");
	}
}

await run([
	["the_team_form_offers_the_drills_credentials_and_services", async () => {
		srv = await startServer(path.join(ROOT, "scenarios/dealer-dms.lua"), ["--db", path.join(dir, "dms.db"), "--web", WEB, "--speed", "300"]);
		browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
			args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
		vsoc = await openPage(srv.urls.vsoc, "vsoc");
		await vsoc.selectOption("#act-kind", "rotate_credential");
		const creds = await vsoc.$$eval("#f-credential option", (els) => els.map((e) => e.value).filter(Boolean));
		assertEq(creds, ["svc-dms-sync", "dealer-portal"], "the credentials offered");
		await vsoc.selectOption("#act-kind", "recall");
		const via = await vsoc.$$eval("#f-via option", (els) => els.map((e) => e.value).filter(Boolean));
		assert(via.includes("dms") && via.includes("telematics"), `the dealers' system among the services: ${via}`);
		await vsoc.selectOption("#act-kind", "customer_advisory");
		assert(await vsoc.$("#f-text"), "an advisory's text");
	}],
	["a_rotation_and_a_pause_go_through_the_page_with_their_results", async () => {
		fac = await openPage(srv.urls.facilitator, "facilitator");
		const ctl = await Client.open(srv.ws);
		await ctl.hello(srv.tokens.facilitator);
		ctl.send({ type: "control", cmd: "start" });
		await ctl.next((m) => m.type === "clock" && m.t_us >= 12 * 60e6, { what: "the clock past 00:12 (the crew holds the account)" });
		ctl.send({ type: "control", cmd: "pause" });
		ctl.close();
		await send(vsoc, "rotate_credential", { "#f-credential": "svc-dms-sync" });
		const row = await vsoc.waitForSelector("#history [data-kind=rotate_credential][data-status=acked] .result", { timeout: T });
		const words = await row.textContent();
		assert(words.includes("New secret for svc-dms-sync") && words.includes("the old one no longer works"), `the team's words: ${words}`);
		assert(!words.includes("attacker"), `no ground truth for a team: ${words}`);
		await fac.waitForSelector("#feed [data-kind=rotate_credential]", { timeout: T });
		assert(((await fac.textContent("#feed [data-kind=rotate_credential]")) || "").includes("The attacker held it: cut."), "the facilitator's truth");
		psirt = await openPage(srv.urls.oem_psirt, "oem_psirt");
		await send(psirt, "ota_campaign", { "#f-ecu": "tcu", "#f-version": "2.5.0", "#f-rollout": "0.1" });
		await psirt.waitForSelector("#history [data-kind=ota_campaign][data-status=acked]", { timeout: T });
		await send(psirt, "pause_ota_campaign", { "#f-campaign": "1" });
		const p = await psirt.waitForSelector("#history [data-kind=pause_ota_campaign][data-status=acked] .result", { timeout: T });
		assert(((await p.textContent()) || "").includes("Campaign 1 paused"), `the pause's words: ${await p.textContent()}`);
		fs.mkdirSync(ART, { recursive: true });
		await vsoc.screenshot({ path: path.join(ART, "team-rotate.png") });
		await fac.screenshot({ path: path.join(ART, "facilitator-rotate.png") });
	}],
	["no_console_errors_and_a_clean_stop", async () => {
		await browser.close();
		assertEq(errors, [], "console errors");
		assertEq((await stopServer(srv)).code, 0, "exit code");
	}],
]);
process.exit(failures() ? 1 : 0);

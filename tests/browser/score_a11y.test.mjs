// score_a11y: every kind of score change shows its reason where it happens, and the pages are accessible.
// A small drill on a real `kyodo serve`, the facilitator page driving the clock ("Pause at" exact sim times):
// an expectation met in time (+points with its label on the action's row), a penalty (−points with its reason on
// the row), an expectation missed (its label in the Score tab, a toast and the screen-reader announcement), one met
// late (the decayed points, "late"), a scenario adjustment (its reason in the Score tab), a facilitator's grade (the
// comment on the row); the server's refusal of a value shown beside its field; a confirmation with the number of
// cars; the inbox's age and "overdue" state. Then axe-core (no serious or critical violation) on both pages in
// both languages, keyboard use of the tabs, the inbox and the dialog, and screenshots at 1366, 1024 and 390 px wide.
import fs from "node:fs";
import path from "node:path";
import { ROOT, T, step, assert, fail, failures, consoleErrors, tmpdir, serve, stop, launch, openPage, shot, hms, enterAction, stopAll } from "./page_lib.mjs";

const AXE = path.join(ROOT, "tests", "browser", "node_modules", "axe-core", "axe.min.js");

const SCENARIO = `
scenario { id = "score-reasons", title = "Score reasons drill", duration = "2h", seed = 4,
           description = "Every kind of score change, for the page tests." }
teams { { id = "soc", name = "Vehicle SOC" }, { id = "legal", name = "Legal & PR" } }
fleet { { model = "Sedan-A", count = 1200, region = "JP-Kanto", ecus = { tcu = "2.3.1", gw = "1.4.0" } },
        { model = "SUV-B", count = 800, region = "JP-Kansai", ecus = { tcu = "2.4.1" } } }
penalty { action = "isolate_service", args = { name = "telematics" }, points = 10,
          reason = "took telematics down for every customer" }
dashboard { tiles = { "total", "compromised", { metric = "customers_affected", label = { en = "Customers hit", ja = "影響顧客" } } },
            series = { "compromised", "customers_affected" } }
inject { id = "I1", at = "00:01:00", to = { "soc" }, severity = "high", title = "Beacons to 203.0.113.7",
         body = "TCUs of Sedan-A beacon to 203.0.113.7 every minute.",
         expects = { { action = "block_indicator", args = { value = "203.0.113.7" }, within = "30m", points = 20, label = "Block the C2" },
                     { action = "assess", within = "10m", points = 5, label = "Size the exposure" } } }
inject { id = "I2", at = "00:01:00", to = { "legal" }, severity = "medium", title = "Personal data may be involved",
         body = "Owner records may have been read: the PPC must hear from us.",
         expects = { { action = "notify", args = { party = "ppc", stage = "initial" }, within = "20m", points = 15, label = "Tell the PPC" } } }
at("00:00:30", function() attack.compromise { select = { model = "Sedan-A" }, count = 10, c2 = "203.0.113.7", entry = "tcu" } end)
on("action", function(a)
	if a.kind == "report" then score.add { team = a.team, points = -3, reason = "report sent to the wrong address" } end
end)
`;

async function holdAt(fac, s) {
	await fac.fill("#ctl-hold", hms(s));
	await fac.click("#ctl-hold-set");
	await fac.waitForFunction((us) => window.kyodo.state.clock.holdAt === us, s * 1e6, { timeout: T, polling: 50 });
	const st = await fac.getAttribute("#clock", "data-state");
	await fac.click(st === "notstarted" ? "#ctl-start" : "#ctl-resume");
	await fac.waitForFunction((us) => { const c = window.kyodo.state.clock; return !c.running && c.t_us === us; }, s * 1e6, { timeout: T, polling: 50 });
}

/* axe-core on the page as it is: the serious and critical violations, as lines. */
async function axe(page) {
	// evaluated through the devtools protocol, not added as a <script>: the pages' Content-Security-Policy (no inline
	// script, docs/security.md) refuses an injected inline script, as it should
	if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(fs.readFileSync(AXE, "utf8"));
	const r = await page.evaluate(async () => {
		const res = await window.axe.run(document, { resultTypes: ["violations"] });
		return res.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
			.map((v) => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " — " + (n.failureSummary || "").split("\n").slice(1, 2).join("")).join(" | "));
	});
	return r;
}

const rowOf = (page, kind) => page.waitForSelector(`#history li[data-kind=${kind}][data-status=acked]`, { timeout: T });

async function main() {
	const dir = tmpdir("score");
	const file = path.join(dir, "score-reasons.lua");
	fs.writeFileSync(file, SCENARIO);
	const browser = await launch();
	let srv = null;
	try {
		srv = await serve(file, dir, ["--speed", "600"]);
		const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "en-US" });
		const fac = await openPage(ctx, srv.facilitator, "facilitator");
		const soc = await openPage(ctx, srv.teams.soc, "soc");
		const legal = await openPage(ctx, srv.teams.legal, "legal");

		await step("before the start the joint score is explained, not shown as a number", async () => {
			assert((await fac.textContent("[data-joint]")) === "—", "joint before the start: " + (await fac.textContent("[data-joint]")));
			assert((await fac.textContent("#joint-help")).includes("counts from the start"), "explanation: " + (await fac.textContent("#joint-help")));
			assert((await soc.textContent("#state-banner")).includes("not started"), "team banner before the start");
		});

		await step("the inbox shows an inject's age and its deadline, and 'overdue' before the window closes", async () => {
			await holdAt(fac, 120);
			await soc.waitForSelector("#inbox-list [data-id=I1] .due[data-due]", { timeout: T });
			assert((await soc.textContent("#inbox-list [data-id=I1] .age")).includes("1 min ago"), "age: " + (await soc.textContent("#inbox-list [data-id=I1] .age")));
			assert((await soc.textContent("#inbox-list [data-id=I1] .due")).startsWith("due in"), "due: " + (await soc.textContent("#inbox-list [data-id=I1] .due")));
			await soc.waitForSelector("#state-banner[data-state=paused]:not([hidden])", { timeout: T });
			assert((await soc.textContent("#state-banner")).includes("Paused"), "paused banner on the team page");
			await fac.waitForSelector("#state-banner[data-state=paused]:not([hidden])", { timeout: T });
		});

		await step("an expectation met in time shows its points and label on the action's row, as a toast and to screen readers", async () => {
			await soc.waitForTimeout(1600);   // toasts are for live changes, not for a welcome's backlog
			await enterAction(soc, "block_indicator", { value: "203.0.113.7" });
			const row = await rowOf(soc, "block_indicator");
			await row.waitForSelector(".eff-met[data-points='20']", { timeout: T });
			const text = await row.textContent();
			assert(text.includes("+20") && text.includes("Block the C2"), "row: " + text);
			assert(text.includes("Block applied"), "the result in words: " + text);
			await soc.waitForFunction(() => document.querySelector("#announce").textContent.includes("Block the C2"), null, { timeout: T });
			await soc.waitForSelector("#toasts .toast:has-text('Block the C2')", { timeout: T });
			await fac.waitForSelector("#feed [data-kind=block_indicator] .eff-met:has-text('Block the C2')", { timeout: T });
		});

		await step("a fleet-wide action asks first, with the number of cars affected", async () => {
			await soc.selectOption("#act-kind", "isolate_service");
			await soc.selectOption("#f-name", "telematics");
			await soc.click("#act-send");
			const dlg = await soc.waitForSelector(".modal.confirm[role=dialog][aria-modal=true]", { timeout: T });
			assert((await dlg.textContent()).includes("2,000 cars"), "cars affected: " + (await dlg.textContent()));
			assert(await soc.evaluate(() => document.activeElement && document.activeElement.dataset.value === "cancel"), "focus on Cancel");
			await soc.keyboard.press("Tab");
			await soc.keyboard.press("Tab");
			assert(await soc.evaluate(() => !!document.activeElement.closest(".modal")), "Tab stays in the dialog");
			await soc.keyboard.press("Escape");
			await soc.waitForSelector(".modal.confirm", { state: "detached", timeout: T });
			assert(await soc.evaluate(() => document.activeElement && document.activeElement.id === "act-send"), "focus back on the send button");
			assert(!(await soc.$("#history li[data-kind=isolate_service]")), "nothing sent after Escape");
		});

		await step("a penalty shows its points and reason on the action's row", async () => {
			await enterAction(soc, "isolate_service", { name: "telematics" });
			const row = await rowOf(soc, "isolate_service");
			await row.waitForSelector(".eff-penalty[data-points='-10']", { timeout: T });
			const text = await row.textContent();
			assert(text.includes("−10") && text.includes("took telematics down for every customer"), "row: " + text);
			await soc.waitForSelector("#toasts .toast:has-text('took telematics down')", { timeout: T });
		});

		await step("an open window turns overdue before it closes, then missed with its label in the Score tab", async () => {
			await holdAt(fac, 13 * 60);   // Size the exposure: due 00:11, closes 00:21
			await soc.waitForSelector("#inbox-list [data-id=I1] .due[data-due=overdue]", { timeout: T });
			await soc.click("#tabs [data-tab=score]");
			await soc.waitForSelector("#tab-score [data-exp-status=pending] .due-overdue", { timeout: T });
			await holdAt(fac, 25 * 60);
			await soc.waitForSelector("#tab-score [data-exp-status=missed]:has-text('Size the exposure')", { timeout: T });
			await soc.waitForSelector("#toasts .toast:has-text('Missed')", { timeout: T });
			await fac.waitForSelector("#timeline [data-kind='score.missed']:has-text('Size the exposure')", { timeout: T });
		});

		await step("an expectation met late shows the decayed points with its label", async () => {
			await enterAction(legal, "notify", { party: "ppc", stage: "initial", text: "Initial breach report to the PPC." });
			const row = await rowOf(legal, "notify");
			await row.waitForSelector(".eff-met", { timeout: T });
			const text = await row.textContent();
			assert(text.includes("+12") && text.includes("Met late") && text.includes("Tell the PPC"), "row: " + text);   // 15 × (2 − 24/20)
		});

		await step("a scenario adjustment and a facilitator's grade show their reasons", async () => {
			await enterAction(soc, "report", { text: "Situation report for exercise control." });
			await soc.waitForSelector("#tab-score [data-exp-status=adjust]:has-text('report sent to the wrong address')", { timeout: T });
			assert((await soc.textContent("#tab-score [data-exp-status=adjust]")).includes("−3"), "adjust points");
			// locators, not element handles: the feed is rebuilt as messages arrive until the facilitator's focus is in a
			// grade form (facilitator.js), so a handle taken before the first fill can be detached by then
			const form = fac.locator("#feed [data-kind=report][data-team=soc] .grade-form");
			await form.waitFor({ timeout: T });
			await form.locator(".grade-points").fill("5");
			await form.locator(".grade-comment").fill("Clear and complete");
			await form.locator("button").click();
			await soc.waitForSelector("#history [data-kind=report] .graded[data-points='5']:has-text('Clear and complete')", { timeout: T });
			await soc.waitForSelector("#tab-score [data-exp-status=graded]:has-text('Clear and complete')", { timeout: T });
			const score = await soc.evaluate(() => window.kyodo.state.score.score);
			assert(score === 20 - 10 - 3 + 5, "score 12, got " + score);
		});

		await step("the server's refusal of a value is shown beside the field it names", async () => {
			// the page checks what the schema says; the world's own rule on versions comes back from the server
			await soc.selectOption("#act-kind", "ota_campaign");
			await soc.selectOption("#f-ecu", "tcu");
			await soc.fill("#f-version", "2.4.1");
			await soc.fill("#f-rollout", "0");
			await soc.click("#act-send");
			await soc.waitForSelector("[data-field=rollout].invalid", { timeout: T });
			assert((await soc.textContent("[data-err=rollout]")).includes("At least 0.01"), "localised message: " + (await soc.textContent("[data-err=rollout]")));
			assert((await soc.getAttribute("#f-rollout", "aria-invalid")) === "true", "aria-invalid");
			const desc = (await soc.getAttribute("#f-rollout", "aria-describedby")).split(" ");
			assert(desc.includes("e-rollout"), "aria-describedby names the error: " + desc);
			// a refusal by the server (the page is told the schema allows a party the server does not)
			await soc.evaluate(() => { window.kyodo.state.catalog.actions.notify.properties.party.enum.push("nowhere"); });
			await soc.selectOption("#act-kind", "notify");
			await soc.selectOption("#f-party", "nowhere");
			await soc.fill("#f-text", "to a party the drill does not know");
			await soc.click("#act-send");
			await soc.waitForSelector("[data-field=party].invalid [data-err=party]:has-text('is not one of')", { timeout: T });
			assert((await soc.textContent("[data-err=party]")).startsWith("The server refused this value"), "the server's words beside the field");
			assert((await soc.inputValue("#f-text")) === "to a party the drill does not know", "the typed text stays");
			await soc.click("#act-clear");
		});

		await step("tabs, the inbox and the dialog work from the keyboard", async () => {
			await soc.focus("#tabs [data-tab=score]");
			await soc.keyboard.press("ArrowLeft");
			assert((await soc.getAttribute("#tabs [data-tab=fleet]", "aria-selected")) === "true", "ArrowLeft selects the previous tab");
			assert(!(await soc.isHidden("#tab-fleet")), "its panel shows");
			await soc.keyboard.press("Home");
			assert((await soc.getAttribute("#tabs [data-tab=inject]", "aria-selected")) === "true", "Home selects the first tab");
			await soc.focus("#inbox-list [data-key]");
			await soc.keyboard.press("Space");
			await soc.waitForSelector("#tab-inject [data-inject=I1]", { timeout: T });
			await fac.click("[data-inbox=soc]");
			await fac.waitForSelector("#inbox-modal [role=dialog]", { timeout: T });
			assert(await fac.evaluate(() => !!document.activeElement.closest("#inbox-modal")), "focus moves into the dialog");
			await fac.waitForSelector("#inbox-modal [data-exp-status=missed]:has-text('Size the exposure')", { timeout: T });
			await fac.keyboard.press("Escape");
			await fac.waitForSelector("#inbox-modal", { state: "detached", timeout: T });
			assert(await fac.evaluate(() => document.activeElement && document.activeElement.dataset.inbox === "soc"), "focus back on the button that opened it");
		});

		for (const lang of ["en", "ja"]) {
			await step(`axe-core finds no serious or critical violation on the team and facilitator pages (${lang})`, async () => {
				for (const p of [soc, fac]) {
					if ((await p.getAttribute("html", "lang")) !== lang) { await p.click("#lang-btn"); await p.waitForFunction((l) => document.documentElement.lang === l, lang, { timeout: T }); }
				}
				const found = [];
				await soc.click("#inbox-list [data-id=I1]");
				for (const [name, p, prep] of [["team/inject", soc, null], ["team/score", soc, () => soc.click("#tabs [data-tab=score]")],
					["team/fleet", soc, () => soc.click("#tabs [data-tab=fleet]")], ["team/coordination", soc, () => soc.click("#tabs [data-tab=coord]")],
					["facilitator", fac, null], ["facilitator/inject form", fac, () => fac.click("#ftabs [data-tab=compose]")],
					["facilitator/dialog", fac, () => fac.click("[data-inbox=soc]")]]) {
					if (prep) { await prep(); await p.waitForTimeout(200); }
					for (const v of await axe(p)) found.push(name + ": " + v);
				}
				await fac.keyboard.press("Escape");
				await fac.click("#ftabs [data-tab=timeline]");
				await soc.click("#tabs [data-tab=inject]");
				assert(!found.length, found.length + " violation(s): " + found.slice(0, 4).join(" || "));
			});
		}

		await step("screenshots at 1366, 1024 and 390 px wide (team, facilitator; English and Japanese)", async () => {
			for (const [w, hgt] of [[1366, 900], [1024, 768], [390, 844]]) {
				for (const p of [soc, fac]) await p.setViewportSize({ width: w, height: hgt });
				await soc.waitForTimeout(300);
				await shot(soc, `team-${w}-ja`);
				await shot(fac, `facilitator-${w}-ja`);
				for (const p of [soc, fac]) { await p.click("#lang-btn"); await p.waitForFunction(() => document.documentElement.lang === "en", null, { timeout: T }); }
				await soc.click("#tabs [data-tab=score]");
				await soc.waitForTimeout(200);
				await shot(soc, `team-${w}`);
				await shot(fac, `facilitator-${w}`);
				await soc.click("#tabs [data-tab=inject]");
				// the facilitator's team cards fit the width (no card cut off or scrolled sideways)
				const over = await fac.evaluate(() => { const r = document.querySelector("#teams"); return r.scrollWidth - r.clientWidth; });
				assert(over <= 1, `team cards overflow by ${over} px at ${w} px`);
				if (w === 390) {
					await soc.evaluate(() => window.scrollTo(0, 600));
					const top = await soc.evaluate(() => document.querySelector(".topbar").getBoundingClientRect().top);
					assert(top === 0, "the header stays at the top on a phone: " + top);
					await shot(soc, "team-390-scrolled");
					await soc.evaluate(() => window.scrollTo(0, 0));
				}
				for (const p of [soc, fac]) { await p.click("#lang-btn"); await p.waitForFunction(() => document.documentElement.lang === "ja", null, { timeout: T }); }
			}
			for (const p of [soc, fac]) { await p.setViewportSize({ width: 1366, height: 900 }); await p.click("#lang-btn"); }
		});

		await step("at the end the form locks with a translated message and the team's summary shows", async () => {
			await fac.click("#ctl-stop");
			await fac.click(".modal.confirm [data-value=stop]");
			await soc.waitForSelector("#clock[data-state=ended]", { timeout: T });
			assert(await soc.$eval("#act-form fieldset.form-box", (el) => el.disabled), "the form is disabled");
			await soc.waitForSelector("#end-summary:not([hidden]):has-text('Your team\\'s score: 12')", { timeout: T });
			await soc.click("#lang-btn");
			await soc.waitForSelector("#act-form .form-locked:has-text('演習は終了しました')", { timeout: T });
			await soc.waitForSelector("#end-summary:has-text('自チームの得点：12')", { timeout: T });
			await shot(soc, "team-ended-ja");
			await soc.click("#lang-btn");
			await shot(soc, "team-ended");
			await shot(fac, "facilitator-ended");
		});
		await ctx.close();
	} finally {
		await browser.close();
		if (srv) await stop(srv.proc);
		fs.rmSync(dir, { recursive: true, force: true });
	}
	await step("no console errors", () => assert(consoleErrors.length === 0, consoleErrors.slice(0, 5).join(" | ")));
}

const guard = setTimeout(() => { console.log("FAIL score_a11y (timed out after 300 s)"); process.exit(1); }, 300000);
try {
	await main();
} catch (e) {
	fail("score_a11y", e);
} finally {
	clearTimeout(guard);
	await stopAll();
}
process.exit(failures() ? 1 : 0);

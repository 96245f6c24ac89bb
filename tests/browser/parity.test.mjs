// parity: the live drill scores what the scripted drill scores. For every shipped drill, its good team's script
// (scenarios/NAME.good.jsonl) is entered through the team pages of a real `kyodo serve` in Chromium — each action
// by its team's page, in its one action form, at its sim time — while the facilitator page drives the clock (the
// fastest speed on offer, "Pause at" the next action's time, Start / Resume). At the end every expectation must
// be met or missed exactly as `kyodo run SCENARIO --actions GOOD --json` has it, with the same points, and every
// team's score and the joint score must be the same; each team page must show its own expectations the same way,
// and every form must have sent exactly the args of the script.
// Drills run PARITY_JOBS at a time (default 2, each in its own browser context); ONLY_DRILL=name runs one.
import fs from "node:fs";
import path from "node:path";
import { ROOT, T, step, assert, fail, failures, consoleErrors, tmpdir, serve, stop, launch, openPage, hms, seconds, enterAction, pool, runJson, stopAll } from "./page_lib.mjs";

const JOBS = Number(process.env.PARITY_JOBS || 2);
const SPEED = "10000";   // the facilitator's fastest speed (for dry runs): a 6-hour drill runs in 2 s of wall time

/* Canonical JSON (keys sorted) to compare the args a form sent with the script's. A list of one name is the name
   (a schema's "a name or a list of names": the world and the scoring treat them alike). */
function canon(v) {
	if (Array.isArray(v) && v.length === 1 && (v[0] === null || typeof v[0] !== "object")) return canon(v[0]);
	if (Array.isArray(v)) return "[" + v.map(canon).join(",") + "]";
	if (v && typeof v === "object") return "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + canon(v[k])).join(",") + "}";
	return JSON.stringify(v);
}

/* Holds the facilitator's clock at sim second s through its page: "Pause at" that time, Set, then Start or Resume,
   as the facilitator clicks them (in one round trip to the page), until the server's clock says it is held there. */
async function runTo(fac, s) {
	const now = await fac.evaluate(() => window.kyodo.state.clock.t_us);
	if (now === s * 1e6) return;
	if (now > s * 1e6) throw new Error(`the clock is at ${now / 1e6} s, past the action's ${s} s`);
	await fac.fill("#ctl-hold", hms(s));
	await fac.evaluate((us) => new Promise((resolve, reject) => {
		const c = window.kyodo.state.clock;
		const t0 = Date.now();
		let go = false;   // Start / Resume is clicked once: a second click arriving after the hold would run on past it
		document.querySelector("#ctl-hold-set").click();
		const tick = () => {
			if (!go && c.holdAt === us && !c.running) { go = true; document.querySelector(c.started ? "#ctl-resume" : "#ctl-start").click(); }
			if (!c.running && c.t_us === us && c.holdAt === null) return resolve();
			if (Date.now() - t0 > 30000) return reject(new Error("the clock did not hold at " + us / 1e6 + " s (at " + c.t_us / 1e6 + " s)"));
			setTimeout(tick, 20);
		};
		setTimeout(tick, 20);
	}), s * 1e6);
}

async function playDrill(browser, name) {
	const file = path.join(ROOT, "scenarios", name + ".lua");
	const script = fs.readFileSync(path.join(ROOT, "scenarios", name + ".good.jsonl"), "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
	const dir = tmpdir("parity-" + name);
	const t0 = Date.now();
	let srv = null, ctx = null;
	try {
		const refP = runJson(file, path.join(ROOT, "scenarios", name + ".good.jsonl"), dir);   // meanwhile, the live drill
		refP.catch(() => {});
		srv = await serve(file, dir);
		ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "en-US" });
		const teams = Object.keys(srv.teams);
		const opened = await Promise.all([openPage(ctx, srv.facilitator, name + "/facilitator")].concat(teams.map((team) => openPage(ctx, srv.teams[team], name + "/" + team))));
		const fac = opened[0];
		const pages = Object.fromEntries(teams.map((team, i) => [team, opened[i + 1]]));
		if (process.env.PARITY_DEBUG) console.log(`    ${name}: reference run, server and ${Object.keys(pages).length + 1} pages ready after ${Date.now() - t0} ms`);
		await fac.selectOption("#ctl-speed", SPEED);
		await fac.waitForFunction((x) => window.kyodo.state.clock.speed === Number(x), SPEED, { timeout: T, polling: 50 });
		let n = 0;
		const sentBad = [];
		for (const line of script) {
			const s = seconds(line.t);
			const tA = Date.now();
			await runTo(fac, s);
			const tB = Date.now();
			const page = pages[line.team];
			assert(page, `${name}: no page for team ${line.team}`);
			const a = await enterAction(page, line.kind, line.args, line.inject).catch((e) => { throw new Error(`${name} line ${n + 1} (${line.kind} by ${line.team} at ${line.t}): ${e.message}`); });
			if (process.env.PARITY_DEBUG) console.log(`    ${name} ${line.t} ${line.kind}: clock ${tB - tA} ms, form ${Date.now() - tB} ms`);
			if (canon(a.args) !== canon(line.args)) sentBad.push(`line ${n + 1}: sent ${canon(a.args)}, script ${canon(line.args)}`);
			if (a.t_us !== s * 1e6) sentBad.push(`line ${n + 1}: recorded at ${a.t_us / 1e6} s, script ${s} s`);
			n++;
		}
		assert(!sentBad.length, `${name}: the forms did not send the script: ${sentBad.slice(0, 3).join(" | ")}`);
		if (process.env.PARITY_DEBUG) console.log(`    ${name}: script entered after ${Date.now() - t0} ms`);
		// to the end
		await fac.fill("#ctl-hold", "");
		await fac.click("#ctl-hold-set");
		await fac.waitForFunction(() => window.kyodo.state.clock.holdAt === null, null, { timeout: T, polling: 50 });
		if ((await fac.getAttribute("#clock", "data-state")) !== "running") await fac.click("#ctl-resume");
		await fac.waitForSelector("#clock[data-state=ended]", { timeout: 120000, polling: 100 });
		const ref = await refP;
		await fac.waitForFunction((nt) => Object.values(window.kyodo.state.scores).filter((s) => Array.isArray(s.expectations) && s.expectations.every((e) => e.status === "met" || e.status === "missed" || e.status === "unfired")).length === nt,
			Object.keys(ref.teams).length, { timeout: T, polling: 50 });
		// the facilitator's view: every expectation, every team's score, the joint score
		const live = await fac.evaluate(() => ({ scores: window.kyodo.state.scores, joint: window.kyodo.state.joint }));
		const diffs = [];
		for (const e of ref.expectations) {
			const l = ((live.scores[e.team] || {}).expectations || []).find((x) => x.label === e.label);
			if (!l) { diffs.push(`${e.team}/${e.label}: not in the live drill`); continue; }
			if (l.status !== e.status || Math.abs((l.awarded || 0) - (e.awarded || 0)) > 0.005)
				diffs.push(`${e.team}/${e.label}: live ${l.status} ${l.awarded ?? ""}, run ${e.status} ${e.awarded ?? ""}`);
		}
		for (const [team, r] of Object.entries(ref.teams)) {
			const l = live.scores[team] || {};
			if (Math.abs((l.score ?? NaN) - r.score) > 0.005 || l.met !== r.met || l.missed !== r.missed)
				diffs.push(`${team}: live score ${l.score} (${l.met} met, ${l.missed} missed), run ${r.score} (${r.met} met, ${r.missed} missed)`);
		}
		if (Math.abs(live.joint - ref.joint) > 0.005) diffs.push(`joint: live ${live.joint}, run ${ref.joint}`);
		// each team's own page: the expectations it was given, met and missed as the run has them
		for (const [team, page] of Object.entries(pages)) {
			const mine = await page.evaluate(() => (window.kyodo.state.score || {}).expectations || []);
			for (const e of ref.expectations.filter((x) => x.team === team && x.status !== "unfired")) {
				const l = mine.find((x) => x.label === e.label);
				if (!l || l.status !== e.status) diffs.push(`${team}'s page: ${e.label} ${l ? l.status : "absent"}, run ${e.status}`);
			}
			const shown = await page.$$eval("#tab-score [data-exp-status=met]", (els) => els.length).catch(() => -1);
			const want = ref.expectations.filter((x) => x.team === team && x.status === "met").length;
			if (shown !== want) diffs.push(`${team}'s Score tab lists ${shown} met, run has ${want}`);
		}
		assert(!diffs.length, `${name}: ${diffs.length} difference(s): ${diffs.slice(0, 4).join(" | ")}`);
		console.log(`  ${name}: ${script.length} actions through the forms, ${ref.expectations.length} expectations, same as kyodo run (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
	} finally {
		if (ctx) await ctx.close().catch(() => {});
		if (srv) await stop(srv.proc);
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

async function main() {
	const drills = fs.readdirSync(path.join(ROOT, "scenarios")).filter((f) => f.endsWith(".good.jsonl")).map((f) => f.replace(".good.jsonl", ""))
		.filter((n) => fs.existsSync(path.join(ROOT, "scenarios", n + ".lua")) && (!process.env.ONLY_DRILL || n === process.env.ONLY_DRILL)).sort();
	if (!drills.length) { fail("parity", new Error("no scenarios/*.good.jsonl")); return; }
	const browser = await launch();
	const t0 = Date.now();
	try {
		await pool(drills, JOBS, (name) => step(`the good script of ${name}, entered through the team pages, meets what kyodo run meets`, () => playDrill(browser, name)));
	} finally {
		await browser.close();
	}
	console.log(`  ${drills.length} drills in ${((Date.now() - t0) / 1000).toFixed(1)} s (${JOBS} at a time)`);
	await step("no console errors on the parity pages", () => assert(consoleErrors.length === 0, consoleErrors.slice(0, 5).join(" | ")));
}

const guard = setTimeout(() => { console.log("FAIL parity (timed out after 720 s)"); process.exit(1); }, 720000);
try {
	await main();
} catch (e) {
	fail("parity", e);
} finally {
	clearTimeout(guard);
	await stopAll();
}
process.exit(failures() ? 1 : 0);

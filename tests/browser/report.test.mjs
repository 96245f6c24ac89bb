// report: `kyodo report` of every shipped drill (recorded with `kyodo run --db` and its good team script; one with
// the poor script too), in English and Japanese, opened in Debian's headless Chromium: no console error and no
// request; its numbers equal what this test computes from the journal with SQL (scores, counts, response times,
// P/S/M/U ratings by the documented rule, timeline rows); the PDF print keeps every figure on one page (checked on
// the PDF's text, and shown to catch a figure that does split); the STIX bundle passes the checks of the
// specification's required properties written here (id form, spec_version, RFC 3339 times, references that
// resolve, TLP 2.0 marking definitions, patterning) and is the same twice. Saves a screenshot of a report.
// Prints PASS/FAIL lines; exits non-zero on any failure.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { run, assert, assertEq, tmpdir, failures, ROOT, KYODO } from "./ws_lib.mjs";

const ART = path.join(ROOT, process.env.BUILD || "build", "artifacts");
const dir = tmpdir("report");
const DRILLS = fs.readdirSync(path.join(ROOT, "scenarios")).filter((f) => f.endsWith(".lua")).map((f) => f.slice(0, -4)).sort();

function q(db, sqlText) { return JSON.parse(execFileSync("sqlite3", ["-json", db, sqlText], { encoding: "utf8" }) || "[]"); }
function kyodo(args) { return execFileSync(KYODO, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: Object.assign({}, process.env, { TZ: "Asia/Tokyo" }) }); }
const near = (a, b) => Math.abs(Number(a) - Number(b)) < 1e-6;

// The capability each action kind evidences when the scenario names no objective (docs/reports.md).
const CAPABILITY = {
	en: { triage: "Detection and triage", block_indicator: "Containment", isolate_service: "Containment",
		revoke_certificate: "Containment", disable_feature: "Containment", ota_campaign: "Remediation", restore_service: "Recovery",
		assess: "Impact assessment", share: "Information sharing", notify: "Notification", report: "Reporting",
		pause_ota_campaign: "Containment", resume_ota_campaign: "Recovery", contact: "Coordination with outside parties",
		rotate_credential: "Containment", recall: "Remediation", customer_advisory: "Notification" },
	ja: { triage: "検知とトリアージ", block_indicator: "封じ込め", isolate_service: "封じ込め", revoke_certificate: "封じ込め",
		disable_feature: "封じ込め", ota_campaign: "修復", restore_service: "復旧", assess: "影響評価", share: "情報共有",
		notify: "通知", report: "報告", pause_ota_campaign: "封じ込め", resume_ota_campaign: "復旧", contact: "外部機関との連携",
		rotate_credential: "封じ込め", recall: "修復", customer_advisory: "通知" },
};

// The rating rule of docs/reports.md, written again here from the journal's summary and plan.
function expectedRatings(db, lang) {
	const summary = JSON.parse(q(db, "SELECT value FROM meta WHERE key = 'summary'")[0].value);
	const plan = JSON.parse(q(db, "SELECT value FROM meta WHERE key = 'plan'")[0].value);
	const seen = {}, out = {};
	for (const e of summary.expectations) {
		const k = seen[e.inject] = (seen[e.inject] ?? -1) + 1;
		const pe = (plan.find((p) => p.id === e.inject) || { expects: [] }).expects[k] || {};
		const obj = pe.objective && pe.action === e.kind ? pe.objective : CAPABILITY[lang][e.kind];
		if (e.status === "unfired") continue;
		const key = e.team + "\u0001" + obj;
		const r = out[key] = out[key] || { earned: 0, possible: 0, all: true };
		r.earned += e.awarded || 0;
		r.possible += e.points;
		if (!(e.status === "met" && e.met_us - e.opened_us <= e.within_us)) r.all = false;
	}
	for (const r of Object.values(out)) {
		const f = r.earned / r.possible;
		r.rating = r.all && f >= 1 - 1e-9 ? "P" : f >= 2 / 3 - 1e-9 ? "S" : f > 1e-9 ? "M" : "U";
	}
	return out;
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
const ctx = await browser.newContext({ viewport: { width: 1100, height: 1400 } });
const page = await ctx.newPage();
let consoleErrors = [], requests = [];
page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
page.on("pageerror", (e) => consoleErrors.push(e.message));
page.on("request", (r) => requests.push(r.url()));

async function open(html) {
	consoleErrors = [];
	requests = [];
	const url = "file://" + html;
	await page.goto(url);
	await page.waitForLoadState("load");
	assertEq(consoleErrors, [], "console errors of " + path.basename(html));
	assertEq(requests.filter((u) => u !== url), [], "requests other than the file itself");
	const refs = await page.$$eval("[src], link[href], [href]", (els) => els.map((e) => e.getAttribute("src") || e.getAttribute("href")));
	assert(refs.every((r) => r.startsWith("#")), "only in-page links: " + refs.filter((r) => !r.startsWith("#")).join(" "));
	return page;
}

const values = (sel) => page.$$eval(sel, (els) => els.map((e) => Object.assign({}, e.dataset)));

/* Compares the report on the page with the journal. */
async function checkNumbers(db, label, lang) {
	const teams = q(db, "SELECT json_extract(t.value, '$.id') AS id FROM meta, json_each(meta.value, '$.teams') AS t WHERE meta.key = 'exercise'").map((r) => r.id);
	const score = Object.fromEntries(q(db, "SELECT team, score FROM scores s WHERE id = (SELECT max(id) FROM scores WHERE team = s.team)").map((r) => [r.team, r.score]));
	const acts = Object.fromEntries(q(db, "SELECT team, count(*) AS n FROM actions GROUP BY team").map((r) => [r.team, r.n]));
	const shares = Object.fromEntries(q(db, "SELECT from_team AS team, count(*) AS n FROM messages WHERE json_extract(msg, '$.notify') IS NULL GROUP BY from_team").map((r) => [r.team, r.n]));
	const refused = Object.fromEntries(q(db, "SELECT team, count(*) AS n FROM actions WHERE json_type(result, '$.error') = 'text' GROUP BY team").map((r) => [r.team, r.n]));
	const exp = q(db, "SELECT json_extract(e.value, '$.team') AS team, json_extract(e.value, '$.label') AS label, json_extract(e.value, '$.status') AS status," +
		" (json_extract(e.value, '$.met_us') - json_extract(e.value, '$.opened_us')) / 1e6 AS resp, json_extract(e.value, '$.within_us') / 1e6 AS win" +
		" FROM meta, json_each(meta.value, '$.expectations') AS e WHERE meta.key = 'summary'");
	const cells = await values("[data-k^='team.']");
	const cell = (k, team) => cells.find((c) => c.k === k && c.team === team);
	for (const t of teams) {
		const st = (s) => exp.filter((e) => e.team === t && e.status === s).length;
		const want = { "team.score": score[t] ?? 0, "team.actions": acts[t] ?? 0, "team.shares": shares[t] ?? 0, "team.refused": refused[t] ?? 0,
			"team.met": st("met"), "team.missed": st("missed"), "team.unfired": st("unfired"),
			"team.late": exp.filter((e) => e.team === t && e.status === "met" && e.resp > e.win).length };
		for (const [k, v] of Object.entries(want)) {
			const c = cell(k, t);
			assert(c, `${label}: no ${k} for ${t}`);
			assert(near(c.v, v), `${label}: ${k} of ${t}: report ${c.v}, journal ${v}`);
		}
	}
	// every expectation's outcome and response time
	const rows = await values("tr[data-k=exp]");
	assertEq(rows.length, exp.length, label + ": expectation rows");
	for (const e of exp) {
		const r = rows.find((x) => x.team === e.team && x.label === e.label);
		assert(r, `${label}: no row for ${e.team} ${e.label}`);
		assertEq(r.status, e.status, `${label}: status of ${e.label}`);
		if (e.status === "met") assert(near(r.responseS, e.resp), `${label}: response of ${e.label}: report ${r.responseS}, journal ${e.resp}`);
		else assert(r.responseS === undefined, `${label}: ${e.label} has no response time`);
	}
	// counts
	const one = (s) => q(db, s)[0].n;
	const counts = { "count.injects_sent": one("SELECT count(*) AS n FROM injects"), "count.actions": one("SELECT count(*) AS n FROM actions"),
		"count.shares": one("SELECT count(*) AS n FROM messages WHERE json_extract(msg, '$.notify') IS NULL"), "count.grades": one("SELECT count(DISTINCT seq) AS n FROM grades"),
		"count.scenario_errors": one("SELECT count(*) AS n FROM events WHERE kind = 'scenario.error'"),
		"count.met": exp.filter((e) => e.status === "met").length, "count.missed": exp.filter((e) => e.status === "missed").length,
		"count.refused": one("SELECT count(*) AS n FROM actions WHERE json_type(result, '$.error') = 'text'") };
	const kv = await values("[data-k^='count.']");
	for (const [k, v] of Object.entries(counts)) {
		const c = kv.find((x) => x.k === k);
		assert(c && near(c.v, v), `${label}: ${k}: report ${c && c.v}, journal ${v}`);
	}
	// P/S/M/U per team and objective
	const want = expectedRatings(db, lang), got = await values("tr[data-k=rating]");
	assertEq(got.length, Object.keys(want).length, label + ": rating rows");
	for (const g of got) {
		const w = want[g.team + "\u0001" + g.objective];
		assert(w && w.rating === g.rating, `${label}: ${g.team} / ${g.objective}: report ${g.rating}, rule ${w && w.rating}`);
	}
	// the timeline: a row per inject sent, attack step, action and grade
	const tl = await values("tr[data-k=tl]");
	const nCat = (c) => tl.filter((r) => r.cat === c).length;
	assertEq(nCat("inject"), counts["count.injects_sent"], label + ": inject rows");
	assertEq(nCat("attack"), one("SELECT count(*) AS n FROM events WHERE kind LIKE 'attack.%'"), label + ": attack rows");
	assertEq(nCat("action") + nCat("share"), counts["count.actions"], label + ": action rows");
	assertEq(nCat("grade"), one("SELECT count(*) AS n FROM grades"), label + ": grade rows");
	// the impact figures are said to be missing (or given)
	const imp = q(db, "SELECT json_extract(value, '$.impact.averted') AS a FROM meta WHERE key = 'summary'")[0].a;
	const ik = await values("[data-k^='impact']");
	if (imp === null || imp === undefined) assert(ik.some((x) => x.k === "impact" && x.v === "not computed"), label + ": impact not computed");
	else assert(ik.some((x) => x.k === "impact.averted" && near(x.v, imp)), label + ": impact averted");
}

/* Each figure's caption and source line on one PDF page (pdftotext, page by page). Returns the figures split. */
function splitFigures(pdf, lang) {
	const info = execFileSync("pdfinfo", [pdf], { encoding: "utf8" });
	const nPages = Number(info.match(/Pages:\s+(\d+)/)[1]);
	const pages = [];
	for (let i = 1; i <= nPages; i++) pages.push(execFileSync("pdftotext", ["-f", String(i), "-l", String(i), "-layout", pdf, "-"], { encoding: "utf8" }).replace(/\s+/g, " "));
	const split = [];
	let nFig = 0;
	for (let n = 1; n < 50; n++) {
		const cap = lang === "ja" ? `図${n}.` : `Figure ${n}.`, src = lang === "ja" ? `図${n}の出典` : `Figure ${n} source`;
		const pc = pages.findIndex((p) => p.includes(cap)), ps = pages.findIndex((p) => p.includes(src));
		if (pc < 0 && ps < 0) break;
		nFig++;
		if (pc !== ps) split.push(`figure ${n}: caption on page ${pc + 1}, source on page ${ps + 1}`);
	}
	return { split, nFig, nPages };
}

/* The STIX 2.1 rules this test checks (spec §3 common properties, §4/§5 types used, §7.2 markings, §9 patterning). */
function checkStix(bundle, db) {
	const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
	const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
	assertEq(bundle.type, "bundle", "bundle type");
	assert(new RegExp(`^bundle--${UUID}$`).test(bundle.id), "bundle id " + bundle.id);
	assert(Array.isArray(bundle.objects) && bundle.objects.length > 0, "bundle objects");
	const byId = new Map();
	for (const o of bundle.objects) {
		assert(!byId.has(o.id), "unique id " + o.id);
		byId.set(o.id, o);
	}
	const REQUIRED = { identity: ["name"], "attack-pattern": ["name"], indicator: ["pattern", "pattern_type", "valid_from"],
		malware: ["is_family"], tool: ["name"], campaign: ["name"], note: ["content", "object_refs"], sighting: ["sighting_of_ref"],
		relationship: ["relationship_type", "source_ref", "target_ref"], report: ["name", "published", "object_refs"], "marking-definition": [] };
	const PATTERN = /^\[(?:(?:ipv4-addr|ipv6-addr|domain-name|url|email-addr):value|file:hashes\.(?:MD5|'SHA-1'|'SHA-256'|'SHA-512')) = '(?:[^'\\]|\\['\\])*'\]$/;
	const TLP = { "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "clear", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "green",
		"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "amber", "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "amber+strict" };
	for (const o of bundle.objects) {
		assert(REQUIRED[o.type], "a type this test knows: " + o.type);
		assert(new RegExp(`^${o.type}--${UUID}$`).test(o.id), "id form " + o.id);
		assertEq(o.spec_version, "2.1", "spec_version of " + o.id);
		assert(TS.test(o.created), "created of " + o.id + ": " + o.created);
		if (o.type !== "marking-definition") {
			assert(TS.test(o.modified) && o.modified >= o.created, "modified of " + o.id);
			assert(Array.isArray(o.object_marking_refs) && o.object_marking_refs.length === 1 && TLP[o.object_marking_refs[0]], "a TLP 2.0 marking on " + o.id);
		}
		for (const p of REQUIRED[o.type]) assert(o[p] !== undefined, `${o.id}: required ${p}`);
		if (o.type === "marking-definition") {
			const ext = o.extensions && o.extensions["extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"];
			assert(ext && ext.extension_type === "property-extension" && TLP[o.id] === ext.tlp_2_0, "TLP 2.0 definition " + o.id);
			assertEq(o.name, "TLP:" + ext.tlp_2_0.toUpperCase(), "TLP name");
		}
		if (o.type === "indicator") {
			assert(PATTERN.test(o.pattern), "pattern " + o.pattern);
			assertEq([o.pattern_type, o.pattern_version], ["stix", "2.1"], "pattern type");
			assert(TS.test(o.valid_from), "valid_from");
		}
		if (o.type === "malware" && o.is_family) assert(o.name, "a malware family has a name");
		if (o.type === "sighting") assert(TS.test(o.first_seen) && TS.test(o.last_seen) && o.first_seen <= o.last_seen && o.count >= 1, "sighting times");
		if (o.type === "report") assert(TS.test(o.published) && o.object_refs.length > 0, "report");
		if (o.type === "note") assert(o.object_refs.length > 0, "note refs");
		// every reference resolves inside the bundle
		for (const [k, v] of Object.entries(o)) {
			if (k.endsWith("_ref")) assert(byId.has(v), `${o.id}.${k} -> ${v} resolves`);
			if (k.endsWith("_refs")) for (const x of v) assert(byId.has(x), `${o.id}.${k} -> ${x} resolves`);
		}
		assert(!(o.object_marking_refs || []).includes("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"), "nothing marked TLP:RED");
	}
	// each share that is not TLP:RED is a note marked with its TLP; none of the red ones
	const msgs = q(db, "SELECT json_extract(msg, '$.tlp') AS tlp, json_extract(msg, '$.text') AS text FROM messages WHERE json_extract(msg, '$.notify') IS NULL");
	const notes = bundle.objects.filter((o) => o.type === "note");
	assertEq(notes.length, msgs.filter((m) => m.tlp !== "red").length, "a note per share that is not red");
	for (const m of msgs) {
		const n = notes.find((x) => x.content === m.text);
		if (m.tlp === "red") assert(!n, "a red share is not exported");
		else assert(n && TLP[n.object_marking_refs[0]] === (m.tlp === "white" ? "clear" : m.tlp || "clear"), "the note's TLP: " + m.text);
	}
	// an attack pattern per technique, with its ATM / ATT&CK id
	const tech = JSON.parse(q(db, "SELECT value FROM meta WHERE key = 'exercise'")[0].value).techniques || [];
	for (const t of tech) {
		assert(bundle.objects.some((o) => o.type === "attack-pattern" && o.external_references.some((r) => r.external_id === t &&
			(t.startsWith("ATM-") ? r.source_name === "auto-isac-atm" : r.source_name === "mitre-attack"))), "attack-pattern " + t);
	}
}

const cases = [];
for (const name of DRILLS) {
	const scripts = name === "tcu-remote" ? ["good", "poor"] : ["good"];
	for (const script of scripts) {
		const tag = `${name}.${script}`, db = path.join(dir, tag + ".db");
		cases.push([`${tag}: the report opens in Chromium with no console error and no request, its numbers are the journal's`, async () => {
			kyodo(["run", path.join(ROOT, "scenarios", name + ".lua"), "--db", db, "--actions", path.join(ROOT, "scenarios", `${name}.${script}.jsonl`)]);
			kyodo(["report", db, "--out", path.join(dir, tag + ".en.html"), "--stix", path.join(dir, tag + ".json")]);
			await open(path.join(dir, tag + ".en.html"));
			await checkNumbers(db, tag + " en", "en");
		}]);
		cases.push([`${tag}: the Japanese report completes, in Japanese, with the same numbers`, async () => {
			kyodo(["report", db, "--lang", "ja", "--out", path.join(dir, tag + ".ja.html")]);
			const html = fs.readFileSync(path.join(dir, tag + ".ja.html"), "utf8");
			assert(html.includes('<html lang="ja">') && html.includes("エグゼクティブサマリー") && html.includes("改善計画"), "Japanese headings");
			assert(!/>(sec|col|fig|kpi|hw|obj|fix|find|tl)\.[a-z_]+</.test(html), "no catalogue key shows");
			await open(path.join(dir, tag + ".ja.html"));
			await checkNumbers(db, tag + " ja", "ja");
		}]);
		cases.push([`${tag}: the STIX bundle passes the specification checks and is the same twice`, async () => {
			const first = fs.readFileSync(path.join(dir, tag + ".json"), "utf8");
			kyodo(["report", db, "--no-html", "--stix", path.join(dir, tag + ".again.json")]);
			assert(first === fs.readFileSync(path.join(dir, tag + ".again.json"), "utf8"), "two exports of one journal are identical");
			checkStix(JSON.parse(first), db);
		}]);
	}
}
cases.push(["the PDF print keeps every figure on one page, in English and Japanese", async () => {
	for (const lang of ["en", "ja"]) {
		await open(path.join(dir, `tcu-remote.poor.${lang}.html`));
		const pdf = path.join(dir, `aar.${lang}.pdf`);
		await page.pdf({ path: pdf, format: "A4", printBackground: true });
		const r = splitFigures(pdf, lang);
		assert(r.nFig >= 3, `${lang}: figures found in the PDF: ${r.nFig}`);
		assertEq(r.split, [], `${lang}: figures cut across pages (${r.nPages} pages)`);
	}
}]);
cases.push(["the PDF check does catch a figure cut across pages", async () => {
	await open(path.join(dir, "tcu-remote.poor.en.html"));
	await page.addStyleTag({ content: "figure.fig{break-inside:auto!important;page-break-inside:auto!important} #fig-fleet svg{height:330mm!important}" });
	const pdf = path.join(dir, "cut.pdf");
	await page.pdf({ path: pdf, format: "A4", printBackground: true });
	const r = splitFigures(pdf, "en");
	assert(r.split.some((s) => s.startsWith("figure 1:")), "the too-tall figure 1 is reported as cut: " + JSON.stringify(r.split));
}]);
cases.push(["a screenshot of the report for docs/reports.md", async () => {
	await open(path.join(dir, "tcu-remote.poor.en.html"));
	fs.mkdirSync(ART, { recursive: true });
	await page.screenshot({ path: path.join(ART, "report-aar.png"), fullPage: false });
	await page.locator("#summary").screenshot({ path: path.join(ART, "report-summary.png") });
	await page.locator("#fig-response-1").screenshot({ path: path.join(ART, "report-response.png") });
	await open(path.join(dir, "tcu-remote.poor.ja.html"));
	await page.locator("#teams .team").first().screenshot({ path: path.join(ART, "report-team-ja.png") });
}]);

try {
	await run(cases);
} finally {
	await browser.close();
	fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(failures() ? 1 : 0);

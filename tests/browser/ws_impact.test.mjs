// kyodo serve's impact figures (docs/protocol.md `impact`) and inject attachments against real websocket clients:
// the facilitator gets "harm averted so far" against the baseline computed at start, then the final figures with
// each team's share once the drill ends; a team never gets them; the inject carries its attachments; the journal's
// summary holds the same final figures, which equal `kyodo run --json` of the same inputs.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Client, KYODO, ROOT, assert, assertEq, failures, run, sleep, sql, startServer, stopServer, tmpdir } from "./ws_lib.mjs";

const dir = tmpdir("impact");
const db = path.join(dir, "breach.db");
// the fixture drill of tests/sh/test_impact.sh, with its attachment file beside it
for (const f of ["breach.lua", "breach.advisory.txt"]) fs.copyFileSync(path.join(ROOT, "tests/data/impact", f), path.join(dir, f));
const scenario = path.join(dir, "breach.lua");
let srv, fac, vsoc;

await run([
	["facilitator_gets_harm_averted_so_far_against_the_baseline", async () => {
		// 2 h of sim time at 720x: 10 s of wall time
		srv = await startServer(scenario, ["--db", db, "--speed", "720", "--autostart", "--tick", "20"]);
		fac = await Client.open(srv.ws);
		await fac.hello(srv.tokens.facilitator);
		vsoc = await Client.open(srv.ws);
		await vsoc.hello(srv.tokens.vsoc);
		const live = await fac.next((m) => m.type === "impact" && m.baseline > 0 && m.t_us > 0, { timeoutMs: 20000, what: "a live impact message" });
		assertEq(live.final, false, "live message");
		assert(typeof live.harm === "number" && Math.abs(live.averted - (live.baseline - live.harm) / live.baseline) < 1e-9, `formula: ${JSON.stringify(live)}`);
	}],
	["an_inject_carries_its_attachments", async () => {
		const inj = await vsoc.next((m) => m.type === "inject" && m.id === "B1", { timeoutMs: 20000 });
		assertEq(inj.attachments.map((a) => [a.name, a.type]), [["ids.log", "text/plain"], ["advisory.txt", "text/plain"], ["gateway.json", "application/json"]], "attachments");
		assert(inj.attachments[1].text.includes("SA-2025-07") && inj.attachments[1].bytes === inj.attachments[1].text.length, `file attachment: ${JSON.stringify(inj.attachments[1])}`);
	}],
	["the_good_response_averts_harm_and_the_final_figures_name_each_team", async () => {
		const acts = fs.readFileSync(path.join(ROOT, "tests/data/impact/breach.good.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
		const teams = {};
		for (const [i, a] of acts.entries()) {
			if (!teams[a.team]) { teams[a.team] = await Client.open(srv.ws); await teams[a.team].hello(srv.tokens[a.team]); }
			const c = teams[a.team], n = c.msgs.length;
			c.send({ type: "action", id: `g${i}`, kind: a.kind, args: a.args });
			await c.next((m) => m.type === "ack" && m.id === `g${i}`, { from: n });
		}
		const fin = await fac.next((m) => m.type === "impact" && m.final === true, { timeoutMs: 60000, what: "the final impact message" });
		assert(fin.averted > 0 && fin.baseline > fin.harm, `final: ${JSON.stringify(fin)}`);
		assert(fin.teams && fin.teams.vsoc && fin.teams.vsoc.averted > 0, `vsoc's share: ${JSON.stringify(fin.teams)}`);
		assertEq(Object.keys(fin.teams).sort(), ["legal_pr", "oem_psirt", "vsoc"], "teams");
		assert(!vsoc.msgs.some((m) => m.type === "impact"), "a team got an impact message");
		for (const c of Object.values(teams)) c.close();
		// a facilitator joining after the end gets the final figures in the welcome's backlog
		const late = await Client.open(srv.ws);
		await late.hello(srv.tokens.facilitator);
		const f2 = await late.next((m) => m.type === "impact" && m.final === true);
		assertEq(f2.averted, fin.averted, "welcome's impact");
		late.close();
		globalThis.fin = fin;
	}],
	["the_journal_keeps_the_final_figures_and_they_equal_kyodo_run", async () => {
		const r = await stopServer(srv, "SIGTERM");
		assertEq(r.code, 0, `exit (stderr: ${srv.stderr.slice(-400)})`);
		const sum = JSON.parse(sql(db, "select value from meta where key='summary'"));
		assertEq(sum.impact.averted, globalThis.fin.averted, "journal summary impact");
		// the same inputs, at the sim times the server applied them, through kyodo run
		const rows = sql(db, "select t_us || '|' || team || '|' || kind || '|' || args from actions order by seq").split("\n");
		const file = path.join(dir, "played.jsonl");
		fs.writeFileSync(file, rows.map((l) => { const [t, team, kind, args] = l.split("|"); return JSON.stringify({ t: Number(t) / 1e6, team, kind, args: JSON.parse(args) }); }).join("\n") + "\n");
		const out = JSON.parse(execFileSync(KYODO, ["run", scenario, "--actions", file, "--json"], { encoding: "utf8" }));
		assertEq([out.impact.harm, out.impact.baseline, out.impact.averted], [sum.impact.harm, sum.impact.baseline, sum.impact.averted], "kyodo run of the same inputs");
		assertEq(out.state_hash, sum.state_hash, "state hash");
	}],
]);
process.exit(failures() ? 1 : 0);

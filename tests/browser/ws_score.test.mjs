// ws_score: the protocol side of "every participant sees why" (docs/protocol.md): control hold_at pauses the clock
// exactly at a sim time; score_change messages carry each change's reasons (met with its label and possible points,
// a penalty with its reason, a missed window, a scenario adjustment) to the team and the facilitator, and come back
// in a welcome (on the action's record as `effects`, the others in the backlog); a team's score messages list its
// expectations without the answer key while a window is open; catalog.action_kinds says which kinds to confirm;
// a server resumed from its journal (--resume) gives the same reasons back.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { startServer, stopServer, Client, tmpdir, run, assert, assertEq, failures, sql, KYODO } from "./ws_lib.mjs";

const SCENARIO = `
scenario { id = "ws-score", title = "Score reasons over the wire", duration = "2h", seed = 9 }
teams { { id = "soc", name = "Vehicle SOC" }, { id = "legal", name = "Legal" } }
fleet { { model = "Sedan-A", count = 500, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
-- the C2 the inject names is one an attack uses: a block of it is effective (an expectation on a world-changing kind
-- is met only by an effective action, CONTRACT §2)
at("00:00:30", function() attack.compromise { select = { ecu = "tcu" }, fraction = 0.01, c2 = "203.0.113.7" } end)
penalty { action = "isolate_service", args = { name = "telematics" }, points = 10, reason = "took telematics down" }
inject { id = "I1", at = "00:01:00", to = { "soc" }, title = "Beacons", body = "203.0.113.7",
         expects = { { action = "block_indicator", args = { value = "203.0.113.7" }, within = "30m", points = 20, label = "Block the C2" },
                     { action = "assess", within = "5m", points = 5, label = "Size it" } } }
on("action", function(a) if a.kind == "report" then score.add { team = a.team, points = -2, reason = "wrong address" } end end)
`;

const dir = tmpdir("wsscore");
const file = path.join(dir, "ws-score.lua");
fs.writeFileSync(file, SCENARIO);
let srv = await startServer(file, ["--db", path.join(dir, "j.db")]);
const fac = await Client.open(srv.ws);
const soc = await Client.open(srv.ws);
let n = 0;
const srv0Tokens = srv.tokens;   // a resumed server keeps the first start's tokens

async function holdAt(s) {
	const from = fac.msgs.length;
	fac.send({ type: "control", cmd: "hold_at", value: s });
	await fac.next((m) => m.type === "clock" && m.hold_at_us === s * 1e6, { from, what: "hold_at_us " + s });
	fac.send({ type: "control", cmd: fac.msgs.some((m) => m.type === "clock" && m.started) ? "resume" : "start" });
	return fac.next((m) => m.type === "clock" && !m.running && m.t_us === s * 1e6 && m.hold_at_us === undefined, { from, what: "held at " + s });
}

async function act(kind, args) {
	const id = "a" + (++n), from = soc.msgs.length;
	soc.send({ type: "action", id, kind, args });
	const ack = await soc.next((m) => (m.type === "ack" || m.type === "error") && m.id === id, { from, what: "answer to " + id });
	assertEq(ack.type, "ack", kind + " answered");
	return { seq: ack.seq, from };
}

await run([
	["the welcome's catalog lists the kinds with their confirm flags", async () => {
		const w = await fac.hello(srv.tokens.facilitator);
		await soc.hello(srv.tokens.soc);
		const kinds = w.exercise.catalog.action_kinds;
		assert(Array.isArray(kinds) && kinds.length === Object.keys(w.exercise.catalog.actions).length, "one entry per schema");
		assertEq(kinds.filter((k) => k.confirm).map((k) => k.kind).sort(), ["disable_feature", "isolate_service", "ota_campaign", "recall", "revoke_certificate",
			"rotate_credential"], "confirm");
	}],
	["hold_at pauses the clock exactly at the sim time, at any speed", async () => {
		fac.send({ type: "control", cmd: "speed", value: 5000 });
		const c = await holdAt(120);
		assertEq([c.t_us, c.running, c.started], [120e6, false, true], "held");
		const w = await Client.open(srv.ws);
		const wm = await w.hello(srv.tokens.soc);
		assertEq(wm.clock.t_us, 120e6, "a welcome's clock");
		w.close();
	}],
	["a team's open window has no answer key; the facilitator's copy has it", async () => {
		const mine = soc.msgs.filter((m) => m.type === "score" && Array.isArray(m.expectations)).pop();
		const open = mine.expectations.filter((e) => e.status === "pending");
		assertEq(open.length, 2, "two open windows");
		for (const e of open) assert(e.label === undefined && e.kind === undefined && e.args === undefined && e.inject === "I1" && e.opened_us === 60e6, "stripped: " + JSON.stringify(e));
		const theirs = fac.msgs.filter((m) => m.type === "score" && m.team === "soc" && Array.isArray(m.expectations)).pop();
		assertEq(theirs.expectations.map((e) => e.label), ["Block the C2", "Size it"], "labels for the facilitator");
	}],
	["a met expectation and a penalty arrive as score_change with their reasons, before the new score", async () => {
		const b = await act("block_indicator", { value: "203.0.113.7" });
		const sc = await soc.next((m) => m.type === "score_change" && m.seq === b.seq, { from: b.from });
		assertEq(sc.effects, [{ type: "met", expectation: "Block the C2", inject: "I1", points: 20, possible: 20 }], "met");
		const i = soc.msgs.indexOf(sc);
		assert(soc.msgs.slice(i).some((m) => m.type === "score" && m.score === 20), "then the score");
		await fac.next((m) => m.type === "score_change" && m.team === "soc" && m.seq === b.seq);
		const p = await act("isolate_service", { name: "telematics" });
		const sp = await soc.next((m) => m.type === "score_change" && m.seq === p.seq, { from: p.from });
		assertEq(sp.effects, [{ type: "penalty", reason: "took telematics down", points: -10 }], "penalty");
	}],
	["a missed window and a scenario adjustment arrive without a seq", async () => {
		const from = soc.msgs.length;
		await holdAt(12 * 60);
		const ms = await soc.next((m) => m.type === "score_change" && m.effects[0].type === "missed", { from });
		assertEq([ms.seq, ms.effects[0].expectation, ms.effects[0].possible, ms.t_us], [undefined, "Size it", 5, 660e6], "missed at 00:11");
		const r = await act("report", { text: "sitrep" });
		const adj = await soc.next((m) => m.type === "score_change" && m.effects[0].type === "adjust", { from: r.from });
		assertEq([adj.seq, adj.effects[0].points, adj.effects[0].reason], [undefined, -2, "wrong address"], "adjust");
	}],
	["a welcome gives every reason back: effects on the action records, the rest in the backlog", async () => {
		const w = await Client.open(srv.ws);
		await w.hello(srv.tokens.soc);
		await w.next((m) => m.type === "fleet_history" || m.type === "fleet", { what: "the end of the backlog" });
		const recs = w.msgs.filter((m) => m.type === "action");
		assertEq(recs.find((m) => m.kind === "block_indicator").effects[0].expectation, "Block the C2", "met on its record");
		assertEq(recs.find((m) => m.kind === "isolate_service").effects[0].reason, "took telematics down", "penalty on its record");
		const log = w.msgs.filter((m) => m.type === "score_change").map((m) => m.effects[0].type);
		assertEq(log, ["missed", "adjust"], "the score log");
		const sc = w.msgs.filter((m) => m.type === "score").pop();
		assertEq(sc.expectations.map((e) => [e.label, e.status]), [["Block the C2", "met"], ["Size it", "missed"]], "closed windows are named");
		w.close();
	}],
]);

for (const c of [fac, soc]) c.close();
await stopServer(srv);

await run([
	["the facilitator's clock controls are journaled at their sim times, and the replay's timeline shows them", async () => {
		const rows = sql(path.join(dir, "j.db"), "SELECT t_us, json_extract(detail, '$.cmd'), json_extract(detail, '$.running'), " +
			"coalesce(json_extract(detail, '$.hold_at_us'), '') FROM events WHERE kind = 'facilitator.control' ORDER BY id")
			.split("\n").map((l) => l.split("|"));
		assertEq(rows.map((r) => r.join(" ")), ["0 speed 0 ", "0 hold_at 0 120000000", "0 start 1 120000000", "120000000 held 0 ",
			"120000000 hold_at 0 720000000", "120000000 resume 1 720000000", "720000000 held 0 "], "controls");
		const out = execFileSync(KYODO, ["replay", path.join(dir, "j.db"), "--headless", "--at", "00:12:00", "--out", path.join(dir, "f.png")],
			{ encoding: "utf8", env: { ...process.env, SDL_VIDEODRIVER: "dummy" } });
		const marks = JSON.parse(out.trim().split("\n").pop()).markers.filter((m) => m.lane === "facilitator").map((m) => m.t_us);
		assertEq(marks, [0, 0, 0, 120e6, 120e6, 120e6, 720e6], "markers on the facilitator's lane");
	}],
	["a server resumed from its journal gives every reason back", async () => {
		srv = await startServer(file, ["--db", path.join(dir, "j.db"), "--resume"]);
		const w = await Client.open(srv.ws);
		const wm = await w.hello(srv0Tokens.soc);
		assertEq(wm.clock.t_us, 720e6, "held where it was");
		await w.next((m) => m.type === "fleet_history" || m.type === "fleet", { what: "the end of the backlog" });
		const recs = w.msgs.filter((m) => m.type === "action");
		assertEq(recs.find((m) => m.kind === "isolate_service").effects[0].reason, "took telematics down", "penalty on its record");
		assertEq(w.msgs.filter((m) => m.type === "score_change").map((m) => m.effects[0].type), ["missed", "adjust"], "the score log");
		assertEq(w.msgs.filter((m) => m.type === "score").pop().score, 20 - 10 - 2, "the score");
		w.close();
		await stopServer(srv);
	}],
]);
fs.rmSync(dir, { recursive: true, force: true });
process.exit(failures() ? 1 : 0);

// kyodo serve, a burst of actions (real Node `ws` clients on 127.0.0.1): several laptops of two teams send one
// action each at the same instant. Each sender gets its ack before its own action record (the ack goes out once
// the group commit is durable, ahead of the group's fan-out), every laptop of a team gets every record of its team
// (and none of the other team's), and the acks' seqs are the journal's.
import fs from "node:fs";
import path from "node:path";
import { Client, assert, assertEq, failures, run, sql, startServer, stopServer, tmpdir } from "./ws_lib.mjs";

const dir = tmpdir("wsburst");
const scenario = path.join(dir, "drill.lua");
const db = path.join(dir, "drill.db");
fs.writeFileSync(scenario, `
scenario { id = "ws-burst", title = "Burst drill", duration = "2h", seed = 5, description = "two teams act at once" }
teams { { id = "red", name = "Red team" }, { id = "blue", name = "Blue team" } }
fleet { { model = "Sedan-A", count = 100, region = "JP-Kanto", ecus = { tcu = "2.3.1", gw = "1.4.0" } } }
inject { id = "I1", at = "00:00:30", to = { "all" }, severity = "high", title = "Go", body = "act" }
`);

const PER_TEAM = 5, ROUNDS = 4;
let srv, fac;
const laptops = { red: [], blue: [] };

await run([
	["laptops_of_two_teams_join_and_the_drill_starts", async () => {
		srv = await startServer(scenario, ["--db", db, "--speed", "1"]);
		fac = await Client.open(srv.ws);
		await fac.hello(srv.tokens.facilitator);
		for (const team of ["red", "blue"]) {
			for (let i = 0; i < PER_TEAM; i++) {
				const c = await Client.open(srv.ws);
				await c.hello(srv.tokens[team]);
				laptops[team].push(c);
			}
		}
		fac.send({ type: "control", cmd: "start" });
		await fac.next((m) => m.type === "clock" && m.running === true);
	}],
	["in_a_burst_each_sender_gets_its_ack_before_its_own_action_record", async () => {
		const all = [...laptops.red, ...laptops.blue];
		for (let r = 0; r < ROUNDS; r++) {
			const from = all.map((c) => c.msgs.length);
			all.forEach((c, i) => c.send({ type: "action", id: `r${r}-c${i}`, kind: "block_indicator", args: { value: `203.0.113.${10 * r + i}` } }));
			for (const [i, c] of all.entries()) {
				const id = `r${r}-c${i}`;
				const rec = await c.next((m) => m.type === "action" && m.id === id, { from: from[i], what: `the record of ${id}` });
				const ack = await c.next((m) => (m.type === "ack" || m.type === "error") && m.id === id, { from: from[i], what: `the ack of ${id}` });
				assertEq([ack.type, ack.seq, ack.t_us], ["ack", rec.seq, rec.t_us], `answer to ${id}`);
				assert(c.msgs.indexOf(ack) < c.msgs.indexOf(rec),
				       `${id}: record before ack: ${JSON.stringify(c.msgs.slice(from[i]).map((m) => m.type + ":" + (m.id || "")))}`);
				assertEq(sql(db, `select seq || ' ' || team from actions where client_id='${id}'`), `${ack.seq} ${i < PER_TEAM ? "red" : "blue"}`, `row of ${id}`);
			}
		}
	}],
	["every_laptop_of_a_team_sees_every_record_of_its_team_only", async () => {
		const all = [...laptops.red, ...laptops.blue];
		for (const [team, cs] of Object.entries(laptops)) {
			const want = all.flatMap((_, i) => ((i < PER_TEAM) === (team === "red") ? [...Array(ROUNDS).keys()].map((r) => `r${r}-c${i}`) : [])).sort();
			for (const c of cs) {
				await c.next(() => c.msgs.filter((m) => m.type === "action").length >= want.length, { what: `${want.length} records` });
				const got = c.msgs.filter((m) => m.type === "action");
				assert(got.every((m) => m.team === team), `${team} laptop got another team's record`);
				assertEq(got.map((m) => m.id).sort(), want, `${team} records`);
			}
		}
		assertEq(sql(db, "select count(*) from actions"), String(2 * PER_TEAM * ROUNDS), "action rows");
	}],
	["an_answer_never_overtakes_the_welcome_or_its_backlog", async () => {
		// hello and an action in one TCP write: the ack may go ahead of live messages, never ahead of the welcome and
		// the backlog (the team's action records so far); answers keep their order (the error comes after the ack).
		for (let i = 0; i < 3; i++) {
			const c = await Client.open(srv.ws);
			c.ws._socket.cork();
			c.send({ type: "hello", token: srv.tokens.red });
			c.send({ type: "action", id: `late-${i}`, kind: "block_indicator", args: { value: `198.51.100.${i}` } });
			c.send({ type: "read", inject: "no-such-inject" });
			c.ws._socket.uncork();
			const ack = await c.next((m) => m.type === "ack" && m.id === `late-${i}`, { what: `the ack of late-${i}` });
			const err = await c.type("error");
			const seq = c.msgs.map((m) => m.type);
			const iAck = c.msgs.indexOf(ack);
			assertEq(seq[0], "welcome", `first message ${JSON.stringify(seq)}`);
			assertEq(seq.slice(0, iAck).filter((t) => t === "action").length, PER_TEAM * ROUNDS + i, `the backlog's records before the ack: ${JSON.stringify(seq)}`);
			assert(iAck < c.msgs.indexOf(err), `the error overtook the ack: ${JSON.stringify(seq)}`);
			const rec = await c.next((m) => m.type === "action" && m.id === `late-${i}`);
			assert(iAck < c.msgs.indexOf(rec), `record before ack: ${JSON.stringify(seq)}`);
			c.close();
		}
	}],
	["the_server_stops_cleanly", async () => {
		const r = await stopServer(srv, "SIGTERM");
		assertEq(r.code, 0, `exit (stderr: ${srv.stderr.slice(-400)})`);
	}],
]);

if (srv && !srv.exited) await stopServer(srv, "SIGKILL");
fs.rmSync(dir, { recursive: true, force: true });
process.exit(failures() ? 1 : 0);

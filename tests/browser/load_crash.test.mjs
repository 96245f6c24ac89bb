// load_crash: the short version of build/bench/load in `make test`. 100 team clients over 10 teams, each team
// sending 10 actions/s and the facilitator an inject to all every 2 s; the server is killed with SIGKILL after 5 s
// and started again with --resume on the same port; every client reconnects and resends what it has no ack for.
// Then, from the journal against the clients' records: no acked action lost, none stored twice or acked with two
// seqs, every action acked in the end, every client welcomed again. Figures are printed, never asserted.
import path from "node:path";
import fs from "node:fs";
import { Client, assert, assertEq, failures, run, sleep, sql, startServer, stopServer, tmpdir } from "./ws_lib.mjs";

const dir = tmpdir("load");
const scenario = path.join(dir, "load.lua");
const db = path.join(dir, "load.db");
const web = path.join(dir, "web");
const TEAMS = 10, CLIENTS = 100, RATE = 10, SECONDS = 12, KILL_AT = 5;
fs.mkdirSync(web);
fs.writeFileSync(path.join(web, "index.html"), "<!doctype html><title>load</title>\n");
fs.writeFileSync(path.join(web, "facilitator.html"), "<!doctype html><title>load</title>\n");
fs.writeFileSync(scenario, `
scenario { id = "load-crash", title = "Load and crash", duration = "12h", seed = 2 }
teams { ${Array.from({ length: TEAMS }, (_, i) => `{ id = "t${i}", name = "Team ${i}" }`).join(", ")} }
fleet { { model = "Sedan-A", count = 5000, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
for i = 1, 100 do inject { id = "L" .. i, at = i * 60, to = { "all" }, severity = "low", title = "Scheduled " .. i, body = "x" } end
at("00:02:00", function() attack.compromise { select = { model = "Sedan-A" }, fraction = 0.01, c2 = "203.0.113.7" } end)
`);

const acts = [];            // { id, team, client, sentAt, ackAt, seq, gen, sends }
let srv, gen = 0, tKill = 0, tBack = 0, port;
const tokens = {};

// A team (or facilitator) client that reconnects with 100-300 ms back-off and resends its unacked actions.
class Member {
	constructor(token, team) { this.token = token; this.team = team; this.mine = []; this.joins = 0; this.connect(); }
	connect() {
		this.up = false;
		const c = new Client(srv.ws);
		this.c = c;
		c.opened.then(() => c.send({ type: "hello", token: this.token }), () => {});
		c.ws.on("message", (data) => {
			const m = JSON.parse(data.toString());
			if (m.type === "welcome") {
				this.up = true;
				this.joins++;
				if (gen === 1 && !tBack) tBack = Date.now();
				if (!this.team && gen === 1) c.send({ type: "control", cmd: "resume" });
				for (const a of this.mine) if (!a.seq) this.sendAction(a);
			} else if (m.type === "ack") {
				const a = acts[Number(String(m.id).slice(1))];
				if (!a) return;
				if (a.seq && a.seq !== m.seq) a.dup = true;
				if (!a.seq) { a.seq = m.seq; a.ackAt = Date.now(); }
			}
		});
		c.ws.on("close", () => { if (this.c === c) { this.up = false; setTimeout(() => this.connect(), 100 + Math.random() * 200); } });
	}
	sendAction(a) {
		if (!this.up) return;
		a.sentAt = Date.now();
		a.gen = gen;
		a.sends++;
		try { this.c.send({ type: "action", id: a.id, kind: "report", args: { text: "load " + a.id } }); } catch { /* resent */ }
	}
	close() { const c = this.c; this.c = null; c.close(); }
}

function pct(xs, p) { const s = xs.slice().sort((a, b) => a - b); return s.length ? s[Math.round((s.length - 1) * p)] : -1; }

let fac, members = [];
await run([
	["a_crowd_joins", async () => {
		srv = await startServer(scenario, ["--db", db, "--web", web, "--speed", "60", "--autostart"]);
		port = new URL(srv.base).port;
		Object.assign(tokens, srv.tokens);
		fac = new Member(tokens.facilitator, null);
		for (let i = 0; i < CLIENTS; i++) members.push(new Member(tokens[`t${i % TEAMS}`], `t${i % TEAMS}`));
		const t0 = Date.now();
		while (members.some((m) => !m.up) && Date.now() - t0 < 20000) await sleep(50);
		assert(members.every((m) => m.up) && fac.up, "not every client joined");
	}],
	["actions_and_injects_flow_through_a_sigkill_and_a_resume", async () => {
		const t0 = Date.now();
		let nextInject = t0 + 2000, n = 0;
		while (Date.now() - t0 < SECONDS * 1000) {
			const due = Math.floor(((Date.now() - t0) / 1000) * TEAMS * RATE);
			while (acts.length < due) {
				const m = members[(acts.length * 7919) % CLIENTS];
				const a = { id: "a" + acts.length, team: m.team, sends: 0, seq: 0 };
				acts.push(a);
				m.mine.push(a);
				m.sendAction(a);
			}
			if (Date.now() >= nextInject && fac.up) {
				fac.c.send({ type: "inject", to: ["all"], title: "load-" + ++n, body: "to everyone" });
				nextInject += 2000;
			}
			if (!gen && Date.now() - t0 >= KILL_AT * 1000) {
				tKill = Date.now();
				srv.proc.kill("SIGKILL");
				await srv.exit;
				gen = 1;
				srv = await startServer(scenario, ["--db", db, "--web", web, "--speed", "60", "--resume", "--port", port], { timeoutMs: 60000 });
			}
			await sleep(5);
		}
		const tEnd = Date.now() + 30000;
		while (acts.some((a) => !a.seq) && Date.now() < tEnd) await sleep(50);
		assertEq(acts.filter((a) => !a.seq).length, 0, "actions never acked");
		assert(members.every((m) => m.joins >= 2), "a client that never joined the restarted server");
	}],
	["no_acked_action_is_lost_or_stored_twice", async () => {
		const rows = sql(db, "select client_id, seq from actions where client_id like 'a%'").split("\n").filter(Boolean);
		const inJournal = new Map();
		let dup = 0;
		for (const r of rows) {
			const [id, seq] = r.split("|");
			if (inJournal.has(id)) dup++;
			inJournal.set(id, Number(seq));
		}
		const lost = acts.filter((a) => a.seq && !inJournal.has(a.id)).length;
		dup += acts.filter((a) => a.dup || (a.seq && inJournal.has(a.id) && inJournal.get(a.id) !== a.seq)).length;
		assertEq([lost, dup, inJournal.size], [0, 0, acts.length], "lost, duplicated, stored");
		const ok = acts.filter((a) => a.seq && a.sends === 1 && (a.gen === 1) === (a.ackAt > tKill)).map((a) => a.ackAt - a.sentAt);
		console.log(`  ${acts.length} actions, ${acts.filter((a) => a.sends > 1).length} resent; ack p50 ${pct(ok, 0.5)} ms, `
			+ `p99 ${pct(ok, 0.99)} ms; SIGKILL to the first welcome ${(tBack - tKill) / 1000} s`);
	}],
	["the_restarted_server_stops_cleanly", async () => {
		for (const m of [fac, ...members]) m.close();
		const r = await stopServer(srv);
		assertEq(r.code, 0, "exit code");
	}],
]);
process.exit(failures() ? 1 : 0);

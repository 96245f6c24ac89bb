// The peer of bench/ws: a minimal Node `ws` server doing what the bench asks of kyodo serve, and no more:
// tokens per team and a facilitator (printed as join lines), hello -> welcome, a facilitator's inject fanned out
// to every team connection (recorded first), a team's action appended to a journal file and fsync'd before its
// ack (the durability of kyodo's journal: synchronous=FULL), the same ack for a resent id, and then the action's
// record to every connection of its team and to the facilitator (CONTRACT §4: what kyodo serve must send too).
// For bench/load's crash: --tokens FILE keeps the tokens in FILE, and --resume starts again from FILE and the
// journal (the same tokens, every acked id with its seq), as `kyodo serve --resume` does; control messages are
// taken and ignored.
// Usage: node bench/ws_peer.mjs [--port P] [--teams N] [--journal FILE] [--tokens FILE [--resume]]  (127.0.0.1 only)
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";

const require = createRequire(new URL("../tests/browser/package.json", import.meta.url));
const { WebSocketServer } = require("ws");

const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
const nTeams = Number(arg("--teams", "10"));
const resume = process.argv.includes("--resume");
const journalPath = arg("--journal", "peer-journal.jsonl"), tokensPath = arg("--tokens", "");
const tokens = new Map();
const teams = [];
const acks = new Map();
let seq = 0, injectNo = 0, facToken;
if (resume && tokensPath) {
	const saved = JSON.parse(fs.readFileSync(tokensPath, "utf8"));
	facToken = saved.facilitator;
	for (const [tok, team] of Object.entries(saved.teams)) { tokens.set(tok, team); teams.push(team); }
	for (const line of fs.readFileSync(journalPath, "utf8").split("\n")) {
		let r;
		try { r = JSON.parse(line); } catch { continue; } // a line cut by the crash
		if (r.seq === undefined) continue;
		seq = Math.max(seq, r.seq);
		acks.set(`${r.team}\u001f${r.id}`, JSON.stringify({ type: "ack", id: r.id, seq: r.seq, t_us: r.t_us || 0 }));
	}
} else {
	for (let i = 0; i < nTeams; i++) { teams.push(`t${i}`); tokens.set(crypto.randomBytes(16).toString("hex"), `t${i}`); }
	facToken = crypto.randomBytes(16).toString("hex");
	if (tokensPath) fs.writeFileSync(tokensPath, JSON.stringify({ facilitator: facToken, teams: Object.fromEntries(tokens) }));
}
const journal = fs.openSync(journalPath, resume ? "a" : "w");
const t0 = process.hrtime.bigint();
const simNow = () => Number((process.hrtime.bigint() - t0) / 1000n);

function durable(obj) {
	fs.writeSync(journal, JSON.stringify(obj) + "\n");
	fs.fsyncSync(journal);
}

const server = http.createServer((req, res) => { res.writeHead(404); res.end(); });
const wss = new WebSocketServer({ server, path: "/ws", maxPayload: 65536 });
wss.on("connection", (ws) => {
	ws.on("message", (data) => {
		let m;
		try { m = JSON.parse(data); } catch { ws.send(JSON.stringify({ type: "error", code: "bad_json", message: "invalid JSON" })); return; }
		if (m.type === "hello") {
			if (m.token === facToken) ws.role = "facilitator";
			else if (tokens.has(m.token)) { ws.role = "team"; ws.team = tokens.get(m.token); }
			else { ws.send(JSON.stringify({ type: "error", code: "bad_token", message: "unknown token" })); return; }
			ws.send(JSON.stringify({ type: "welcome", role: ws.role, team: ws.team, exercise: { id: "bench-ws", teams },
				clock: { t_us: simNow(), speed: 1, running: true } }));
			return;
		}
		if (!ws.role) { ws.send(JSON.stringify({ type: "error", code: "hello_first", message: "hello first" })); return; }
		if (m.type === "inject" && ws.role === "facilitator") {
			durable({ adhoc: m });
			const msg = JSON.stringify({ type: "inject", id: `X${++injectNo}`, t_us: simNow(), severity: m.severity, title: m.title, body: m.body });
			const all = m.to.includes("all");
			for (const c of wss.clients) if (c.role === "team" && (all || m.to.includes(c.team))) c.send(msg);
			return;
		}
		if (m.type === "action" && ws.role === "team") {
			const key = `${ws.team}\u001f${m.id}`;
			let ack = acks.get(key), record = null;
			if (!ack) {
				const t = simNow();
				ack = JSON.stringify({ type: "ack", id: m.id, seq: ++seq, t_us: t });
				durable({ seq, team: ws.team, id: m.id, t_us: t, kind: m.kind, args: m.args });
				acks.set(key, ack);
				record = JSON.stringify({ type: "action", seq, team: ws.team, id: m.id, kind: m.kind, args: m.args, t_us: t });
			}
			ws.send(ack);
			if (record) for (const c of wss.clients) if (c.role === "facilitator" || (c.role === "team" && c.team === ws.team)) c.send(record);
			return;
		}
		if (m.type === "control") return; /* bench/load resumes the drill after a restart: nothing to do here */
		ws.send(JSON.stringify({ type: "error", code: "bad_type", message: "not in this peer" }));
	});
});
server.listen(Number(arg("--port", "0")), "127.0.0.1", () => {
	const { port } = server.address();
	for (const [tok, team] of tokens) console.log(`join ${team} http://127.0.0.1:${port}/?token=${tok}`);
	console.log(`facilitator http://127.0.0.1:${port}/facilitator?token=${facToken}`);
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => { for (const c of wss.clients) c.close(1001); server.close(); process.exit(0); });

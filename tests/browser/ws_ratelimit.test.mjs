// ws_ratelimit: a team that floods actions is held to its rate (serve --action-rate/--action-burst, docs/security.md):
// the first burst of actions is acked, the rest get rate_limited with their id and retry_after_ms and are not stored
// (nothing acked is lost, nothing refused is journaled); another team's bucket is its own; a resend after
// retry_after_ms is acked; /metrics counts the refusals.
import fs from "node:fs";
import path from "node:path";
import { Client, assert, assertEq, failures, httpGet, run, sleep, sql, startServer, stopServer, tmpdir } from "./ws_lib.mjs";

const dir = tmpdir("wsrate");
const scenario = path.join(dir, "drill.lua");
const db = path.join(dir, "drill.db");
fs.writeFileSync(scenario, `
scenario { id = "ws-rate", title = "Rate drill", duration = "2h", seed = 5 }
teams { { id = "red", name = "Red team" }, { id = "blue", name = "Blue team" } }
fleet { { model = "Sedan-A", count = 100, region = "JP-Kanto", ecus = { tcu = "2.3.1" } } }
`);
const BURST = 5, RATE = 0.5, N = 12;  // one more action every 2 s: no refill between the flood's messages, even on a slow machine
const srv = await startServer(scenario, ["--db", db, "--autostart", "--action-rate", String(RATE), "--action-burst", String(BURST)]);
const red = await Client.open(srv.ws), blue = await Client.open(srv.ws);
await red.hello(srv.tokens.red);
await blue.hello(srv.tokens.blue);
const answer = (c, id, from) => c.next((m) => (m.type === "ack" || m.type === "error") && m.id === id, { from, what: "answer to " + id });
const report = (c, id) => c.send({ type: "action", id, kind: "report", args: { text: "sitrep " + id } });
let refused = [];

await run([
	["a flood: the burst is acked, the rest refused with rate_limited, their id and retry_after_ms", async () => {
		const from = red.msgs.length;
		for (let i = 1; i <= N; i++) report(red, "r" + i);
		const answers = [];
		for (let i = 1; i <= N; i++) answers.push(await answer(red, "r" + i, from));
		assertEq(answers.map((a) => a.type), [...Array(BURST).fill("ack"), ...Array(N - BURST).fill("error")], "answers in order");
		refused = answers.filter((a) => a.type === "error");
		for (const e of refused) {
			assertEq(e.code, "rate_limited", "code of " + e.id);
			assert(e.retry_after_ms > 0 && e.retry_after_ms <= 1000 / RATE + 50, "retry_after_ms of " + e.id + ": " + e.retry_after_ms);
			assert(/team 'red'/.test(e.message), "the message names the team: " + e.message);
		}
	}],
	["nothing refused is stored; every acked action is", async () => {
		assertEq(sql(db, "SELECT group_concat(client_id, ' ') FROM (SELECT client_id FROM actions WHERE team = 'red' ORDER BY seq)"),
			Array.from({ length: BURST }, (_, i) => "r" + (i + 1)).join(" "), "red's stored actions");
	}],
	["another team's bucket is its own", async () => {
		report(blue, "b1");
		assertEq((await answer(blue, "b1", 0)).type, "ack", "blue acked");
	}],
	["a resend after retry_after_ms is acked and stored once", async () => {
		await sleep(refused[0].retry_after_ms + 20);
		const from = red.msgs.length;
		report(red, refused[0].id);
		assertEq((await answer(red, refused[0].id, from)).type, "ack", "resend acked");
		assertEq(sql(db, `SELECT count(*) FROM actions WHERE team = 'red' AND client_id = '${refused[0].id}'`), "1", "stored once");
	}],
	["/metrics counts the refusals", async () => {
		const body = (await httpGet(srv.base + "/metrics")).body;
		const line = body.split("\n").find((l) => l.startsWith('kyodo_refusals_total{reason="rate_limited"}'));
		assertEq(line && Number(line.split(" ").pop()), N - BURST, "rate_limited refusals");
	}],
]);

for (const c of [red, blue]) c.close();
await stopServer(srv);
process.exit(failures() ? 1 : 0);

// kyodo serve against real websocket clients (Node `ws`) on 127.0.0.1: roles, per-team injects, durable and
// idempotent acks (checked in the sqlite3 journal), shares, errors, reconnect backlog, pause without skipped or
// shifted injects, read receipts, back-pressure, /healthz and /metrics, the clean stop.
import fs from "node:fs";
import path from "node:path";
import {
	Client, WebSocket, assert, assertEq, failures, httpGet, run, sleep, sql, startServer, stopServer, tmpdir,
} from "./ws_lib.mjs";

const dir = tmpdir("ws");
const STORM = 300;
const scenario = path.join(dir, "drill.lua");
const db = path.join(dir, "drill.db");
const web = path.join(dir, "web");
fs.mkdirSync(web);
fs.writeFileSync(path.join(web, "index.html"), "<!doctype html><title>participant</title>PARTICIPANT-PAGE\n");
fs.writeFileSync(path.join(web, "facilitator.html"), "<!doctype html><title>facilitator</title>FACILITATOR-PAGE\n");
// Sim times are chosen for --speed 100: I1/I2 at 30 s sim arrive 0.3 s of wall after start, I3 at 5 min later.
fs.writeFileSync(scenario, `
scenario { id = "ws-test", title = "Server test drill", duration = "2h", seed = 3,
           description = "two teams, three injects" }
teams { { id = "red", name = "Red team" }, { id = "blue", name = "Blue team" } }
fleet { { model = "Sedan-A", count = 200, region = "JP-Kanto", ecus = { tcu = "2.3.1", gw = "1.4.0" } } }
inject { id = "I1", at = "00:00:30", to = { "red" }, severity = "high", title = "Red only", body = "for red",
         expects = { { action = "block_indicator", args = { value = "203.0.113.7" }, within = "1h", points = 10, team = "red" } } }
inject { id = "I2", at = "00:00:30", to = { "blue" }, severity = "low", title = "Blue only", body = "for blue" }
inject { id = "I3", at = "00:05:00", to = { "all" }, severity = "medium", title = "Everyone", body = "after the pause" }
at("00:01:00", function() attack.compromise { select = { model = "Sedan-A" }, count = 5, c2 = "198.51.100.9" } end)
-- a fact storm: one attack fact per verb call, far more than a socket's queue (--queue 64) holds
at("00:02:00", function() for i = 1, ${STORM} do attack.compromise { select = { model = "Sedan-A" }, count = 1, c2 = "198.51.100.9" } end end)
`);

const BIG = 65 * 1024;
let srv, fac, red, blue, ack1;

function isInject(id) { return (m) => m.type === "inject" && m.id === id; }

await run([
	["server_prints_join_urls_per_team_and_facilitator", async () => {
		srv = await startServer(scenario, ["--db", db, "--web", web, "--speed", "100", "--queue", "64"]);
		assert(/^[0-9a-f]{32}$/.test(srv.tokens.red) && /^[0-9a-f]{32}$/.test(srv.tokens.blue), `team tokens: ${srv.stdout}`);
		assert(/^[0-9a-f]{32}$/.test(srv.tokens.facilitator), `facilitator token: ${srv.stdout}`);
		assert(srv.urls.red.startsWith(srv.base + "/?token="), `join URL: ${srv.urls.red}`);
	}],
	["token_hashes_are_in_the_journal_not_the_tokens", async () => {
		const rows = sql(db, "select team || ' ' || digest from tokens order by team");
		assert(rows.includes("red ") && rows.includes("blue "), `tokens table: ${rows}`);
		assert(!rows.includes(srv.tokens.red), "the plain token is stored");
		assert(!fs.readFileSync(db).toString("latin1").includes(srv.tokens.red), "the plain token is in the file");
	}],
	["http_serves_pages_healthz_and_metrics", async () => {
		const index = await httpGet(`${srv.base}/?token=${srv.tokens.red}`);
		assertEq(index.status, 200, "GET /");
		assert(index.body.includes("PARTICIPANT-PAGE"), `GET / body: ${index.body}`);
		const facPage = await httpGet(`${srv.base}/facilitator?token=${srv.tokens.facilitator}`);
		assertEq(facPage.status, 200, "GET /facilitator");
		assert(facPage.body.includes("FACILITATOR-PAGE"), `GET /facilitator body: ${facPage.body}`);
		const h = await httpGet(`${srv.base}/healthz`);
		assertEq(h.status, 200, "GET /healthz");
		assertEq(JSON.parse(h.body).status, "ok", "healthz status");
		const m = await httpGet(`${srv.base}/metrics`);
		assertEq(m.status, 200, "GET /metrics");
		for (const k of ["kyodo_connections{role=\"team\"}", "kyodo_messages_in_total", "kyodo_messages_out_total",
			"kyodo_actions_total", "kyodo_queue_messages", "kyodo_sim_time_seconds", "kyodo_events_per_second"])
			assert(m.body.includes(k), `metrics lacks ${k}`);
		assertEq((await httpGet(`${srv.base}/nope.html`)).status, 404, "GET /nope.html");
	}],
	["two_teams_and_a_facilitator_join", async () => {
		fac = await Client.open(srv.ws);
		red = await Client.open(srv.ws);
		blue = await Client.open(srv.ws);
		const wf = await fac.hello(srv.tokens.facilitator);
		const wr = await red.hello(srv.tokens.red);
		const wb = await blue.hello(srv.tokens.blue);
		assertEq([wf.role, wr.role, wr.team, wb.team], ["facilitator", "team", "red", "blue"], "roles");
		assertEq(wr.exercise.title, "Server test drill", "exercise title");
		assert(!JSON.stringify(wr.exercise).includes("203.0.113.7"), "a team's welcome gives away an expectation");
		assertEq([wr.clock.running, wr.clock.t_us], [false, 0], "the drill starts held");
	}],
	["both_welcomes_carry_the_fleet_catalog", async () => {
		const wf = fac.msgs.find((m) => m.type === "welcome"), wr = red.msgs.find((m) => m.type === "welcome");
		for (const [who, w] of [["team", wr], ["facilitator", wf]]) {
			const c = w.exercise.catalog;
			assert(c && typeof c === "object", `${who} welcome has no exercise.catalog: ${JSON.stringify(w.exercise).slice(0, 300)}`);
			assertEq([c.models, c.regions], [["Sedan-A"], ["JP-Kanto"]], `${who} catalog models/regions`);
			assert(c.ecus.includes("tcu") && c.ecus.includes("gw"), `${who} catalog ecus: ${JSON.stringify(c.ecus)}`);
			assert(Array.isArray(c.services) && c.services.length > 0, `${who} catalog services: ${JSON.stringify(c.services)}`);
			assert(Array.isArray(c.features) && c.features.length > 0, `${who} catalog features`);
			// CONTRACT §4: a JSON Schema of the args of every action kind
			const a = c.actions || {};
			for (const k of ["triage", "block_indicator", "isolate_service", "revoke_certificate", "ota_campaign", "disable_feature",
				"notify", "share", "assess", "report"])
				assertEq(a[k] && a[k].type, "object", `${who} catalog.actions.${k}`);
			assertEq(a.isolate_service.properties.name.enum, c.services, `${who} isolate_service names`);
			assertEq(a.share.properties.to.enum, ["red", "blue", "all"], `${who} share recipients`);
			assert(a.notify.properties.stage.enum.includes("initial") && a.notify.required.includes("party"), `${who} notify schema`);
		}
	}],
	["a_team_token_cannot_control_or_grade", async () => {
		let n = red.msgs.length;
		red.send({ type: "control", cmd: "start" });
		assertEq((await red.type("error", { from: n })).code, "forbidden", "control from a team");
		n = red.msgs.length;
		red.send({ type: "grade", action: 1, points: 100 });
		assertEq((await red.type("error", { from: n })).code, "forbidden", "grade from a team");
		n = red.msgs.length;
		red.send({ type: "inject", to: ["blue"], title: "fake", body: "fake" });
		assertEq((await red.type("error", { from: n })).code, "forbidden", "inject from a team");
		const h = JSON.parse((await httpGet(`${srv.base}/healthz`)).body);
		assertEq([h.running, h.t_us], [false, 0], "the clock after a team's control");
		assertEq(sql(db, "select count(*) from grades"), "0", "grades rows");
		assert(!blue.msgs.some((m) => m.title === "fake"), "a team's inject reached another team");
	}],
	["bad_input_gets_an_error_and_changes_nothing", async () => {
		const c = await Client.open(srv.ws);
		c.send({ type: "action", id: "x1", kind: "triage", args: {} });
		assertEq((await c.type("error")).code, "hello_first", "action before hello");
		let n = c.msgs.length;
		c.send({ type: "hello", token: "0".repeat(32) });
		assertEq((await c.type("error", { from: n })).code, "bad_token", "wrong token");
		n = c.msgs.length;
		c.send("{this is not json");
		assertEq((await c.type("error", { from: n })).code, "bad_json", "invalid JSON");
		n = c.msgs.length;
		c.send({ type: "teleport" });
		assertEq((await c.type("error", { from: n })).code, "bad_type", "wrong type");
		n = c.msgs.length;
		c.ws.send(Buffer.from([1, 2, 3]));
		assertEq((await c.type("error", { from: n })).code, "binary", "binary frame");
		await c.hello(srv.tokens.red);
		n = c.msgs.length;
		c.send({ type: "action", id: "big", kind: "report", args: { text: "x".repeat(BIG) } });
		const e = await Promise.race([c.type("error", { from: n }), c.waitClose().then((x) => ({ closed: x }))]);
		assert(e.code === "too_large" || (e.closed && e.closed.code >= 1000), `over 64 KiB: ${JSON.stringify(e)}`);
		n = c.msgs.length;
		c.send({ type: "action", id: "bad-args", kind: "triage", args: "nope" });
		const e2 = await c.type("error", { from: n });
		assertEq([e2.code, e2.id], ["bad_field", "bad-args"], "action with bad args");
		assertEq(sql(db, "select count(*) from actions"), "0", "actions rows after bad input");
		c.close();
	}],
	["each_team_receives_only_its_own_injects", async () => {
		fac.send({ type: "control", cmd: "start" });
		const i1 = await red.next(isInject("I1"));
		const i2 = await blue.next(isInject("I2"));
		assertEq([i1.t_us, i1.severity, i1.title], [30000000, "high", "Red only"], "I1");
		assertEq(i2.t_us, 30000000, "I2 t_us");
		assert(!("expects" in i1), "an inject carries its expects");
		await fac.next((m) => m.type === "inject" && m.id === "I1" && m.team === "red");
		fac.send({ type: "control", cmd: "pause" });
		await fac.next((m) => m.type === "clock" && m.running === false);
		assert(!red.msgs.some(isInject("I2")) && !blue.msgs.some(isInject("I1")), "a team saw another team's inject");
	}],
	["an_action_is_acked_with_a_seq_that_is_in_the_journal", async () => {
		const n = red.msgs.length;
		red.send({ type: "action", id: "a1", kind: "block_indicator", args: { value: "203.0.113.7" }, inject: "I1" });
		const ack = await red.next((m) => m.type === "ack" || m.type === "error", { from: n });
		assertEq(ack.type, "ack", `ack ${JSON.stringify(ack)}`);
		assertEq(ack.id, "a1", "ack id");
		assert(Number.isInteger(ack.seq) && ack.seq > 0 && Number.isInteger(ack.t_us), `ack ${JSON.stringify(ack)}`);
		// Read right after the ack: the row is committed (another process sees it).
		assertEq(sql(db, `select seq || ' ' || team || ' ' || kind from actions where client_id='a1'`), `${ack.seq} red block_indicator`, "row");
		ack1 = ack;
	}],
	["a_team_sees_its_actions_from_every_laptop_and_after_a_reconnect", async () => {
		// the sender's own connection gets the record (with the world's result) as well as the ack
		const live = await red.next((m) => m.type === "action" && m.id === "a1");
		assertEq([live.seq, live.team, live.kind, live.args.value, live.inject], [ack1.seq, "red", "block_indicator", "203.0.113.7", "I1"], "live record");
		assert(live.result && typeof live.result === "object" && !live.error, `live record result: ${JSON.stringify(live)}`);
		const mate = await Client.open(srv.ws);
		const w = await mate.hello(srv.tokens.red);
		const rec = await mate.next((m) => m.type === "action" && m.id === "a1", { from: mate.msgs.indexOf(w) });
		assertEq([rec.seq, rec.t_us, rec.kind, rec.args.value], [ack1.seq, ack1.t_us, "block_indicator", "203.0.113.7"], "replayed record");
		assert(rec.result && !rec.error, `replayed result: ${JSON.stringify(rec)}`);
		mate.close();
		const other = await Client.open(srv.ws);
		await other.hello(srv.tokens.blue);
		await sleep(200);
		assert(!other.msgs.some((m) => m.type === "action"), `blue got red's actions: ${JSON.stringify(other.msgs.filter((m) => m.type === "action"))}`);
		assert(!blue.msgs.some((m) => m.type === "action"), "blue's live connection got red's action");
		other.close();
	}],
	["a_resent_client_id_gets_the_same_ack_and_no_second_row", async () => {
		const n = red.msgs.length;
		red.send({ type: "action", id: "a1", kind: "block_indicator", args: { value: "203.0.113.7" }, inject: "I1" });
		const ack = await red.type("ack", { from: n });
		assertEq([ack.id, ack.seq, ack.t_us], [ack1.id, ack1.seq, ack1.t_us], "second ack");
		assertEq(sql(db, "select count(*) from actions where client_id='a1'"), "1", "rows for a1");
		assertEq(sql(db, "select count(*) from actions"), "1", "action rows");
	}],
	["each_resent_client_id_moves_the_repeats_counter_by_one", async () => {
		const repeats = async () => Number(((await httpGet(`${srv.base}/metrics`)).body.match(/^kyodo_action_repeats_total (\S+)/m) || [])[1]);
		const before = await repeats();
		assert(Number.isFinite(before), "metrics lack kyodo_action_repeats_total");
		const n = red.msgs.length;
		const resend = () => red.send({ type: "action", id: "a1", kind: "block_indicator", args: { value: "203.0.113.7" }, inject: "I1" });
		resend(); resend(); // together: likely one group
		resend();
		await red.next(() => red.msgs.slice(n).filter((m) => m.type === "ack" && m.id === "a1").length === 3, { from: n, what: "3 acks of a1" });
		assertEq(await repeats() - before, 3, "kyodo_action_repeats_total after 3 resends");
		assertEq(sql(db, "select count(*) from actions"), "1", "action rows");
	}],
	["an_action_takes_effect_before_a_message_that_follows_it", async () => {
		// An action waits for its group commit; a message after it (here a read of an unknown inject, answered by an
		// error) must not overtake it: the ack comes first even when both arrive in one pass of the event loop.
		for (let i = 0; i < 5; i++) {
			const n = red.msgs.length;
			red.ws._socket.cork(); // one TCP write: both frames reach the server in one read
			red.send({ type: "action", id: "a1", kind: "block_indicator", args: { value: "203.0.113.7" }, inject: "I1" });
			red.send({ type: "read", inject: "no-such-inject" });
			red.ws._socket.uncork();
			await red.next(() => red.msgs.slice(n).filter((m) => m.type === "ack" || m.type === "error").length === 2, { from: n, what: "ack and error" });
			const got = red.msgs.slice(n).filter((m) => m.type === "ack" || m.type === "error").map((m) => m.type);
			assertEq(got, ["ack", "error"], `answers, round ${i}`);
		}
		assertEq(sql(db, "select count(*) from actions"), "1", "action rows");
	}],
	["a_share_reaches_the_other_team", async () => {
		const n = red.msgs.length;
		red.send({ type: "action", id: "s1", kind: "share", args: { to: "blue", tlp: "amber", text: "IOC 203.0.113.7" } });
		await red.type("ack", { from: n });
		const msg = await blue.next((m) => m.type === "message" && m.text === "IOC 203.0.113.7");
		assertEq([msg.from, msg.tlp], ["red", "amber"], "message");
		const m2 = red.msgs.length;
		red.send({ type: "action", id: "s2", kind: "share", args: { to: "all", tlp: "red", text: "secret" } });
		const e = await red.type("error", { from: m2 });
		assertEq([e.code, e.id], ["rejected", "s2"], "red share to all");
		await sleep(100);
		assert(!blue.msgs.some((m) => m.text === "secret"), "a red share to all was delivered");
	}],
	["a_facilitator_reading_a_team_inbox_marks_nothing_read", async () => {
		fac.send({ type: "read", inject: "I1" });
		fac.send({ type: "read", inject: "I2" });
		// the facilitator's next control round-trip proves the reads were handled
		const n = fac.msgs.length;
		fac.send({ type: "control", cmd: "speed", value: 100 });
		await fac.type("clock", { from: n });
		assertEq(sql(db, "select count(*) from reads"), "0", "read rows after the facilitator's reads");
		red.send({ type: "read", inject: "I1" });
		const n2 = fac.msgs.length;
		await fac.next((m) => m.type === "read" && m.team === "red" && m.inject === "I1", { from: n2 });
		assertEq(sql(db, "select team || ' ' || inject from reads"), "red I1", "read rows after the team's read");
	}],
	["pause_stops_the_clock_and_no_inject_is_skipped_or_shifted", async () => {
		const held = JSON.parse((await httpGet(`${srv.base}/healthz`)).body).t_us;
		assert(held < 300e6, `paused at ${held}`);
		await sleep(3500); // at speed 100 this is 350 s of sim: I3 (5 min) would have fired
		const h2 = JSON.parse((await httpGet(`${srv.base}/healthz`)).body);
		assertEq([h2.t_us, h2.running], [held, false], "clock during the pause");
		assert(!red.msgs.some(isInject("I3")), "I3 arrived during the pause");
		const n = red.msgs.length;
		const tResume = Date.now();
		fac.send({ type: "control", cmd: "resume" });
		const i3r = await red.next(isInject("I3"), { timeoutMs: 10000 });
		// Not shifted: the sim time between the pause and I3 still takes its wall time at speed 100 after the
		// resume (load can only make it later); a clock that skipped the pause would deliver I3 at once.
		const wantMs = (300e6 - held) / 100 / 1000;
		assert(i3r._at - tResume >= 0.9 * wantMs, `I3 came ${i3r._at - tResume} ms after resume, want >= ${wantMs} ms`);
		const i3b = await blue.next(isInject("I3"), { timeoutMs: 10000 });
		assertEq([i3r.t_us, i3b.t_us], [300e6, 300e6], "I3 at its sim time");
		// no clock tick before I3 said the sim had passed it by
		const ticks = red.msgs.slice(n).filter((m) => m.type === "clock" && m._at < i3r._at);
		assert(ticks.every((m) => m.t_us <= 300e6), `clock ran past I3 before it arrived: ${JSON.stringify(ticks)}`);
		assert(ticks.length === 0 || ticks[0].t_us >= held, "the clock went back");
		fac.send({ type: "control", cmd: "pause" });
		await fac.next((m) => m.type === "clock" && m.running === false, { from: fac.msgs.length - 1 });
	}],
	["clock_score_and_fleet_updates_reach_the_teams", async () => {
		assert(red.msgs.some((m) => m.type === "clock" && typeof m.t_us === "number" && typeof m.speed === "number"), "no clock message");
		const f = await red.type("fleet");
		assert(Number.isInteger(f.total) && f.total >= 200, `fleet ${JSON.stringify(f)}`);
		// CONTRACT §4: a team's fleet view is what it observes, with no ground-truth field; the facilitator's is the truth
		const tf = red.msgs.filter((m) => m.type === "fleet");
		assert(tf.every((m) => m.observed === true && m.team_view === undefined && m.records_exfiltrated === undefined &&
			m.compromised_car_hours === undefined && m.observed_compromised === undefined), `team fleet ${JSON.stringify(tf[tf.length - 1])}`);
		const ff = fac.msgs.filter((m) => m.type === "fleet");
		assert(ff.length && ff.every((m) => m.observed === undefined && m.team_view && m.team_view.observed === true &&
			Number.isInteger(m.observed_compromised) && m.observed_compromised <= m.compromised), `facilitator fleet ${JSON.stringify(ff[ff.length - 1])}`);
		const last = ff[ff.length - 1];
		assert(last.compromised > 0 && last.team_view.compromised <= last.compromised, "observed never exceeds the truth");
		const s = await red.next((m) => m.type === "score" && m.team === "red");
		assert(typeof s.score === "number", `score ${JSON.stringify(s)}`);
		assert(!red.msgs.some((m) => m.type === "score" && m.team !== "red"), "red saw another team's score");
	}],
	["the_facilitator_grades_an_action", async () => {
		const n = fac.msgs.length;
		fac.send({ type: "grade", action: ack1.seq, points: 7, comment: "quick" });
		await fac.next((m) => m.type === "grade" && m.action === ack1.seq, { from: n });
		assertEq(sql(db, "select seq || ' ' || points from grades"), `${ack1.seq} 7.0`, "grade row");
		const g = await red.next((m) => m.type === "grade" && m.action === ack1.seq);
		assertEq([g.points, g.comment, g.team], [7, "quick", "red"], "the team's grade message");
		await sleep(100);
		assert(!blue.msgs.some((m) => m.type === "grade"), "blue got red's grade");
		const e0 = fac.msgs.length;
		fac.send({ type: "grade", action: 999999, points: 1 });
		assertEq((await fac.type("error", { from: e0 })).code, "rejected", "grade of an unknown action");
	}],
	["attack_steps_reach_the_facilitator_rate_limited", async () => {
		// the storm at 2 min sim ran during the resume before I3; the facilitator was not dropped
		const sup = await fac.next((m) => m.type === "event" && m.kind === "attack.suppressed", { timeoutMs: 5000 });
		const live = fac.msgs.filter((m) => m.type === "event" && m.kind === "attack.compromise");
		assert(live.length >= 2 && live.length < STORM / 2, `live attack facts: ${live.length}`);
		const first = live[0];
		assertEq([first.t_us, first.subject, first.detail.count], [60e6, "198.51.100.9", 5], "the first attack step");
		assertEq(live.length + sup.detail.count, STORM + 1, `live ${live.length} + suppressed ${sup.detail.count}`);
		assert(!fac.closed, "the facilitator was dropped");
		assert(!red.msgs.some((m) => m.type === "event"), "a team got the facilitator's events");
		const again = await Client.open(srv.ws);
		const w = await again.hello(srv.tokens.facilitator);
		await again.next((m) => m.type === "fleet", { from: again.msgs.indexOf(w) }); // the welcome's last message
		const tl = again.msgs.filter((m) => m.type === "event" && m.kind === "attack.compromise");
		assertEq(tl.length, STORM + 1, "attack steps in a facilitator's welcome");
		again.close();
	}],
	["an_adhoc_inject_reaches_only_its_team", async () => {
		fac.send({ type: "inject", to: ["blue"], title: "Ad hoc", body: "call the supplier", severity: "low" });
		const m = await blue.next((x) => x.type === "inject" && x.title === "Ad hoc");
		assert(typeof m.id === "string" && typeof m.t_us === "number", `ad hoc ${JSON.stringify(m)}`);
		await sleep(100);
		assert(!red.msgs.some((x) => x.title === "Ad hoc"), "red got blue's ad hoc inject");
	}],
	["reconnect_replays_the_backlog", async () => {
		red.close();
		const again = await Client.open(srv.ws);
		const w = await again.hello(srv.tokens.red);
		assertEq(w.team, "red", "welcome team");
		await again.next(isInject("I1"));
		await again.next(isInject("I3"));
		await again.next((m) => m.type === "fleet_history", { what: "the end of the backlog (fleet_history)" }); // the action records come after the injects
		const after = again.msgs.slice(again.msgs.indexOf(w));
		assert(!after.some(isInject("I2")) && !after.some((x) => x.title === "Ad hoc"), "backlog has another team's inject");
		assert(after.indexOf(after.find(isInject("I1"))) > 0, "the backlog came before the welcome");
		const acts = after.filter((m) => m.type === "action");
		assertEq(acts.map((a) => [a.id, a.team]), [["a1", "red"], ["s1", "red"]], "the team's actions in the backlog");
		assertEq([acts[0].points, acts[0].comment], [7, "quick"], "the grade in the replayed action");
		assert(after.some((m) => m.type === "read" && m.inject === "I1" && m.team === "red"), "the read receipt in the backlog");
		const hist = after.find((m) => m.type === "fleet_history");
		assert(hist && hist.samples.length > 1 && hist.samples.every((x) => typeof x.t_us === "number"), "fleet_history in the backlog");
		red = again;
		const f2 = await Client.open(srv.ws);
		const wf = await f2.hello(srv.tokens.facilitator);
		await f2.next((m) => m.type === "fleet", { from: f2.msgs.indexOf(wf) });
		const fa = f2.msgs.filter((m) => m.type === "action");
		assertEq(fa.map((a) => [a.seq, a.team, a.id]), [[ack1.seq, "red", "a1"], [ack1.seq + 1, "red", "s1"]], "the facilitator's actions");
		const fg = f2.msgs.find((m) => m.type === "grade");
		assertEq(fg && [fg.action, fg.points, fg.comment, fg.team], [ack1.seq, 7, "quick", "red"], "the facilitator's grades");
		assert(f2.msgs.some((m) => m.type === "read" && m.team === "red" && m.inject === "I1"), "the facilitator's read receipts");
		f2.close();
		const b = await Client.open(srv.ws);
		await b.hello(srv.tokens.blue);
		await b.next((m) => m.type === "message" && m.text === "IOC 203.0.113.7");
		b.close();
	}],
	["a_reconnect_with_since_leaves_out_the_records_it_holds", async () => {
		// red holds a1 (graded: it comes again with its points) and s1; since = the highest seq a laptop holds
		const backlogActs = async (since) => {
			const c = await Client.open(srv.ws);
			c.send({ type: "hello", token: srv.tokens.red, since });
			const w = await c.type("welcome");
			await c.next((m) => m.type === "fleet_history", { from: c.msgs.indexOf(w), what: "the end of the backlog" });
			await sleep(150);
			const acts = c.msgs.slice(c.msgs.indexOf(w)).filter((m) => m.type === "action").map((a) => a.id);
			const injects = c.msgs.slice(c.msgs.indexOf(w)).filter(isInject("I1")).length;
			c.close();
			return [acts, injects];
		};
		assertEq(await backlogActs(ack1.seq + 1), [["a1"], 1], "since = s1's seq: only the graded a1 again, the injects as always");
		assertEq(await backlogActs(ack1.seq), [["a1", "s1"], 1], "since = a1's seq: s1 and the graded a1");
		assertEq(await backlogActs(0), [["a1", "s1"], 1], "since 0: every record");
		for (const bad of [-1, "7", 1.5]) {
			const c = await Client.open(srv.ws);
			c.send({ type: "hello", token: srv.tokens.red, since: bad });
			const e = await c.type("error");
			assert(e.code === "bad_field" && /since/.test(e.message), `since ${JSON.stringify(bad)}: ${JSON.stringify(e)}`);
			c.close();
		}
	}],
	["a_client_that_stops_reading_is_dropped_and_the_others_never_wait", async () => {
		// the flood must outrun the reader; under valgrind the server is the slow side, and the facilitator's own
		// copies of 400 injects overflow its queue instead (make valgrind: tests/valgrind.sh)
		if (process.env.KY_VALGRIND) return { skip: "timing-bound: under valgrind the server, not the reader, is slow" };
		const slow = await Client.open(srv.ws);
		await slow.hello(srv.tokens.red);
		slow.ws._socket.pause(); // stops reading: the kernel buffers fill, then the server's queue (--queue 64)
		const body = "y".repeat(60000);
		const N = 400;
		const n0 = red.msgs.length;
		for (let i = 0; i < N; i++) fac.send({ type: "inject", to: ["red"], title: `flood ${i}`, body });
		await red.next((m) => m.type === "inject" && m.title === `flood ${N - 1}`, { from: n0, timeoutMs: 30000 });
		const got = red.msgs.slice(n0).filter((m) => m.type === "inject" && m.title.startsWith("flood ")).length;
		assertEq(got, N, "injects received by the reading client");
		const m = (await httpGet(`${srv.base}/metrics`)).body;
		const dropped = Number((m.match(/^kyodo_clients_dropped_total (\S+)/m) || [])[1]);
		assert(dropped >= 1, `dropped clients: ${dropped}`);
		slow.ws._socket.resume();
		await slow.waitClose(10000);
	}],
	["an_action_outside_the_schema_is_refused_with_the_choices_and_takes_no_seq", async () => {
		const n = blue.msgs.length, rows = sql(db, "select count(*) from actions");
		blue.send({ type: "action", id: "b-schema", kind: "isolate_service", args: { name: "nope" } });
		const e = await blue.next((m) => (m.type === "ack" || m.type === "error") && m.id === "b-schema", { from: n });
		assertEq([e.type, e.code], ["error", "rejected"], `answer ${JSON.stringify(e)}`);
		assert(/args\.name: 'nope' is not one of: telematics, ota/.test(e.message), `message ${e.message}`);
		assertEq(sql(db, "select count(*) from actions"), rows, "no row for a refused action");
	}],
	["an_action_the_world_refuses_is_acked_and_replayed_with_its_error", async () => {
		// The ack promises durability only: an action the world refuses once applied is stored all the same (it has a
		// seq), so it is acked; the refusal is in its action record. (The schema allows 4-digit version parts; the
		// world's firmware versions stop at 1023.)
		const n = blue.msgs.length;
		blue.send({ type: "action", id: "b-bad", kind: "ota_campaign", args: { ecu: "tcu", version: "2000.0.0" } });
		const e = await blue.next((m) => (m.type === "ack" || m.type === "error") && m.id === "b-bad", { from: n });
		const live = await blue.next((m) => m.type === "action" && m.id === "b-bad", { from: n });
		assertEq([e.type, e.seq, e.t_us], ["ack", live.seq, live.t_us], `answer ${JSON.stringify(e)}`);
		assert(/malformed version '2000.0.0'/.test(live.error), `record ${JSON.stringify(live)}`);
		assert(!blue.msgs.slice(n).some((m) => m.type === "error" && m.id === "b-bad"), "an error as well as the ack");
		const again = await Client.open(srv.ws);
		const w = await again.hello(srv.tokens.blue);
		const rec = await again.next((m) => m.type === "action" && m.id === "b-bad", { from: again.msgs.indexOf(w) });
		assertEq([rec.seq, rec.error, rec.result], [live.seq, live.error, undefined], "replayed refusal");
		again.close();
	}],
	["sigterm_closes_connections_with_a_close_frame_and_exits_0", async () => {
		const closes = [fac.waitClose(8000), blue.waitClose(8000), red.waitClose(8000)];
		const r = await stopServer(srv, "SIGTERM");
		assertEq(r.code, 0, `exit (stderr: ${srv.stderr.slice(-400)})`);
		const cs = await Promise.all(closes);
		assert(cs.every((c) => c.code === 1001), `close codes ${JSON.stringify(cs)}`);
		assertEq(sql(db, "select count(*) from actions"), "3", "action rows after the stop");
	}],
	["resume_keeps_the_tokens_and_replays_the_backlog", async () => {
		const first = srv;
		srv = await startServer(scenario, ["--db", db, "--web", web, "--resume"], { timeoutMs: 60000 });
		assert(srv.urls.red && !srv.tokens.red, `resume join lines carry no token: ${srv.stdout}`);
		const c = await Client.open(srv.ws);
		const w = await c.hello(first.tokens.red).catch((e) => { throw new Error(`${e.message}; server log: ${srv.stderr.slice(-600)}`); });
		assertEq([w.team, w.clock.running], ["red", false], "welcome after resume");
		assert(w.clock.t_us >= 300e6, `resumed at ${w.clock.t_us}`);
		await c.next(isInject("I1"));
		await c.next(isInject("I3"));
		const n = c.msgs.length;
		c.send({ type: "action", id: "a1", kind: "block_indicator", args: { value: "203.0.113.7" }, inject: "I1" });
		const ack = await c.type("ack", { from: n });
		assertEq([ack.seq, ack.t_us], [ack1.seq, ack1.t_us], "ack of a resent id after resume");
		assertEq(sql(db, "select count(*) from actions"), "3", "action rows after resume");
		const acts = c.msgs.filter((m) => m.type === "action");
		assertEq(acts.map((a) => [a.id, a.seq, a.t_us]), [["a1", ack1.seq, ack1.t_us], ["s1", ack1.seq + 1, acts[1] && acts[1].t_us]], "actions after resume");
		assertEq([acts[0].points, acts[0].comment], [7, "quick"], "the grade after resume");
		assert(c.msgs.some((m) => m.type === "read" && m.inject === "I1"), "the read receipt after resume");
		const f = await Client.open(srv.ws);
		assertEq((await f.hello(first.tokens.facilitator)).role, "facilitator", "facilitator after resume");
		await f.type("fleet");
		assert(f.msgs.some((m) => m.type === "grade" && m.action === ack1.seq && m.points === 7), "the facilitator's grade after resume");
		assert(f.msgs.some((m) => m.type === "read" && m.team === "red" && m.inject === "I1"), "the facilitator's read after resume");
		assertEq(f.msgs.filter((m) => m.type === "event" && m.kind === "attack.compromise").length, STORM + 1, "attack steps after resume");
		const bad = await Client.open(srv.ws);
		bad.send({ type: "hello", token: "f".repeat(32) });
		assertEq((await bad.type("error")).code, "bad_token", "a made-up token after resume");
		const r = await stopServer(srv, "SIGINT");
		assertEq(r.code, 0, "exit after SIGINT");
	}],
]);

if (srv && !srv.exited) await stopServer(srv, "SIGKILL");
fs.rmSync(dir, { recursive: true, force: true });
process.exit(failures() ? 1 : 0);

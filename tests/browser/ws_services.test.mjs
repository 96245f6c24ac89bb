// kyodo serve with declared services and credentials (CONTRACT §2-§4), against real websocket clients, on the shipped
// dealer-dms drill: the welcome lists the drill's services and credentials and the action catalog's enums hold them;
// a rotate_credential and a pause_ota_campaign are acked once stored, applied, and come back to the team with their
// results; the team's fleet messages show the rotation and the paused campaign without ground truth (who holds a
// credential, a compromise its monitoring has not seen), the facilitator's with it; a rotation of an unknown credential is refused naming the known ones; the
// journal keeps the results.
import fs from "node:fs";
import path from "node:path";
import { Client, ROOT, assert, assertEq, failures, run, sql, startServer, stopServer, tmpdir } from "./ws_lib.mjs";

const dir = tmpdir("ws-services");
const db = path.join(dir, "dms.db");
const web = path.join(dir, "web");
fs.mkdirSync(web);
fs.writeFileSync(path.join(web, "index.html"), "<!doctype html><title>p</title>\n");
fs.writeFileSync(path.join(web, "facilitator.html"), "<!doctype html><title>f</title>\n");
const scenario = path.join(ROOT, "scenarios/dealer-dms.lua");
let srv, fac, vsoc, psirt;
let nId = 0;

// Sends an action from client c; resolves with its ack (or error) and its action record.
async function act(c, kind, args) {
	const id = `s-${++nId}`, n = c.msgs.length;
	c.send({ type: "action", id, kind, args });
	const ans = await c.next((m) => (m.type === "ack" || m.type === "error") && m.id === id, { from: n, what: `the answer to ${id}` });
	const rec = ans.type === "ack" ? await c.next((m) => m.type === "action" && m.seq === ans.seq, { from: n, what: `record ${ans.seq}` }) : null;
	return { ans, rec };
}

await run([
	["the_welcome_lists_the_drills_services_and_credentials", async () => {
		srv = await startServer(scenario, ["--db", db, "--web", web, "--speed", "600"]);
		fac = await Client.open(srv.ws);
		await fac.hello(srv.tokens.facilitator);
		vsoc = await Client.open(srv.ws);
		const w = await vsoc.hello(srv.tokens.vsoc);
		psirt = await Client.open(srv.ws);
		await psirt.hello(srv.tokens.oem_psirt);
		assertEq(w.exercise.services.map((s) => [s.id, s.customers]), [["dms", 6000]], "declared services");
		assertEq(w.exercise.credentials.map((c) => [c.id, c.kind]), [["svc-dms-sync", "service_account"], ["dealer-portal", "service_account"]], "credentials");
		const a = w.exercise.catalog.actions;
		assertEq(a.rotate_credential.properties.credential.enum, ["svc-dms-sync", "dealer-portal"], "rotate_credential's enum");
		assert(a.isolate_service.properties.name.enum.includes("dms"), "isolate_service names the DMS");
		assert(a.recall && a.customer_advisory && a.pause_ota_campaign, "recall, customer_advisory, pause_ota_campaign in the catalog");
		fac.send({ type: "control", cmd: "start" });
		// after 00:10 the crew holds the sync account
		await vsoc.next((m) => m.type === "clock" && m.t_us >= 12 * 60e6, { what: "the clock past 00:12" });
	}],
	["a_rotation_is_acked_applied_and_answered_with_its_result", async () => {
		const nf = fac.msgs.length;
		const { ans, rec } = await act(vsoc, "rotate_credential", { credential: "svc-dms-sync" });
		assertEq(ans.type, "ack", "stored and acked");
		assert(!rec.error, `applied: ${JSON.stringify(rec)}`);
		assertEq([rec.kind, rec.result.credential, rec.result.rotations, rec.result.attacker_cut, rec.result.effective],
			["rotate_credential", "svc-dms-sync", 1, true, true], "the result");
		assertEq(rec.result.degraded, [], "the DMS is compromised, not up: nothing to hold degraded");
		await fac.next((m) => m.type === "action" && m.seq === ans.seq, { from: nf, what: "the facilitator's copy" });
		const again = await act(vsoc, "rotate_credential", { credential: "svc-dms-sync" });
		assertEq([again.rec.result.rotations, again.rec.result.effective], [2, false], "a second rotation cuts nothing more");
	}],
	["a_pause_of_an_ota_campaign_is_acked_and_applied", async () => {
		const { rec: ota } = await act(psirt, "ota_campaign", { ecu: "tcu", version: "2.5.0", rollout: 0.1 });
		assertEq(ota.result.campaign, 1, "campaign 1 started");
		const { ans, rec } = await act(psirt, "pause_ota_campaign", { campaign: 1 });
		assertEq(ans.type, "ack", "stored and acked");
		assertEq([rec.result.campaign, rec.result.paused, rec.result.was_paused], [1, true, false], "the result");
		const n = psirt.msgs.length;
		const f = await psirt.next((m) => m.type === "fleet" && m.ota_campaigns?.length === 1, { from: n, what: "a fleet message after the pause" });
		// before 01:00 the DMS is compromised, which its monitoring does not show
		assertEq([f.observed, f.ota_campaigns[0].paused, f.services.dms], [true, true, "up"], "the team's view");
		assertEq(f.credentials.map((c) => [c.id, c.rotations]), [["svc-dms-sync", 2], ["dealer-portal", 0]], "the team's credentials");
		assert(f.credentials.every((c) => c.leaked === undefined), `no ground truth for a team: ${JSON.stringify(f.credentials)}`);
		const ff = await fac.next((m) => m.type === "fleet" && m.ota_campaigns?.length === 1 && m.credentials, { from: fac.msgs.length, what: "the facilitator's fleet" });
		assertEq(ff.credentials.map((c) => c.leaked), [false, false], "the facilitator sees who holds what");
		assertEq(ff.services.dms, "compromised", "and the DMS as it is");
	}],
	["an_unknown_credential_is_refused_naming_the_known_ones", async () => {
		const { ans } = await act(vsoc, "rotate_credential", { credential: "svc-dms-synk" });
		assertEq(ans.type, "error", "refused before it is stored");
		assert(ans.message.includes("'svc-dms-synk' is not one of: svc-dms-sync, dealer-portal"), ans.message);
	}],
	["the_server_stops_cleanly_and_the_journal_keeps_the_results", async () => {
		for (const c of [vsoc, psirt, fac]) c.close();
		const r = await stopServer(srv);
		assertEq(r.code, 0, "exit code");
		assertEq(sql(db, "select count(*) from actions where kind = 'rotate_credential'"), "2", "two rotations stored");
		assert(sql(db, "select result from actions where kind = 'pause_ota_campaign'").includes('"paused":true'), "the pause's result");
		assertEq(sql(db, "select count(*) from events where kind = 'credential.rotated'"), "2", "rotation events");
	}],
]);
process.exit(failures() ? 1 : 0);

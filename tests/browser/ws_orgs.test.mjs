// kyodo serve with organisations (CONTRACT §2-§4) against real websocket clients: the welcome names the team's org
// and an OEM's catalog holds its own cohorts only; a share's TLP delivery matrix (RED/AMBER/GREEN/CLEAR × a team
// of the sender's org, of another org, the ISAC's, and "all") as the connected teams receive it live; a team's fleet
// messages hold its own org's cars only, the ISAC's and the facilitator's every org's; an action on another org's
// service is acked, refused by the world and shown to the team with the org named; a notify to the regulator org
// reaches its liaison team only. Fixture: tests/data/scn/orgs_small.lua.
import fs from "node:fs";
import path from "node:path";
import { Client, ROOT, assert, assertEq, failures, run, sleep, startServer, stopServer, tmpdir } from "./ws_lib.mjs";

const dir = tmpdir("ws-orgs");
const db = path.join(dir, "orgs.db");
const web = path.join(dir, "web");
fs.mkdirSync(web);
fs.writeFileSync(path.join(web, "index.html"), "<!doctype html><title>p</title>\n");
fs.writeFileSync(path.join(web, "facilitator.html"), "<!doctype html><title>f</title>\n");
const scenario = path.join(ROOT, "tests/data/scn/orgs_small.lua");
const TEAMS = ["a1", "a2", "b1", "b2", "sup", "isac1", "reg1"];
const ORG = { a1: "oem_a", a2: "oem_a", b1: "oem_b", b2: "oem_b", sup: "tier1", isac1: "isac", reg1: "reg" };
let srv, fac;
const c = {};
let nId = 0;

// Sends an action from team t; resolves with its ack (or error) and its action record.
async function act(t, kind, args) {
	const id = `c-${++nId}`, n = c[t].msgs.length;
	c[t].send({ type: "action", id, kind, args });
	const ans = await c[t].next((m) => (m.type === "ack" || m.type === "error") && m.id === id, { from: n, what: `the answer to ${id}` });
	const rec = ans.type === "ack" ? await c[t].next((m) => m.type === "action" && m.seq === ans.seq, { from: n, what: `record ${ans.seq}` }) : null;
	return { ans, rec };
}

await run([
	["every_team_joins_and_its_welcome_names_its_org", async () => {
		srv = await startServer(scenario, ["--db", db, "--web", web, "--speed", "600"]);
		fac = await Client.open(srv.ws);
		const fw = await fac.hello(srv.tokens.facilitator);
		assertEq(fw.exercise.orgs.map((o) => [o.id, o.kind]), [["oem_a", "oem"], ["oem_b", "oem"], ["tier1", "supplier"],
			["isac", "isac"], ["reg", "regulator"]], "the facilitator's orgs");
		for (const t of TEAMS) {
			c[t] = await Client.open(srv.ws);
			const w = await c[t].hello(srv.tokens[t]);
			assertEq([w.team, w.org], [t, ORG[t]], `${t}'s welcome`);
			assert(w.exercise.teams.every((x) => typeof x.org === "string"), "teams carry their org");
		}
		const wa = c.a1.msgs.find((m) => m.type === "welcome"), wi = c.isac1.msgs.find((m) => m.type === "welcome");
		assertEq(wa.exercise.catalog.cohorts.map((x) => x.model), ["A-Sedan"], "oem_a's catalog: its own cohorts");
		assertEq(wa.exercise.catalog.models, ["A-Sedan"], "oem_a's models");
		assertEq(wi.exercise.catalog.cohorts.length, 3, "the ISAC's catalog: every org's cohorts");
		// another maker's declared services, credentials, models and regions are in none of an OEM team's lists or schemas
		const ca = wa.exercise.catalog, wb = c.b1.msgs.find((m) => m.type === "welcome");
		assertEq([(wa.exercise.services || []).map((x) => x.id), (wa.exercise.credentials || []).map((x) => x.id)], [["a_portal"], []], "oem_a's services and credentials");
		assertEq(ca.services, ["telematics", "ota", "vsoc", "pki", "app_api", "a_portal"], "oem_a's catalog services");
		const sa = JSON.stringify(ca.actions);
		for (const x of ["b_portal", "b-portal-key", "B-SUV", "B-Kei", "JP-Chubu", "oem_b"]) assert(!sa.includes(`"${x}"`) && !sa.includes(`|${x}`), `oem_a's schemas name ${x}`);
		assert(!ca.actions.rotate_credential && !ca.action_kinds.some((k) => k.kind === "rotate_credential"), "no credential of its own to rotate: no such action shown");
		assertEq(ca.actions.recall.properties.select.properties.model.pattern, "^(A-Sedan)$", "the model pattern names its own models");
		assertEq(ca.actions.isolate_service.properties.org.enum, ["oem_a"], "a service action names its own org");
		assert(ca.actions.notify.properties.party.enum.includes("isac"), "a notify may still name the ISAC");
		assertEq([wb.exercise.catalog.services.at(-1), wb.exercise.catalog.credentials.map((x) => x.id), !!wb.exercise.catalog.actions.rotate_credential],
			["b_portal", ["b-portal-key"], true], "oem_b's own service and the key that reaches it");
		assertEq(wi.exercise.services.map((x) => x.id), ["a_portal", "b_portal"], "the ISAC's services: every org's");
		fac.send({ type: "control", cmd: "start" });
		await fac.next((m) => m.type === "clock" && m.running === true);
	}],
	["a_shares_tlp_decides_who_receives_it_live", async () => {
		// sender a1 (oem_a); a2 shares oem_a, b1/b2 are oem_b, isac1 the ISAC, reg1 the regulator, sup a supplier
		const cases = [
			["a2", "red", ["a2"]], ["a2", "amber", ["a2"]], ["a2", "green", ["a2"]], ["a2", "clear", ["a2"]],
			["b1", "red", ["b1"]], ["b1", "amber", ["b1", "b2"]], ["b1", "green", ["b1"]], ["b1", "clear", ["b1"]],
			["isac1", "red", ["isac1"]], ["isac1", "amber", ["isac1"]], ["isac1", "green", ["isac1"]], ["isac1", "clear", ["isac1"]],
			["all", "amber", ["a2"]], ["all", "green", ["a2", "b1", "b2", "sup", "isac1"]],
			["all", "clear", ["a2", "b1", "b2", "sup", "isac1", "reg1"]],
		];
		const start = Object.fromEntries(TEAMS.map((t) => [t, c[t].msgs.length]));
		for (const [to, tlp] of cases) {
			const { ans } = await act("a1", "share", { to, tlp, text: `m ${to} ${tlp}` });
			assertEq(ans.type, "ack", `share to ${to} ${tlp}`);
		}
		// the last share to everyone is the marker: once every recipient has it, everything before it arrived too
		await Promise.all(["a2", "b1", "b2", "sup", "isac1", "reg1"].map((t) => c[t].next((m) => m.type === "message" && m.text === "m all clear", { from: start[t] })));
		await c.a1.next((m) => m.type === "message" && m.text === "m all clear", { from: start.a1 });  // the sender's copy
		for (const [to, tlp, want] of cases) {
			const got = TEAMS.filter((t) => t !== "a1" && c[t].msgs.slice(start[t]).some((m) => m.type === "message" && m.text === `m ${to} ${tlp}`));
			assertEq(got, want, `share to ${to} TLP:${tlp.toUpperCase()} received by`);
		}
		const m = c.b2.msgs.find((x) => x.type === "message" && x.text === "m b1 amber");
		assertEq([m.from, m.from_org, m.tlp, m.recipients], ["a1", "oem_a", "amber", ["b1", "b2"]], "the message's fields");
		assert(fac.msgs.some((x) => x.type === "message" && x.text === "m b1 red"), "the facilitator sees every share");
		const { ans } = await act("a1", "share", { to: "all", tlp: "red", text: "nope" });
		assertEq([ans.type, ans.code], ["error", "rejected"], "TLP:RED to all");
	}],
	["a_teams_fleet_messages_hold_its_own_orgs_cars_only", async () => {
		const n = Object.fromEntries(TEAMS.map((t) => [t, c[t].msgs.length])), nf = fac.msgs.length;
		await Promise.all([...TEAMS.map((t) => c[t].next((m) => m.type === "fleet", { from: n[t] })), fac.next((m) => m.type === "fleet", { from: nf })]);
		await sleep(1200);  // a few more samples
		const fleets = (t) => c[t].msgs.filter((m) => m.type === "fleet");
		assert(fleets("a1").every((m) => m.total === 3000 && m.org === "oem_a" && m.observed === true), `a1: ${JSON.stringify(fleets("a1").at(-1))}`);
		assert(fleets("b1").every((m) => m.total === 3000 && m.org === "oem_b"), `b1: ${JSON.stringify(fleets("b1").at(-1))}`);
		assert(fleets("sup").every((m) => m.total === 0 && m.org === "tier1"), `a supplier has no fleet: ${JSON.stringify(fleets("sup").at(-1))}`);
		assert(fleets("a1").every((m) => m.orgs === undefined && m.team_views === undefined), "an OEM team sees no other org");
		const fi = fleets("isac1").at(-1);
		assertEq([fi.total, Object.keys(fi.orgs).sort()], [6000, ["oem_a", "oem_b"]], "the ISAC's totals cover every org with cars");
		assertEq(fi.orgs.oem_a.total + fi.orgs.oem_b.total, fi.total, "the ISAC's per-org totals sum");
		const ff = fac.msgs.filter((m) => m.type === "fleet").at(-1);
		assertEq([ff.total, ff.orgs.oem_a.total, ff.orgs.oem_b.total], [6000, 3000, 3000], "the facilitator's truth covers every org");
		assert(ff.compromised === ff.orgs.oem_a.compromised + ff.orgs.oem_b.compromised, "per-org compromised sum to the total");
		// the welcome's history: a team's samples are its own org's too
		const late = await Client.open(srv.ws);
		await late.hello(srv.tokens.b2);
		const h = await late.type("fleet_history");
		assert(h.samples.length > 1 && h.samples.every((s) => s.total === 3000 && s.org === "oem_b"), `b2's history: ${JSON.stringify(h.samples.at(-1))}`);
		late.close();
	}],
	["an_action_on_another_orgs_service_is_refused_naming_it", async () => {
		const { ans, rec } = await act("a1", "isolate_service", { name: "telematics", org: "oem_b" });
		assertEq(ans.type, "ack", "stored and acked");
		assert(rec.error && rec.error.includes("'oem_b' is another organisation's"), `record: ${JSON.stringify(rec)}`);
		const { rec: own } = await act("b1", "isolate_service", { name: "ota" });
		assert(!own.error && own.result && own.result.org === "oem_b", `b1's own: ${JSON.stringify(own)}`);
		const { rec: isac } = await act("isac1", "revoke_certificate", { scope: "all" });
		assert(isac.error && isac.error.includes("organisation isac is a isac without cars"), `isac: ${JSON.stringify(isac)}`);
	}],
	["a_notify_to_the_regulator_reaches_its_liaison_live", async () => {
		const n = Object.fromEntries(TEAMS.map((t) => [t, c[t].msgs.length]));
		const { ans } = await act("a1", "notify", { party: "reg", stage: "initial", text: "n to the regulator" });
		assertEq(ans.type, "ack", "notify acked");
		const m = await c.reg1.next((x) => x.type === "message" && x.text === "n to the regulator", { from: n.reg1 });
		assertEq([m.from, m.from_org, m.to, m.tlp, m.notify], ["a1", "oem_a", "reg", "amber", { party: "reg", stage: "initial" }], "the notification's fields");
		await sleep(300);
		const got = TEAMS.filter((t) => t !== "a1" && c[t].msgs.slice(n[t]).some((x) => x.type === "message" && x.text === "n to the regulator"));
		assertEq(got, ["reg1"], "received by the regulator's team only");
	}],
	["the_server_stops_cleanly", async () => {
		for (const t of TEAMS) c[t].close();
		fac.close();
		const r = await stopServer(srv);
		assertEq(r.code, 0, "exit code");
	}],
]);
process.exit(failures() ? 1 : 0);

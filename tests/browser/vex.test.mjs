// kyodo report --vex: the CycloneDX 1.5 VEX of each org's final vulnerability assessments, read from the journal of a
// real `kyodo run` of the shipped SBOM drill. Valid against the CycloneDX 1.5 JSON schema (kept in tests/data/cyclonedx,
// checked with ajv), the same bytes for two runs of the same drill and actions, and saying what the teams stated.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { ROOT, KYODO, check, failures, tmpdir } from "./ws_lib.mjs";

const dir = tmpdir("vex");
const scn = path.join(ROOT, "scenarios/sbom-zlib.lua");
const schemaDir = path.join(ROOT, "tests/data/cyclonedx");

function runAndReport(tag, actions) {
	const db = path.join(dir, `${tag}.db`), out = path.join(dir, `${tag}.vex.json`);
	execFileSync(KYODO, ["run", scn, "--actions", actions, "--db", db], { stdio: ["ignore", "ignore", "pipe"] });
	const r = spawnSync(KYODO, ["report", db, "--vex", out], { encoding: "utf8" });
	check(`report_vex_exits_0_${tag}`, r.status === 0, `exit ${r.status}: ${r.stderr}`);
	return fs.readFileSync(out, "utf8");
}

const good = path.join(ROOT, "scenarios/sbom-zlib.good.jsonl");
const text1 = runAndReport("good1", good);
const text2 = runAndReport("good2", good);
check("vex_is_the_same_for_two_runs_of_the_same_drill", text1 === text2, "the two VEX files differ");

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
// the two formats the schema uses that ajv-formats lacks (RFC 3987 IRI references, RFC 6531 addresses), checked
// for the characters those grammars exclude rather than ignored
ajv.addFormat("iri-reference", /^[^\s<>"{}|\\^`\u0000-\u001f\u007f]*$/u);
ajv.addFormat("idn-email", /^[^\s@]+@[^\s@]+$/u);
for (const f of ["spdx.schema.json", "jsf-0.82.schema.json"]) ajv.addSchema(JSON.parse(fs.readFileSync(path.join(schemaDir, f), "utf8")));
const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(schemaDir, "bom-1.5.schema.json"), "utf8")));
const vex = JSON.parse(text1);
check("vex_is_valid_cyclonedx_1_5", validate(vex), JSON.stringify(validate.errors, null, 1));

// the validator does catch a broken document (so the check above can fail)
const broken = structuredClone(vex);
broken.vulnerabilities[0].analysis.state = "probably_fine";
check("schema_check_refuses_a_bad_analysis_state", !validate(broken), "accepted");
const badLink = structuredClone(vex);
badLink.components[0].externalReferences = [{ type: "bom", url: "urn:cdx:not a link" }];
check("schema_check_refuses_a_bad_iri", !validate(badLink), "accepted");

// what the teams said, per org (here: per team), and nothing else
const byOrg = {};
for (const v of vex.vulnerabilities || []) {
	const org = v.properties.find((p) => p.name === "kyodo:org").value;
	for (const a of v.affects) (byOrg[org] ??= {})[a.ref] = v.analysis.state + (v.analysis.justification ? "/" + v.analysis.justification : "");
}
const want = {
	tier1_tcu: { "firmware/tcu@3.2.0": "exploitable", "firmware/tcu@2.8.1": "not_affected/code_not_reachable" },
	tier1_ivi: { "firmware/ivi@6.1.0": "exploitable", "firmware/ivi@6.2.0": "not_affected/code_not_reachable" },
	tier1_gw: { "firmware/gw@1.5.0": "not_affected/code_not_present", "firmware/gw@1.6.0": "not_affected/code_not_present" },
	oem_psirt: { "firmware/tcu@3.2.0": "exploitable", "firmware/ivi@6.1.0": "exploitable", "firmware/tcu@2.8.1": "not_affected/code_not_reachable",
	             "firmware/gw@1.5.0": "not_affected/code_not_reachable" },
};
check("vex_states_each_orgs_final_assessments", JSON.stringify(byOrg) === JSON.stringify(want), JSON.stringify(byOrg));
check("vex_names_the_vulnerability_with_its_advisory", vex.vulnerabilities.every((v) => v.id === "CVE-2022-37434" && v.source?.name === "NVD" &&
	v.ratings?.[0]?.score === 9.8), JSON.stringify(vex.vulnerabilities[0]));
const tcu = vex.components.find((c) => c["bom-ref"] === "firmware/tcu@3.2.0");
check("vex_links_a_product_to_its_sbom", tcu?.externalReferences?.[0]?.url === "urn:cdx:7d0a3f1e-2c5b-4a8e-9f61-3b2d0c9e0320/1", JSON.stringify(tcu));

// a later statement replaces an earlier one for the same product: the poor script's IVI team said not_affected for both
const poor = JSON.parse(runAndReport("poor", path.join(ROOT, "scenarios/sbom-zlib.poor.jsonl")));
check("vex_of_the_poor_run_is_valid_too", validate(poor), JSON.stringify(validate.errors, null, 1));
const ivi = (poor.vulnerabilities || []).filter((v) => v.properties.some((p) => p.value === "tier1_ivi"));
check("a_wrong_not_affected_is_exported_as_stated", ivi.length === 1 && ivi[0].analysis.state === "not_affected" &&
	ivi[0].affects.map((a) => a.ref).join() === "firmware/ivi@6.1.0,firmware/ivi@6.2.0", JSON.stringify(ivi));

// the report refuses what is not a journal
const bad = path.join(dir, "not.db");
fs.writeFileSync(bad, "not a journal");
const r = spawnSync(KYODO, ["report", bad, "--vex", path.join(dir, "x.json")], { encoding: "utf8" });
check("report_vex_refuses_a_file_that_is_not_a_journal", r.status === 1 && r.stderr.includes(bad), `exit ${r.status}: ${r.stderr}`);

fs.rmSync(dir, { recursive: true, force: true });
process.exit(failures() ? 1 : 0);

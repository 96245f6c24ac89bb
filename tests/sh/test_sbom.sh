#!/bin/sh
# SBOM and VEX through the command line: the SBOM working group's drill (its good script meets every expectation, a
# wrong not_affected costs points), the advisory an inject carries, the ground truth the journal keeps, the Lua
# queries (purl, group, range, vulnerability), and documents refused with FILE and the JSON path (kyodo check).
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
S=scenarios/sbom-zlib.lua

num() { # json key -> the first number after it
	printf '%s' "$1" | sed -n "s/.*\"$2\":\(-\{0,1\}[0-9.]*\).*/\1/p" | head -n 1
}

out=$("$KYODO" check "$S" 2>&1)
expect_eq "sbom_drill_passes_check" "$?" 0
nexp=$(printf '%s\n' "$out" | sed -n 's/^expectations *\([0-9]*\).*/\1/p')
expect_eq "sbom_drill_has_11_expectations" "$nexp" 11

# The good script meets every expectation; the poor one pays for a wrong not_affected.
j=$("$KYODO" run "$S" --actions scenarios/sbom-zlib.good.jsonl --db "$TMP/good.db" --json 2>"$TMP/err")
expect_eq "good_run_exits_0" "$?" 0
expect_eq "good_run_refuses_no_action" "$(cat "$TMP/err")" ""
met=$(printf '%s' "$j" | grep -o '"met":[0-9]*' | sed 's/.*://' | awk '{ s += $1 } END { print s }')
missed=$(printf '%s' "$j" | grep -o '"missed":[0-9]*' | sed 's/.*://' | awk '{ s += $1 } END { print s }')
expect_eq "good_script_meets_every_expectation" "$met/$missed" "$nexp/0"
adj=$(printf '%s' "$j" | grep -o '"adjust":[-0-9.]*' | sed 's/.*://' | awk '{ s += $1 } END { print s }')
expect_eq "good_script_makes_no_wrong_claim" "$adj" 0
j=$("$KYODO" run "$S" --actions scenarios/sbom-zlib.poor.jsonl --json 2>/dev/null)
ivi=$(printf '%s' "$j" | sed -n 's/.*"tier1_ivi":{\([^}]*\)}.*/\1/p')
expect_eq "a_wrong_not_affected_costs_25_points" "$(num "{$ivi" adjust)" "-25.0"

# The inject carries the advisory (CycloneDX); the journal keeps the ground truth for the report.
msg=$(sqlite3 "$TMP/good.db" "select msg from injects where id = 'Z1'")
expect_contains "inject_carries_the_advisory" "$msg" '"advisory":{"bomFormat":"CycloneDX"'
expect_contains "advisory_names_the_cve" "$msg" '"id":"CVE-2022-37434"'
sb=$(sqlite3 "$TMP/good.db" "select value from meta where key = 'sbom'")
expect_contains "journal_keeps_the_firmware_sboms" "$sb" '"serial":"urn:uuid:7d0a3f1e-2c5b-4a8e-9f61-3b2d0c9e0281","bom_version":3'
truth=$(printf '%s' "$sb" | grep -o '"firmware":\[{"ecu":"tcu","version":"3.2.0","path"[^]]*\][^]]*\]' | head -n 1)
expect_contains "journal_keeps_the_ground_truth_with_its_path" "$truth" '"path":["tcu@3.2.0","tier1-tcu/ota-agent@2.1.0"]'
log=$(sqlite3 "$TMP/good.db" "select detail from events where kind = 'log'")
expect_contains "ground_truth_in_the_facilitators_timeline" "$log" "65000 cars affected"

# Lua queries: every way of naming a component, ranges, a vulnerability; typos told apart from a clean fleet.
mkdir -p "$TMP/q"
cp scenarios/sbom-zlib.*.json "$TMP/q/"
cat >"$TMP/q/q.lua" <<'EOF'
scenario { id = "q", title = "queries", duration = "1h" }
teams { { id = "t", name = "T" } }
fleet { { model = "M", count = 100, region = "R", ecus = { tcu = "3.2.0", ivi = "6.1.0" } },
        { model = "N", count = 10, region = "R", ecus = { tcu = "2.8.1" } } }
sbom.load("sbom-zlib.tcu-3.2.0.cdx.json")
sbom.load("sbom-zlib.tcu-2.8.1.cdx.json")
sbom.load("sbom-zlib.ota-agent-2.1.0.cdx.json", { part = true })
sbom.load("sbom-zlib.ivi-6.1.0.cdx.json")
sbom.load("sbom-zlib.advisory.cdx.json")
local function n(q) return sbom.affected(q).cars end
at("00:01:00", function()
	log("purl=" .. n { component = "pkg:generic/zlib@1.2.12" } .. " plain=" .. n { component = "zlib@1.2.11" } ..
	    " group=" .. n { component = "tier1-tcu/ota-agent@2.1.0" } .. " range=" .. n { component = "zlib", range = "vers:generic/<1.2.13" } ..
	    " inline=" .. n { component = "pkg:generic/zlib@vers:generic/<1.2.12" } .. " vuln=" .. n { vulnerability = "CVE-2022-37434" })
	local typo = sbom.affected { component = "zlib@1.2.3" }
	log("typo known=" .. tostring(typo.known) .. " other=" .. table.concat(typo.other_versions, ",") .. " note=" .. typo.note)
	local p = sbom.affected { component = "libarchive@3.6.1" }.firmware[1]
	log("path=" .. table.concat(p.path, " > ") .. " direct=" .. tostring(p.direct))
end)
EOF
"$KYODO" run "$TMP/q/q.lua" --db "$TMP/q.db" >/dev/null 2>"$TMP/qerr"
expect_eq "query_scenario_runs_without_errors" "$(cat "$TMP/qerr")" ""
log=$(sqlite3 "$TMP/q.db" "select detail from events where kind = 'log'")
expect_contains "queries_count_cars" "$log" "purl=100 plain=10 group=100 range=110 inline=10 vuln=110"
expect_contains "a_typo_says_which_versions_are_known" "$log" "typo known=false other=1.2.11,1.2.12 note=no component 'zlib@1.2.3' in any SBOM; 'zlib' is known at 1.2.11, 1.2.12"
expect_contains "the_path_goes_through_the_parts_own_sbom" "$log" "path=tcu@3.2.0 > tier1-tcu/ota-agent@2.1.0 > libarchive@3.6.1 direct=false"

# Refused with FILE:LINE, the document and the JSON path.
mkdir -p "$TMP/bad"
printf '%s\n' '{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"zlib","version":"1.2.12"},' \
	'{"name":"busybox","version":"1.36.1","purl":"pkg:/busybox@1.36.1"}]}' >"$TMP/bad/tcu-1.0.0.cdx.json"
printf '%s\n' '{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"a",' >"$TMP/bad/cut.cdx.json"
printf '%s\n' '{"bomFormat":"CycloneDX","specVersion":"1.5","components":[]}' >"$TMP/bad/empty.cdx.json"
head='scenario { id = "b", title = "b", duration = "1h" } teams { { id = "t", name = "T" } }
fleet { { model = "M", count = 1, region = "R", ecus = { tcu = "1.0.0" } } }'
printf '%s\n%s\n' "$head" 'sbom.load("tcu-1.0.0.cdx.json")' >"$TMP/bad/purl.lua"
err=$("$KYODO" check "$TMP/bad/purl.lua" 2>&1 >/dev/null)
expect_contains "bad_purl_refused_with_file_line_document_and_path" "$err" \
	"$TMP/bad/purl.lua:3: sbom.load: tcu-1.0.0.cdx.json: \$.components[1].purl: 'pkg:/busybox@1.36.1' is not a package URL"
printf '%s\n%s\n' "$head" 'sbom.load("cut.cdx.json", { ecu = "tcu", version = "1.0.0" })' >"$TMP/bad/cut.lua"
err=$("$KYODO" check "$TMP/bad/cut.lua" 2>&1 >/dev/null)
expect_contains "cut_json_refused_with_line_column_and_path" "$err" "cut.cdx.json: not JSON: line 2 column 1 (\$.components[0]): expected a key"
printf '%s\n%s\n' "$head" 'inject { at = "00:10:00", to = "t", title = "x", advisory = "empty.cdx.json" }' >"$TMP/bad/adv.lua"
err=$("$KYODO" check "$TMP/bad/adv.lua" 2>&1 >/dev/null)
expect_contains "an_advisory_without_vulnerabilities_is_refused" "$err" "empty.cdx.json has no vulnerabilities"
printf '%s\n%s\n' "$head" 'sbom.load("empty.cdx.json", { part = true })' >"$TMP/bad/part.lua"
err=$("$KYODO" check "$TMP/bad/part.lua" 2>&1 >/dev/null)
expect_contains "a_part_needs_its_metadata_component" "$err" "\$.metadata.component: a part's SBOM needs metadata.component"
done_tests

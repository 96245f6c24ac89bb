#!/bin/sh
# The national multi-organisation drill through the CLI (CONTRACT §1 `orgs` in the --json summary): its good script
# meets every expectation with nothing refused and keeps B and C from being hit; the ISAC's sharing measurably changes
# the outcome (the same script without the ISAC team's actions, and, once the harm index has landed, its
# counterfactual attribution impact.teams.isac_soc.averted > 0); the per-org summary sums to the totals; same seed,
# same hash with orgs; and `orgs` is absent from the summary of a drill without orgs.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
N=scenarios/national-relay

json() { # FILE EXPR -> the value of the JS expression EXPR over the summary s in FILE
	node -e "const s = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')); console.log(JSON.stringify($2))" "$1"
}

"$KYODO" check "$N.lua" >"$TMP/check" 2>&1
expect_eq "national_drill_checks" "$?" 0
expect_contains "national_drill_title_in_japanese" "$(cat "$TMP/check")" "全国合同演習"

"$KYODO" run "$N.lua" --actions "$N.good.jsonl" --json >"$TMP/good.json" 2>"$TMP/good.err"
expect_eq "good_runs" "$?" 0
expect_eq "good_refuses_nothing" "$(json "$TMP/good.json" 's.actions.refused')" 0
expect_eq "good_keeps_b_and_c_unhurt" "$(json "$TMP/good.json" '[s.orgs.oem_b.compromised_car_hours, s.orgs.oem_c.compromised_car_hours]')" "[0,0]"
expect_eq "good_relays_once_and_b_ingests" "$(json "$TMP/good.json" '[s.sharing.relays, s.sharing.ingests]')" "[1,1]"
for k in total compromised patched offline records_exfiltrated; do
	expect_eq "orgs_sum_to_the_totals_$k" "$(json "$TMP/good.json" "Object.values(s.orgs).reduce((a, o) => a + o.$k, 0) === s.fleet.$k")" true
done

# the journal (at the shipped 1/100 scale): every share with its TLP, and small beside the world's snapshots
"$KYODO" run "$N.lua" --actions "$N.good.jsonl" --db "$TMP/n.db" >/dev/null 2>&1
expect_eq "every_share_is_journaled" "$(sqlite3 "$TMP/n.db" "select count(*) from events where kind = 'share'")" 5
expect_eq "the_relay_is_journaled_with_its_origin" \
	"$(sqlite3 "$TMP/n.db" "select json_extract(detail, '$.tlp') || ' ' || json_extract(detail, '$.relay_of.from') || ' ' || json_extract(detail, '$.ingest[0].org') from events where kind = 'share' and json_extract(detail, '$.relay_of') is not null")" \
	"green a_vsoc oem_b"
rest=$(sqlite3 "$TMP/n.db" "select (select coalesce(sum(length(detail)), 0) from events) + (select coalesce(sum(length(data)), 0) from metrics)")
if [ "$rest" -lt 6000000 ]; then pass "the_journal_besides_snapshots_stays_small"; else fail "the_journal_besides_snapshots_stays_small" "$rest bytes"; fi

# the same script without the ISAC team's actions: oem_b is hit
grep -v '"team":"isac_soc"' "$N.good.jsonl" >"$TMP/noisac.jsonl"
"$KYODO" run "$N.lua" --actions "$TMP/noisac.jsonl" --json >"$TMP/noisac.json" 2>/dev/null
expect_eq "without_the_isac_oem_b_is_hit" "$(json "$TMP/noisac.json" 's.orgs.oem_b.compromised_car_hours > 100 && s.orgs.oem_b.records_exfiltrated > 1000')" true
expect_eq "the_isac_averts_records_leaked" "$(node -e "const f = (p) => JSON.parse(require('fs').readFileSync(p, 'utf8')).fleet.records_exfiltrated; console.log(f(process.argv[1]) < f(process.argv[2]))" "$TMP/good.json" "$TMP/noisac.json")" true
# the harm index and its attribution (issue 12): the ISAC's share of the harm averted
expect_eq "impact_isac_averted_is_positive" "$(json "$TMP/good.json" 's.impact.teams.isac_soc.averted > 0')" true

# determinism with orgs, and no orgs in a drill without them
h1=$("$KYODO" run "$N.lua" --seed 9 --actions "$N.poor.jsonl" --json 2>/dev/null | sed -n 's/.*"state_hash":"\([0-9a-f]*\)".*/\1/p')
h2=$("$KYODO" run "$N.lua" --seed 9 --actions "$N.poor.jsonl" --json 2>/dev/null | sed -n 's/.*"state_hash":"\([0-9a-f]*\)".*/\1/p')
h3=$("$KYODO" run "$N.lua" --seed 10 --actions "$N.poor.jsonl" --json 2>/dev/null | sed -n 's/.*"state_hash":"\([0-9a-f]*\)".*/\1/p')
expect_eq "same_seed_same_hash_with_orgs" "$h1" "$h2"
if [ -n "$h1" ] && [ "$h1" != "$h3" ]; then pass "another_seed_another_hash_with_orgs"; else fail "another_seed_another_hash_with_orgs" "$h1 $h3"; fi
"$KYODO" run scenarios/tcu-remote.lua --json >"$TMP/plain.json" 2>/dev/null
expect_eq "no_orgs_in_a_drill_without_them" "$(json "$TMP/plain.json" '[s.orgs, s.sharing, s.fleet.orgs]')" "[null,null,null]"

# a cross-org action from a script: refused with the org named (CONTRACT §1 stderr), counted, the run goes on
printf '%s\n' '{"t":"00:30:00","team":"b_soc","kind":"isolate_service","args":{"name":"ota","org":"oem_a"}}' >"$TMP/cross.jsonl"
"$KYODO" run "$N.lua" --actions "$TMP/cross.jsonl" --json >"$TMP/cross.json" 2>"$TMP/cross.err"
expect_eq "cross_org_run_exits_0" "$?" 0
expect_contains "cross_org_refusal_on_stderr" "$(cat "$TMP/cross.err")" "b_soc isolate_service: refused: isolate_service: org: 'oem_a' is another organisation's"
expect_eq "cross_org_refusal_counted" "$(json "$TMP/cross.json" 's.actions.refused')" 1
done_tests

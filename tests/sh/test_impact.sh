#!/bin/sh
# The impact figures and the fairness rules through the command line (CONTRACT §1 `impact`, §2 harm{} and the
# effect-gated expectations): kyodo run --json / --no-impact / --sweep / --db, kyodo check on the new declarations.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
D=tests/data/impact
S=$D/breach.lua

field() { # json key -> value (numbers or strings) of the first occurrence
	printf '%s' "$1" | sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
}
status_of() { # summary label -> status of that expectation
	printf '%s' "$1" | sed -n "s/.*\"label\":\"$2\"[^}]*\"status\":\"\([a-z]*\)\".*/\1/p" | head -n 1
}

# check: the declarations are accepted, and each bad one is refused with FILE:LINE and what is wrong
out=$("$KYODO" check "$S" 2>&1)
expect_eq "check_fixture_exits_0" "$?" 0
for b in "bad_effect_key:effect.reach: ota_campaign reports no such effect (it reports: coverage targeted)" \
	"bad_effect_range:effect.coverage: expected a number from 0 to 1" \
	"bad_contains_kind:contains: block_indicator has no text to look in" \
	"bad_contains_re:contains[2]: '/([/' is not a valid regular expression" \
	"bad_harm:harm: unknown quantity 'customers' (known: compromised_car_hours, records, unsafe_events, bricked, customer_hours)" \
	"bad_penalty_metric:penalty: unknown metric 'customer_hour'" \
	"bad_attach_path:only a file in the scenario's own folder" \
	"bad_attach_both:give either text or file" \
	"bad_attach_type:type 'Text Plain': expected a MIME type" \
	"bad_attach_big:text is larger than 256 KiB" \
	"bad_attach_name:name 'a/b.log': no '/'"; do
	name=${b%%:*}
	want=${b#*:}
	err=$("$KYODO" check "$D/$name.lua" 2>&1 >/dev/null)
	expect_eq "check_${name}_exits_1" "$?" 1
	expect_contains "check_${name}_says_why" "$err" "$D/$name.lua:4: "
	expect_contains "check_${name}_message" "$err" "$want"
done

# run --json: the impact object of CONTRACT §1, its formulas, and the harm index in the fleet metrics
j=$("$KYODO" run "$S" --actions $D/breach.good.jsonl --json 2>"$TMP/err")
expect_eq "run_exits_0" "$?" 0
expect_eq "run_no_stderr" "$(cat "$TMP/err")" ""
for k in impact harm baseline averted teams; do
	case "$j" in *"\"$k\":"*) pass "impact_has_$k" ;; *) fail "impact_has_$k" "missing in: $j" ;; esac
done
im=$(printf '%s' "$j" | sed 's/.*"impact":{\(.*\)}.*/\1/')
top=$(printf '%s' "$im" | sed 's/"teams".*//')  # the figures before the per-team ones
h=$(field "$top" harm)
h0=$(field "$top" baseline)
a=$(field "$top" averted)
if awk -v h="$h" -v h0="$h0" -v a="$a" 'BEGIN { d = (h0 - h) / h0 - a; exit !(h0 > 0 && d < 1e-9 && d > -1e-9 && a > 0.5) }'; then
	pass "averted_is_baseline_minus_harm_over_baseline"
else fail "averted_is_baseline_minus_harm_over_baseline" "harm $h baseline $h0 averted $a"; fi
expect_contains "impact_per_team" "$im" "\"vsoc\":{\"averted\":"
expect_contains "fleet_has_harm" "$j" "\"customer_hours\":"
j2=$("$KYODO" run "$S" --actions $D/breach.good.jsonl --json 2>/dev/null)
expect_eq "same_inputs_same_impact" "$(printf '%s' "$j2" | sed 's/.*"impact":{\(.*\)}.*/\1/')" "$im"

# the fairness rules on the fixture: the good script meets every expectation; the weak one (an unused indicator,
# an update of too few cars, a notice without the facts, sent twice) none
for l in B1-block-c2 B1-block-key B2-fleet-update B3-facts; do
	expect_eq "good_meets_$l" "$(status_of "$j" "$l")" met
done
w=$("$KYODO" run "$S" --actions $D/breach.weak.jsonl --json 2>/dev/null)
for l in B1-block-c2 B2-fleet-update B3-facts; do
	expect_eq "weak_misses_$l" "$(status_of "$w" "$l")" missed
done
expect_contains "weak_repeat_counted" "$w" "\"repeats\":1"
expect_contains "weak_world_result_says_effective_false" "$("$KYODO" run "$S" --actions $D/breach.weak.jsonl --db "$TMP/w.db" --json 2>/dev/null; sqlite3 "$TMP/w.db" "select detail from events where kind='action.result' limit 1")" "\"effective\":false"

# --no-impact skips the counterfactual runs; the human summary prints the figures
j=$("$KYODO" run "$S" --actions $D/breach.good.jsonl --json --no-impact 2>/dev/null)
case "$j" in *'"impact"'*) fail "no_impact_skips_it" "$j" ;; *) pass "no_impact_skips_it" ;; esac
out=$("$KYODO" run "$S" --actions $D/breach.good.jsonl 2>/dev/null)
expect_contains "text_summary_impact" "$out" "impact     harm "
expect_contains "text_summary_per_team" "$out" "averted by vsoc"
out=$("$KYODO" run "$S" --json 2>/dev/null)
expect_eq "nothing_done_averts_0" "$(field "$(printf '%s' "$out" | sed 's/.*"impact":{//; s/"teams".*//')" averted)" 0.0

# the journal keeps the summary with the impact figures, and a harm series in the metrics rows
"$KYODO" run "$S" --actions $D/breach.good.jsonl --db "$TMP/k.db" >/dev/null 2>&1
expect_eq "db_run_exits_0" "$?" 0
sum=$(sqlite3 "$TMP/k.db" "select value from meta where key='summary'")
expect_contains "journal_summary_has_impact" "$sum" "\"impact\":{\"harm\":"
n=$(sqlite3 "$TMP/k.db" "select count(*) from metrics where data like '%\"harm\":%'")
if [ "${n:-0}" -ge 100 ]; then pass "journal_harm_series"; else fail "journal_harm_series" "$n rows with harm"; fi

# the forked runs never write the journal: the same rows with and without the impact figures
"$KYODO" run "$S" --actions $D/breach.good.jsonl --db "$TMP/n.db" --no-impact >/dev/null 2>&1
rows() { sqlite3 "$1" "select (select count(*) from events)||' '||(select count(*) from metrics)||' '||(select count(*) from actions)||' '||(select count(*) from world_inputs where kind <> 'mark')||' '||(select count(*) from injects)"; }
expect_eq "forked_runs_write_nothing" "$(rows "$TMP/k.db")" "$(rows "$TMP/n.db")"
expect_eq "journal_is_sound" "$(sqlite3 "$TMP/k.db" 'pragma integrity_check')" ok

# --sweep: impact figures aggregated over the seeds
out=$("$KYODO" run "$S" --actions $D/breach.good.jsonl --sweep 2 --json 2>/dev/null)
expect_eq "sweep_exits_0" "$?" 0
expect_contains "sweep_impact" "$out" "\"impact\":{\"averted\":{\"mean\":"
out=$("$KYODO" run "$S" --actions $D/breach.good.jsonl --sweep 2 2>/dev/null)
expect_contains "sweep_text_impact" "$out" "impact     averted mean"

# attachments travel with the inject (the journal's inject rows hold the protocol message)
"$KYODO" run "$S" --until 00:15:00 --db "$TMP/a.db" >/dev/null 2>&1
msg=$(sqlite3 "$TMP/a.db" "select msg from injects where id='B1' limit 1")
expect_contains "attachment_text" "$msg" "\"name\":\"ids.log\",\"type\":\"text/plain\""
expect_contains "attachment_file" "$msg" "Supplier advisory SA-2025-07"
expect_contains "attachment_type" "$msg" "\"type\":\"application/json\""
done_tests

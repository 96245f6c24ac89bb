#!/bin/sh
# kyodo check / kyodo run on the shipped drills and on the broken and hostile fixtures (CONTRACT §1).
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
DATA=tests/data/scn

field() { # json key -> value (numbers or strings) of the first occurrence
	printf '%s' "$1" | sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
}

# Every shipped drill passes check and prints what the facilitator needs.
n=0
for f in scenarios/*.lua; do
	n=$((n + 1))
	out=$("$KYODO" check "$f" 2>&1)
	rc=$?
	name=$(basename "$f" .lua)
	if [ "$rc" -eq 0 ]; then pass "check_$name"; else fail "check_$name" "exit $rc: $out"; fi
	for w in title duration teams injects expectations; do
		case "$out" in *"$w"*) ;; *) fail "check_${name}_prints_$w" "missing in: $out" ;; esac
	done
	[ -f "scenarios/$name.good.jsonl" ] && [ -f "scenarios/$name.poor.jsonl" ] && pass "scripts_$name" ||
		fail "scripts_$name" "missing scenarios/$name.good.jsonl or .poor.jsonl"
done
[ "$n" -ge 5 ] && pass "at_least_five_drills" || fail "at_least_five_drills" "found $n"

# Broken scenarios and sandbox escapes: exit 1 with FILE:LINE: message, never a crash.
for b in bad_syntax bad_team bad_kind bad_time bad_sbom bad_party bad_tlp bad_share_to bad_penalty bad_penalty_team bad_outcome bad_dashboard bad_dashboard_field bad_technique bad_technique2 esc_io esc_os esc_require esc_binary esc_binary2 esc_rep esc_mem \
	esc_table esc_concat esc_loop esc_dump esc_debug esc_dofile esc_sbom_path esc_gc \
	esc_strmeta esc_strmeta_gc esc_collectgarbage esc_pcall_loop esc_coro_loop esc_coro_yield esc_coro_close esc_xpcall \
	esc_recursion esc_recursion_meta esc_table_concat esc_pattern esc_pattern_gsub esc_find_plain esc_rep_empty \
	esc_table_move esc_table_insert esc_big_string esc_pairs_sort; do
	err=$("$KYODO" check "$DATA/$b.lua" 2>&1 >/dev/null)
	rc=$?
	expect_eq "check_${b}_exits_1" "$rc" 1
	case "$err" in "$DATA/$b.lua:"[0-9]*": "*) pass "check_${b}_names_file_line" ;;
	*) fail "check_${b}_names_file_line" "got: $err" ;; esac
done
# Each escape fails where it is tried and for the reason expected (docs/security.md lists them).
# BUDGET: the instruction budget, or on a slow build (make asan) the wall-clock backstop first: both stop it there.
while read -r b line what; do
	err=$("$KYODO" check "$DATA/$b.lua" 2>&1 >/dev/null)
	if [ "$what" = BUDGET ]; then
		case "$err" in "$DATA/$b.lua:$line: instruction budget"* | "$DATA/$b.lua:$line: time limit"*) pass "${b}_fails_at_line_$line" ;;
		*) fail "${b}_fails_at_line_$line" "got: $err" ;; esac
	else
		expect_contains "${b}_fails_at_line_$line" "$err" "$DATA/$b.lua:$line: $what"
	fi
done <<'EOF_ESC'
esc_strmeta 5 attempt to index a boolean value
esc_strmeta_gc 6 attempt to index a boolean value
esc_collectgarbage 5 attempt to call a nil value (global 'collectgarbage')
esc_pcall_loop 5 BUDGET
esc_coro_loop 6 BUDGET
esc_coro_yield 6 BUDGET
esc_coro_close 7 BUDGET
esc_xpcall 5 BUDGET
esc_recursion 5 stack overflow
esc_recursion_meta 5 C stack overflow
esc_table_concat 7 out of memory
esc_pattern 5 BUDGET
esc_pattern_gsub 5 BUDGET
esc_find_plain 6 BUDGET
esc_rep_empty 6 BUDGET
esc_table_move 5 BUDGET
esc_table_insert 5 BUDGET
esc_big_string 5 a string of 17000025 bytes is over the 16 MiB
esc_pairs_sort 6 BUDGET
EOF_ESC
err=$("$KYODO" check "$DATA/bad_team.lua" 2>&1 >/dev/null)
expect_contains "bad_team_message" "$err" "unknown team 'legal'"
err=$("$KYODO" check "$DATA/bad_kind.lua" 2>&1 >/dev/null)
expect_contains "bad_kind_message" "$err" "unknown action kind 'reboot_fleet'"
err=$("$KYODO" check "$DATA/bad_time.lua" 2>&1 >/dev/null)
expect_contains "bad_time_message" "$err" "bad time"
# CONTRACT §1: check refuses what no action could meet, naming the valid choices
err=$("$KYODO" check "$DATA/bad_party.lua" 2>&1 >/dev/null)
expect_contains "bad_party_message" "$err" "args.party: 'pcc' is not one of: regulator, ppc, mlit"
err=$("$KYODO" check "$DATA/bad_tlp.lua" 2>&1 >/dev/null)
expect_contains "bad_tlp_message" "$err" "args.tlp: 'AMBER' is not one of: clear, green, amber"
err=$("$KYODO" check "$DATA/bad_share_to.lua" 2>&1 >/dev/null)
expect_contains "bad_share_to_message" "$err" "args.to: 'oem' is not one of: vsoc, oem_psirt, all"
err=$("$KYODO" check "$DATA/bad_penalty.lua" 2>&1 >/dev/null)
expect_contains "bad_penalty_message" "$err" "penalty: no action can match it: isolate_service: args.name: 'dms'"
err=$("$KYODO" check "$DATA/bad_penalty_team.lua" 2>&1 >/dev/null)
expect_contains "bad_penalty_team_message" "$err" "penalty: unknown team 'legal'"
err=$("$KYODO" check "$DATA/bad_technique.lua" 2>&1 >/dev/null)
expect_contains "bad_technique_message" "$err" "bad_technique.lua:5: 'ATM-T0099' is not a technique of the Auto-ISAC"
err=$("$KYODO" check "$DATA/bad_technique2.lua" 2>&1 >/dev/null)
expect_contains "bad_technique2_message" "$err" "neither an Auto-ISAC ATM id"
err=$("$KYODO" check "$DATA/bad_outcome.lua" 2>&1 >/dev/null)
expect_contains "bad_outcome_message" "$err" "unknown metric 'compromized' (known: total, clean, compromised"
err=$("$KYODO" check "$DATA/bad_dashboard.lua" 2>&1 >/dev/null)
expect_contains "bad_dashboard_message" "$err" "bad_dashboard.lua:4: dashboard: series[2]: unknown metric 'thefts' (known: total"
err=$("$KYODO" check "$DATA/bad_dashboard_field.lua" 2>&1 >/dev/null)
expect_contains "bad_dashboard_field_message" "$err" "dashboard: tiles[1]: unknown field 'colour' (known: metric, label)"

# run --json: the summary fields, determinism by seed, --until, no progress bar when stderr is not a terminal.
A=scenarios/tcu-remote.lua
j1=$("$KYODO" run "$A" --seed 3 --actions scenarios/tcu-remote.good.jsonl --json 2>"$TMP/err1")
expect_eq "run_json_exits_0" "$?" 0
for k in scenario seed sim_end_us events fleet total compromised patched offline teams score met missed state_hash; do
	case "$j1" in *"\"$k\":"*) ;; *) fail "run_json_has_$k" "missing in: $j1" ;; esac
done
expect_eq "no_progress_bar_when_not_a_terminal" "$(cat "$TMP/err1")" ""
j2=$("$KYODO" run "$A" --seed 3 --actions scenarios/tcu-remote.good.jsonl --json 2>/dev/null)
j3=$("$KYODO" run "$A" --seed 4 --actions scenarios/tcu-remote.good.jsonl --json 2>/dev/null)
h1=$(field "$j1" state_hash)
h2=$(field "$j2" state_hash)
h3=$(field "$j3" state_hash)
expect_eq "state_hash_is_64_hex" "${#h1}" 64
expect_eq "same_seed_same_state_hash" "$h1" "$h2"
if [ "$h1" != "$h3" ]; then pass "different_seed_different_state_hash"; else fail "different_seed_different_state_hash" "$h1"; fi
j=$("$KYODO" run "$A" --until 00:30:00 --json 2>/dev/null)
expect_eq "until_stops_there" "$(field "$j" sim_end_us)" 1800000000
"$KYODO" run "$A" --until 00:10:00 --db "$TMP/k.db" >/dev/null 2>&1
expect_eq "db_option_accepted" "$?" 0

# Good scripts beat poor scripts through the CLI too (joint score).
for f in scenarios/*.lua; do
	name=$(basename "$f" .lua)
	g=$(field "$("$KYODO" run "$f" --actions "scenarios/$name.good.jsonl" --json 2>/dev/null)" joint)
	p=$(field "$("$KYODO" run "$f" --actions "scenarios/$name.poor.jsonl" --json 2>/dev/null)" joint)
	if awk -v g="$g" -v p="$p" 'BEGIN { exit !(g > p) }'; then pass "good_beats_poor_$name"; else
		fail "good_beats_poor_$name" "good $g, poor $p"; fi
done

# Every shipped good script meets every expectation of its drill that fires (none missed, none refused).
for f in scenarios/*.lua; do
	name=$(basename "$f" .lua)
	out=$("$KYODO" run "$f" --actions "scenarios/$name.good.jsonl" --json 2>"$TMP/good.err")
	missed=$(printf '%s' "$out" | grep -o '"label":"[^"]*","inject":"[^"]*","team":"[^"]*","kind":"[^"]*"[^}]*"status":"missed"' |
		sed 's/"label":"\([^"]*\)".*/\1/' | tr '\n' ' ')
	if [ -z "$missed" ] && ! grep -qE "refused|rejected" "$TMP/good.err"; then pass "good_meets_every_expectation_$name"; else
		fail "good_meets_every_expectation_$name" "missed: $missed; stderr: $(head -c 300 "$TMP/good.err")"; fi
done

# CONTRACT §1: an action the world refuses is reported as TIME TEAM KIND: refused: message, and the run goes on.
printf '%s\n%s\n' '{"t":"00:01:00","team":"oem_psirt","kind":"ota_campaign","args":{"ecu":"tcu","version":"2000.0.0"}}' \
	'{"t":"00:02:00","team":"vsoc","kind":"triage","args":{"inject":"I1"}}' >"$TMP/refused.jsonl"
out=$("$KYODO" run scenarios/tcu-remote.lua --actions "$TMP/refused.jsonl" --json 2>"$TMP/refused.err")
expect_eq "world_refusal_exits_0" "$?" 0
expect_contains "world_refusal_line" "$(cat "$TMP/refused.err")" "00:01:00 oem_psirt ota_campaign: refused: "
expect_contains "world_refusal_counted" "$out" '"actions":{"applied":1,"refused":1}'
out=$("$KYODO" run scenarios/tcu-remote.lua --actions "$TMP/refused.jsonl" --no-impact 2>/dev/null)
expect_contains "world_refusal_counted_in_text" "$out" "1 actions (1 refused)"

# A bad actions file: exit 1 with FILE:LINE.
printf '%s\n%s\n' '{"t":"00:01:00","team":"vsoc","kind":"triage","args":{"inject":"I1"}}' \
	'{"t":"soon","team":"vsoc","kind":"triage","args":{}}' >"$TMP/bad.jsonl"
err=$("$KYODO" run "$A" --actions "$TMP/bad.jsonl" 2>&1 >/dev/null)
expect_eq "bad_actions_exit_1" "$?" 1
expect_contains "bad_actions_names_line" "$err" "$TMP/bad.jsonl:2:"
printf '%s\n' '{"t":"00:01:00","team":"nobody","kind":"triage","args":{"inject":"I1"}}' >"$TMP/bad2.jsonl"
err=$("$KYODO" run "$A" --actions "$TMP/bad2.jsonl" 2>&1 >/dev/null)
expect_eq "unknown_team_action_exit_1" "$?" 1
expect_contains "unknown_team_action_names_line" "$err" "$TMP/bad2.jsonl:1:"

# A callback that fails is reported with file:line and the run still finishes.
out=$("$KYODO" run "$DATA/in_callback.lua" --json 2>"$TMP/err2")
expect_eq "callback_errors_run_exits_0" "$?" 0
expect_eq "callback_errors_counted" "$(field "$out" scenario_errors)" 5
expect_contains "callback_error_on_stderr" "$(cat "$TMP/err2")" "$DATA/in_callback.lua:5: instruction budget"

# Japanese survives to the CLI's output.
out=$("$KYODO" check scenarios/darkweb-leak.lua)
expect_contains "japanese_title" "$out" "顧客・車両データ漏えい"

# --sweep: seeds 1..N over two workers, per expectation and branch.
out=$("$KYODO" run "$A" --sweep 4 --json 2>/dev/null)
expect_eq "sweep_exits_0" "$?" 0
expect_eq "sweep_runs" "$(field "$out" runs)" 4
expect_contains "sweep_lists_expectations" "$out" "\"label\":\"APPI-PPC-sokuho-3-5d\""
expect_contains "sweep_lists_branches" "$out" "\"runs_fired\":"
out=$("$KYODO" run "$A" --sweep 2 2>/dev/null)
expect_contains "sweep_text_never_fired" "$out" "never fired"
err=$("$KYODO" run "$A" --sweep 2 2>&1 >/dev/null)
case "$err" in *warning*) fail "sweep_with_good_script_does_not_warn" "$err" ;; *) pass "sweep_with_good_script_does_not_warn" ;; esac
err=$("$KYODO" run "$DATA/japanese.lua" --sweep 2 2>&1 >/dev/null)
expect_contains "sweep_without_actions_warns" "$err" "warning: $DATA/japanese.lua has no --actions and no NAME.good.jsonl beside it: no team action is played"
: >"$TMP/empty.jsonl"
err=$("$KYODO" run "$A" --sweep 2 --actions "$TMP/empty.jsonl" 2>&1 >/dev/null)
expect_contains "sweep_with_empty_actions_warns" "$err" "empty.jsonl holds no action"
done_tests

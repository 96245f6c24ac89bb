#!/bin/sh
# MSEL both ways (CONTRACT §5): `kyodo report --msel` on every shipped drill (recorded with `kyodo run --db`),
# `kyodo msel import` of that CSV, and the export of a run of the imported scenario: every row comes back, byte for
# byte. The rows counted independently from the journal's plan with SQL. The same MSEL with a BOM or not, CRLF or
# LF, columns reordered and upper-case imports to the same scenario. Malformed files are refused with
# FILE.csv:ROW:COLUMN and write nothing. The command lines of `kyodo msel` and `kyodo report`.
. "$(dirname "$0")/lib.sh"

HEADER='event,time,to,severity,title,body,expected_action,expected_team,within,points,objective,notes'

for s in "$ROOT"/scenarios/*.lua; do
	n=$(basename "$s" .lua)
	acts="${s%.lua}.good.jsonl"
	if ! "$KYODO" run "$s" --db "$TMP/$n.db" --actions "$acts" >/dev/null 2>"$TMP/$n.run.err"; then
		fail "msel_round_trip_$n" "kyodo run failed: $(tail -3 "$TMP/$n.run.err")"
		continue
	fi
	"$KYODO" report "$TMP/$n.db" --no-html --msel "$TMP/$n.1.csv" 2>/dev/null
	bom=$(head -c 3 "$TMP/$n.1.csv" | od -An -tx1 | tr -d ' \n')
	expect_eq "msel_export_${n}_starts_with_a_utf8_bom" "$bom" "efbbbf"
	head1=$(head -n 1 "$TMP/$n.1.csv" | tail -c +4 | tr -d '\r')
	expect_eq "msel_export_${n}_has_the_contract_columns_in_order" "$head1" "$HEADER"
	# one row per inject without expectations and per expectation, counted from the journal's plan
	want=$(sqlite3 "$TMP/$n.db" "SELECT sum(max(1, json_array_length(json_extract(p.value, '\$.expects')))) FROM meta, json_each(meta.value) AS p WHERE meta.key = 'plan'")
	got=$(awk 'BEGIN{RS="\r\n"} END{print NR - 1}' "$TMP/$n.1.csv")
	expect_eq "msel_export_${n}_has_a_row_per_inject_and_expectation" "$got" "$want"
	if ! "$KYODO" msel import "$TMP/$n.1.csv" --out "$TMP/$n.msel.lua" 2>"$TMP/$n.imp.err"; then
		fail "msel_round_trip_$n" "import: $(cat "$TMP/$n.imp.err")"
		continue
	fi
	if ! "$KYODO" check "$TMP/$n.msel.lua" >/dev/null 2>"$TMP/$n.chk.err"; then
		fail "msel_import_${n}_passes_kyodo_check" "$(cat "$TMP/$n.chk.err")"
		continue
	fi
	pass "msel_import_${n}_passes_kyodo_check"
	"$KYODO" run "$TMP/$n.msel.lua" --db "$TMP/$n.2.db" >/dev/null 2>&1
	"$KYODO" report "$TMP/$n.2.db" --no-html --msel "$TMP/$n.2.csv" 2>/dev/null
	if cmp -s "$TMP/$n.1.csv" "$TMP/$n.2.csv"; then
		pass "msel_round_trip_${n}_keeps_every_row"
	else
		fail "msel_round_trip_${n}_keeps_every_row" "$(diff "$TMP/$n.1.csv" "$TMP/$n.2.csv" | head -6)"
	fi
done

# ---- one MSEL, several spellings ----
mkdir -p "$TMP/a" "$TMP/b" "$TMP/c"
cat >"$TMP/a/drill.csv" <<'EOF'
event,time,to,severity,title,body,expected_action,expected_team,within,points,objective,notes
I1,00:10:00,vsoc,high,"IDS alert surge, Sedan-A","Beacons to 203.0.113.7.
Two lines, a ""quote"" and 日本語.",block_indicator value=203.0.113.7,vsoc,1h,20,Containment,"call the SOC lead"
I1,,vsoc,,,,triage inject=I1,,15m,5,,
I2,00:30:00,oem_psirt supplier,medium,Supplier advisory,,share to=supplier tlp=amber,oem_psirt,01:00:00,10,,
I3,01:00:00,all,info,Press call,Journalists ask.,,,,,,facilitator plays the journalist
EOF
# the same content: a BOM, CRLF, the columns in another order and upper case
printf '\357\273\277' >"$TMP/b/drill.csv"
cat <<'EOF' | sed 's/$/\r/' >>"$TMP/b/drill.csv"
NOTES,Title,EVENT,To,Time,Severity,Body,Expected_Action,expected_TEAM,WITHIN,points,Objective
"call the SOC lead","IDS alert surge, Sedan-A",I1,vsoc,00:10:00,high,"Beacons to 203.0.113.7.
Two lines, a ""quote"" and 日本語.",block_indicator value=203.0.113.7,vsoc,1h,20,Containment
,,I1,vsoc,,,,triage inject=I1,,15m,5,
,Supplier advisory,I2,oem_psirt supplier,00:30:00,medium,,share to=supplier tlp=amber,oem_psirt,01:00:00,10,
facilitator plays the journalist,Press call,I3,all,01:00:00,info,Journalists ask.,,,,,
EOF
# and LF with a BOM
printf '\357\273\277' >"$TMP/c/drill.csv"
cat "$TMP/a/drill.csv" >>"$TMP/c/drill.csv"
for v in a b c; do
	"$KYODO" msel import "$TMP/$v/drill.csv" --out "$TMP/$v/drill.lua" 2>"$TMP/$v/err" || fail "msel_import_variant_$v" "$(cat "$TMP/$v/err")"
done
if cmp -s "$TMP/a/drill.lua" "$TMP/b/drill.lua" && cmp -s "$TMP/a/drill.lua" "$TMP/c/drill.lua"; then
	pass "msel_import_reads_bom_or_not_crlf_or_lf_and_columns_in_any_order_alike"
else
	fail "msel_import_reads_bom_or_not_crlf_or_lf_and_columns_in_any_order_alike" "$(diff "$TMP/a/drill.lua" "$TMP/b/drill.lua" | head -5)"
fi
check=$("$KYODO" check "$TMP/a/drill.lua" 2>&1)
expect_contains "msel_import_of_a_hand_written_msel_passes_kyodo_check" "$check" "expectations  3"
expect_contains "msel_import_keeps_quoted_commas_quotes_newlines_and_japanese" "$(cat "$TMP/a/drill.lua")" 'body = "Beacons to 203.0.113.7.\nTwo lines, a \"quote\" and 日本語."'
expect_contains "msel_import_all_means_every_team" "$(cat "$TMP/a/drill.lua")" 'to = { "vsoc", "oem_psirt", "supplier" }'
# and back out: the export of a run of it has the same injects and expectations
"$KYODO" run "$TMP/a/drill.lua" --db "$TMP/a/drill.db" >/dev/null 2>&1
"$KYODO" report "$TMP/a/drill.db" --no-html --msel "$TMP/a/back.csv" 2>/dev/null
expect_contains "msel_export_of_the_import_quotes_what_needs_quoting" "$(cat "$TMP/a/back.csv")" '"Beacons to 203.0.113.7.'
expect_contains "msel_export_of_the_import_keeps_the_notes" "$(cat "$TMP/a/back.csv")" 'Containment,call the SOC lead'

# ---- malformed files: refused, naming the row and the column, nothing written ----
bad() { # name expected-message csv-text
	printf '%s' "$3" >"$TMP/bad.csv"
	rm -f "$TMP/bad.lua"
	msg=$("$KYODO" msel import "$TMP/bad.csv" --out "$TMP/bad.lua" 2>&1)
	rc=$?
	if [ "$rc" -eq 1 ] && [ ! -e "$TMP/bad.lua" ]; then
		expect_contains "msel_import_refuses_$1" "$msg" "$TMP/bad.csv:$2"
	else
		fail "msel_import_refuses_$1" "exit $rc (want 1), output written: $([ -e "$TMP/bad.lua" ] && echo yes || echo no); $msg"
	fi
}
H='event,time,to,severity,title,body,expected_action,expected_team,within,points,objective,notes'
bad unclosed_quote '3:body: bad quoting: the quoted field is not closed' "$H
I1,00:10:00,vsoc,high,Alert,Fine,,,,,,
I2,00:20:00,vsoc,high,Alert 2,\"never closed,,,,,,
"
bad text_after_a_closing_quote '2:title: bad quoting: text after the closing quote' "$H
I1,00:10:00,vsoc,high,\"Alert\"x,,,,,,,
"
bad a_quote_in_an_unquoted_field '2:body: bad quoting: a quote inside an unquoted field' "$H
I1,00:10:00,vsoc,high,Alert,say \"hi\",,,,,,
"
bad a_missing_column '1:title: missing column' "event,time,to,severity,body
I1,00:10:00,vsoc,high,no title column
"
bad a_wrong_time '3:time: bad time "1:xx"' "$H
I1,00:10:00,vsoc,high,Alert,,,,,,,
I2,1:xx,vsoc,high,Alert 2,,,,,,,
"
bad an_unknown_team '2:expected_team: unknown team '\''legal'\''' "$H
I1,00:10:00,vsoc,high,Alert,,notify party=regulator,legal,24h,20,,
"
bad an_unknown_action_kind '3:expected_action: unknown action kind '\''block_ip'\''' "$H
I1,00:10:00,vsoc,high,Alert,,triage inject=I1,vsoc,15m,5,,
I1,,vsoc,,,,block_ip value=203.0.113.7,vsoc,1h,20,,
"
bad a_bad_severity '2:severity: '\''urgent'\''' "$H
I1,00:10:00,vsoc,urgent,Alert,,,,,,,
"
bad an_expectation_without_a_window '2:within: required' "$H
I1,00:10:00,vsoc,high,Alert,,block_indicator value=203.0.113.7,vsoc,,20,,
"
bad an_event_given_twice '3:title: inject '\''I1'\'' already starts at row 2' "$H
I1,00:10:00,vsoc,high,Alert,,,,,,,
I1,00:20:00,vsoc,high,Again,,,,,,,
"
bad args_that_are_not_key_value '2:expected_action: '\''203.0.113.7'\'' is not key=value' "$H
I1,00:10:00,vsoc,high,Alert,,block_indicator 203.0.113.7,vsoc,1h,20,,
"
bad args_that_no_action_could_meet '3:expected_action: inject '\''I1'\'': expects[2]: no action can meet it' "$H
I1,00:10:00,vsoc,high,Alert,,triage inject=I1,vsoc,15m,5,,
I1,,vsoc,,,,share to=vsoc tlp=purple,vsoc,1h,20,,
"

# ---- command lines ----
out=$("$KYODO" msel --help)
expect_eq "msel_help_exits_0" "$?" 0
expect_contains "msel_help_on_stdout" "$out" "kyodo msel import FILE.csv"
"$KYODO" msel import >/dev/null 2>&1
expect_eq "msel_import_without_a_file_exits_2" "$?" 2
"$KYODO" msel import "$TMP/nope.csv" >/dev/null 2>&1
expect_eq "msel_import_of_a_missing_file_exits_1" "$?" 1
"$KYODO" msel import "$TMP/a/drill.csv" --out="$TMP/eq.lua" 2>/dev/null
expect_eq "msel_import_takes_--out=FILE" "$(cmp -s "$TMP/eq.lua" "$TMP/a/drill.lua" && echo same)" "same"
out=$("$KYODO" report --help)
expect_eq "report_help_exits_0" "$?" 0
expect_contains "report_help_on_stdout" "$out" "--lang=ja|en"
err=$("$KYODO" report "$TMP/a/drill.db" --lang xx 2>&1 >/dev/null)
expect_eq "report_bad_lang_exits_2" "$?" 2
expect_contains "report_bad_lang_names_it" "$err" "kyodo report: --lang: 'xx' is not ja or en"
"$KYODO" report "$TMP/a/drill.db" --lang=ja --out="$TMP/eq.html" 2>/dev/null
expect_contains "report_takes_--opt=value" "$(head -c 200 "$TMP/eq.html")" '<html lang="ja">'
err=$("$KYODO" report "$TMP/nope.db" 2>&1)
expect_eq "report_of_a_missing_journal_exits_1" "$?" 1
expect_contains "report_of_a_missing_journal_names_it" "$err" "$TMP/nope.db"
expect_contains "kyodo_help_lists_msel" "$("$KYODO" --help)" "kyodo msel "
err=$("$KYODO" msel export "$TMP/a/drill.csv" 2>&1 >/dev/null)
expect_eq "msel_unknown_action_exits_2" "$?" 2
expect_contains "msel_unknown_action_names_it" "$err" "kyodo msel: unknown msel command 'export' (there is: import)"
done_tests

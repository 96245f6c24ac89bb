#!/bin/sh
# Declared services and credentials through the command line and the journal: kyodo check's errors for unknown names
# (FILE:LINE), what a run of the dealer-dms drill leaves in its sqlite3 journal (the exercise's services and
# credentials, the rotation and its result, the DMS's health, the recall and the advisory, the team view without
# ground truth), and the same journal for the same inputs. (Seeking and resuming such a journal: test_services.c.)
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
command -v sqlite3 >/dev/null || { echo "SKIP test_services: sqlite3 is not installed"; exit 0; }
S=scenarios/dealer-dms.lua

# check: unknown names anywhere, with FILE:LINE and the known names
cp "$S" "$TMP/bad.lua"
cat >>"$TMP/bad.lua" <<'EOF'
at("02:00:00", function()
	attack.exfiltrate { credential = "svc-dms-synk", records = 1 }
end)
EOF
line=$(grep -n 'svc-dms-synk' "$TMP/bad.lua" | cut -d: -f1)
err=$("$KYODO" check "$TMP/bad.lua" 2>&1 >/dev/null)
expect_eq "check_unknown_credential_exits_1" "$?" 1
expect_contains "check_unknown_credential_names_file_line" "$err" "$TMP/bad.lua:$line: credential: unknown credential 'svc-dms-synk' (known: svc-dms-sync, dealer-portal)"
sed 's/service.degrade { name = "dms", level = "down" }/service.degrade { name = "dsm", level = "down" }/' "$S" >"$TMP/bad2.lua"
line=$(grep -n '"dsm"' "$TMP/bad2.lua" | head -n 1 | cut -d: -f1)
err=$("$KYODO" check "$TMP/bad2.lua" 2>&1 >/dev/null)
expect_contains "check_unknown_service_names_file_line" "$err" "$TMP/bad2.lua:$line: service.degrade/status: name: unknown service 'dsm' (known: telematics, ota, vsoc, pki, app_api, dms)"

# a run with the journal
db="$TMP/dms.db"
out=$("$KYODO" run "$S" --actions scenarios/dealer-dms.good.jsonl --db "$db" --json 2>"$TMP/err")
expect_eq "run_exits_0" "$?" 0
expect_contains "summary_has_the_credentials" "$out" '"credentials":[{"id":"svc-dms-sync","kind":"service_account","rotations":1'
q() { sqlite3 "$db" "$1"; }
ex=$(q "select value from meta where key = 'exercise'")
expect_contains "journal_exercise_services" "$ex" '"services":[{"id":"dms","name":"Dealer management system (sales, service booking, parts, recall work)","customers":6000}]'
expect_contains "journal_exercise_credentials" "$ex" '"id":"svc-dms-sync","name":"DMS to OEM backend sync account","kind":"service_account","held_by":"dms_vendor","reaches":["app_api","dms"]'
expect_eq "journal_rotation_event" "$(q "select t_us, subject from events where kind = 'credential.rotated'")" "6000000000|svc-dms-sync"
expect_contains "journal_rotation_cut_the_attacker" "$(q "select detail from events where kind = 'credential.rotated'")" '"attacker_cut":true'
expect_contains "journal_action_row_has_the_result" "$(q "select result from actions where kind = 'rotate_credential'")" '"effective":true'
expect_eq "journal_dms_health_changes" "$(q "select group_concat(json_extract(detail, '\$.to') || ':' || json_extract(detail, '\$.isolated'), ',') from events where kind = 'service.health' and subject = 'dms'")" \
	"compromised:0,down:0,down:1,up:0"
expect_eq "journal_stolen_credential" "$(q "select subject from events where kind = 'credential.stolen'")" "svc-dms-sync"
expect_contains "journal_recall" "$(q "select detail from events where kind = 'recall.campaign'")" '"targeted":50000'
expect_contains "journal_advisory" "$(q "select result from actions where kind = 'customer_advisory'")" '"customers":80000'
last=$(q "select data from metrics order by t_us desc limit 1")
expect_contains "journal_metrics_customer_hours" "$last" '"services_customer_hours":13000'
# the teams' view: the DMS and the credentials, never who holds them
tv=$(q "select json_extract(data, '\$.team_view') from metrics order by t_us desc limit 1")
expect_contains "team_view_lists_the_dms" "$tv" '"dms":"up"'
expect_contains "team_view_lists_the_rotation" "$tv" '"id":"svc-dms-sync","kind":"service_account","rotations":1'
case "$tv" in *leaked*) fail "team_view_has_no_ground_truth" "$tv" ;; *) pass "team_view_has_no_ground_truth" ;; esac
# same scenario, seed and actions: the same journal content
"$KYODO" run "$S" --actions scenarios/dealer-dms.good.jsonl --db "$TMP/dms2.db" >/dev/null 2>&1
a=$(sqlite3 "$db" "select kind, subject, detail from events order by id" | sha256sum)
b=$(sqlite3 "$TMP/dms2.db" "select kind, subject, detail from events order by id" | sha256sum)
expect_eq "same_inputs_same_journal_events" "$a" "$b"
done_tests

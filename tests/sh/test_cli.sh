#!/bin/sh
# The command line's conventions (CONTRACT §1, docs/cli.md): --help/-h/help CMD on stdout with exit 0, every bad
# option a one-line message "kyodo CMD: ..." on stderr with exit 2 and nothing on stdout, strict numbers,
# both value forms, `--`, --version with the libraries' versions, a progress bar that messages do not overwrite.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
S=scenarios/tcu-remote.lua

# run "$@" capturing stdout, stderr and the exit code into $out, $err, $rc
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}
# name, want_rc, want first line of stderr, command...: a usage error: exit code, message, empty stdout
expect_usage() {
	name=$1 want=$2 msg=$3
	shift 3
	run "$@"
	expect_eq "${name}_exit" "$rc" "$want"
	expect_eq "${name}_message" "$(printf '%s\n' "$err" | head -n 1)" "$msg"
	expect_eq "${name}_nothing_on_stdout" "$out" ""
}

# --- the overview --------------------------------------------------------------------------------------------
run "$KYODO" --help
expect_eq "help_exits_0" "$rc" 0
expect_eq "help_nothing_on_stderr" "$err" ""
for c in check run serve sweep replay report whatif msel; do
	case "$out" in *"kyodo $c "*) pass "help_lists_$c" ;; *) fail "help_lists_$c" "missing in: $out" ;; esac
done
expect_contains "help_documents_exit_codes" "$out" " 2  usage"
overview=$out
run "$KYODO" help
expect_eq "help_command_is_the_overview" "$out" "$overview"
run "$KYODO" -h
expect_eq "dash_h_is_the_overview" "$out" "$overview"
run "$KYODO"
expect_eq "no_command_exits_2" "$rc" 2
expect_eq "no_command_usage_on_stderr" "$out" ""
expect_usage unknown_command 2 "kyodo: unknown command 'frobnicate'" "$KYODO" frobnicate
expect_usage unknown_top_option 2 "kyodo: unknown option '--frob' (a command comes first)" "$KYODO" --frob
expect_usage help_unknown_command 2 "kyodo help: unknown command 'nosuch'" "$KYODO" help nosuch

# --- --version: kyodo's and the linked libraries' versions, as pkg-config knows them -----------------------------
run "$KYODO" --version
expect_eq "version_exits_0" "$rc" 0
case "$(printf '%s\n' "$out" | head -n 1)" in "kyodo "[0-9]*.[0-9]*.[0-9]*) pass version_first_line ;;
*) fail version_first_line "got: $out" ;; esac
for lib in "Lua lua5.4" "jansson jansson" "SQLite sqlite3" "libwebsockets libwebsockets" "SDL2 sdl2" "SDL2_ttf SDL2_ttf"; do
	name=${lib% *}
	v=$(pkg-config --modversion "${lib#* }" 2>/dev/null | sed 's/-$//')  # Debian's libwebsockets says 4.1.6-
	expect_contains "version_names_${name}_$v" "$out" "$name $v"
done
run "$KYODO" -V
expect_eq "dash_V_is_version" "$rc" 0

# --- every built command: --help, -h, help CMD on stdout with exit 0; a bad option with exit 2 --------------------
cmds=$("$KYODO" help --commands)
for c in check run serve sweep; do
	case " $(echo $cmds) " in *" $c "*) pass "built_$c" ;; *) fail "built_$c" "not in: $cmds" ;; esac
done
for c in $cmds; do
	run "$KYODO" "$c" --help
	expect_eq "${c}_help_exits_0" "$rc" 0
	expect_eq "${c}_help_nothing_on_stderr" "$err" ""
	case "$out" in "Usage: kyodo $c "*) pass "${c}_help_usage_line" ;; *) fail "${c}_help_usage_line" "got: $out" ;; esac
	expect_contains "${c}_help_lists_help" "$out" "-h, --help"
	expect_contains "${c}_help_has_exit_status" "$out" "Exit status:"
	help=$out
	run "$KYODO" "$c" -h
	expect_eq "${c}_dash_h_same" "$out" "$help"
	run "$KYODO" help "$c"
	expect_eq "${c}_help_cmd_same" "$out" "$help"
	expect_usage "${c}_unknown_option" 2 "kyodo $c: unknown option '--bogus'" "$KYODO" "$c" --bogus
	expect_contains "${c}_unknown_option_points_to_help" "$err" "Try 'kyodo $c --help'"
done
# a command other branches have not landed yet says so (exit 1), and its help still answers
for c in replay whatif report msel; do
	case " $(echo $cmds) " in *" $c "*) continue ;; esac
	run "$KYODO" "$c" x.db
	expect_eq "${c}_not_built_exits_1" "$rc" 1
	expect_contains "${c}_not_built_says_so" "$err" "not built yet"
	run "$KYODO" help "$c"
	expect_eq "${c}_not_built_help_exits_0" "$rc" 0
done

# --- strict numbers, one message style -------------------------------------------------------------------------
expect_usage port_fraction 2 "kyodo serve: --port: '80.9' is not a port number" "$KYODO" serve "$S" --port 80.9
expect_usage port_range 2 "kyodo serve: --port: '70000' is not a port number" "$KYODO" serve --port=70000 "$S"
expect_usage speed_word 2 "kyodo serve: --speed: 'fast' is not a number from 1e-06 to 100000" "$KYODO" serve "$S" --speed fast
expect_usage speed_nan 2 "kyodo serve: --speed: 'nan' is not a number from 1e-06 to 100000" "$KYODO" serve "$S" --speed nan
expect_usage queue_hex 2 "kyodo serve: --queue: '0x10' is not an integer from 1 to 1048576" "$KYODO" serve "$S" --queue 0x10
expect_usage resume_value 2 "kyodo serve: --resume: 'yes' is not 'auto' (or give --resume alone)" "$KYODO" serve "$S" --resume=yes
expect_usage sweep_suffix 2 "kyodo run: --sweep: '3x' is not an integer from 1 to 1000000" "$KYODO" run "$S" --sweep 3x
expect_usage sweep_zero 2 "kyodo run: --sweep: '0' is not an integer from 1 to 1000000" "$KYODO" run "$S" --sweep=0
expect_usage seed_negative 2 "kyodo run: --seed: '-1' is not an integer from 0 to 18446744073709551615" "$KYODO" run "$S" --seed -1
expect_usage until_bad 2 "kyodo run: --until: bad time \"soon\" (expected seconds, \"90s\", \"15m\", \"4h\" or \"01:30:00\")" \
	"$KYODO" run "$S" --until soon
expect_usage shard_range 2 "kyodo run: --shard: '4/4' is not a shard I/K (0 <= I < K <= 1000000)" "$KYODO" run "$S" --sweep 4 --shard 4/4 --json
expect_usage shard_shape 2 "kyodo run: --shard: '1' is not a shard I/K (0 <= I < K <= 1000000)" "$KYODO" run "$S" --sweep 4 --shard 1 --json
expect_usage shard_alone 2 "kyodo run: --shard needs --sweep N" "$KYODO" run "$S" --shard 0/2 --json
expect_usage shard_text 2 "kyodo run: --shard needs --json (its lines are for 'kyodo sweep merge')" "$KYODO" run "$S" --sweep 4 --shard 0/2
expect_usage sweep_seed 2 "kyodo run: --sweep runs seeds 1..N: it takes no --seed" "$KYODO" run "$S" --sweep 2 --seed 3
expect_usage workers_zero 2 "kyodo run: --workers: '0' is not an integer from 1 to 256" "$KYODO" run "$S" --sweep 2 --workers 0
expect_usage flag_value 2 "kyodo run: option '--json' takes no value" "$KYODO" run "$S" --json=yes
expect_usage missing_value 2 "kyodo run: option '--seed' needs a value (N)" "$KYODO" run "$S" --seed
expect_usage ambiguous 2 "kyodo run: ambiguous option '--s' (--seed, --sweep, --shard)" "$KYODO" run "$S" --s 3
expect_usage extra_operand 2 "kyodo run: unexpected argument 'extra'" "$KYODO" run "$S" extra
expect_usage no_operand 2 "kyodo check: missing operand (usage: kyodo check SCENARIO.lua [OPTION]...)" "$KYODO" check --json
expect_usage sweep_subcommand 2 "kyodo sweep: unknown sweep command 'split' (there is: merge)" "$KYODO" sweep split a
# help wins when it comes before a mistake
run "$KYODO" run --help --sweep 3x
expect_eq "help_before_a_bad_option_exits_0" "$rc" 0

# --- both value forms, options anywhere, `--` ends the options ----------------------------------------------------
a=$("$KYODO" run "$S" --until 00:10:00 --seed 5 --json 2>/dev/null)
b=$("$KYODO" run --until=00:10:00 --json --seed=5 "$S" 2>/dev/null)
expect_eq "value_forms_and_order_agree" "$a" "$b"
case "$a" in *'"seed":5,'*) pass "seed_applied" ;; *) fail "seed_applied" "got: $a" ;; esac
cp tests/data/scn/random.lua "$TMP/-dash.lua"
(cd "$TMP" && "$KYODO" check -- -dash.lua >/dev/null 2>&1)
expect_eq "double_dash_ends_options" "$?" 0
(cd "$TMP" && "$KYODO" check -dash.lua >/dev/null 2>&1)
expect_eq "without_double_dash_it_is_an_option" "$?" 2

# --- the progress bar (a terminal, through script(1)) never shares a line with a message ------------------------
if command -v script >/dev/null 2>&1; then
	script -qefc "'$KYODO' run tests/data/scn/in_callback.lua" /dev/null >"$TMP/tty" 2>&1
	expect_eq "tty_run_exits_0" "$?" 0
	# what the terminal shows on each line: the text after the last "erase line" (CR ESC [ K)
	n=$(tr -d '\r' <"$TMP/tty" | sed 's/.*\x1b\[K//' | grep -c '^tests/data/scn/in_callback.lua:[0-9]*: .* (at 00:0[0-9]:00)$')
	expect_eq "progress_bar_does_not_overwrite_errors" "$n" 5
	grep -q '\[########################################\] 100%' "$TMP/tty" && pass "progress_bar_drawn_to_100" ||
		fail "progress_bar_drawn_to_100" "$(tail -c 300 "$TMP/tty")"
else
	echo "SKIP progress bar test: script(1) missing (bsdutils)"
fi

# --- serve --log-json: one JSON object per log line ----------------------------------------------------------------
timeout --preserve-status -s INT 2 "$KYODO" serve "$S" --port 0 --db "$TMP/log.db" --log-json --autostart >"$TMP/join" 2>"$TMP/log"
expect_eq "log_json_clean_stop" "$?" 0
n=$(grep -c . "$TMP/log")
j=$(node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n");
  let ok=0; for (const x of l) { const o=JSON.parse(x); if (typeof o.ts==="string" && /Z$/.test(o.ts) && typeof o.msg==="string"
  && Number.isInteger(o.sim_us) && typeof o.uptime_s==="number") ok++; } console.log(ok)' "$TMP/log" 2>&1)
expect_eq "log_json_every_line_an_object" "$j" "$n"
[ "$n" -ge 2 ] && pass "log_json_has_lines" || fail "log_json_has_lines" "$(cat "$TMP/log")"
expect_contains "log_json_serving_line" "$(cat "$TMP/log")" '"msg":"serving '
done_tests

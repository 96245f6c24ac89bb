#!/bin/sh
# make install / uninstall (PREFIX, DESTDIR), the installed binary serving its pages from another directory, the
# man page, the systemd unit (systemd-analyze verify and its offline security rating, where systemd-analyze is
# installed: a visible SKIP otherwise), --resume=auto as the unit runs it, and the Dockerfile's runtime packages.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
MAKE="make --no-print-directory -s BUILD=$BUILD"

# --- install into a staging root ----------------------------------------------------------------------------------
STAGE=$TMP/stage
$MAKE install PREFIX=/usr/local DESTDIR="$STAGE" >"$TMP/install.log" 2>&1
expect_eq "make_install_exits_0" "$?" 0
P=$STAGE/usr/local
[ -x "$P/bin/kyodo" ] && pass "installs_binary" || fail "installs_binary" "$(cat "$TMP/install.log")"
cmp -s "$P/share/kyodo/web/index.html" ui/web/index.html && pass "installs_web_pages" || fail "installs_web_pages" "no index.html"
n=0
for f in scenarios/*.lua; do
	for g in "$f" "${f%.lua}.good.jsonl" "${f%.lua}.poor.jsonl"; do
		cmp -s "$g" "$P/share/kyodo/scenarios/$(basename "$g")" || { fail "installs_$(basename "$g")" "missing or different"; n=$((n + 1)); }
	done
done
expect_eq "installs_every_shipped_drill" "$n" 0
[ -f "$P/share/man/man1/kyodo.1" ] && pass "installs_man_page" || fail "installs_man_page" "missing"
man=$(MANWIDTH=100 man -l "$P/share/man/man1/kyodo.1" 2>/dev/null)
for w in "EXIT STATUS" "COMMANDS" "kyodo run SCENARIO.lua" "--shard=I/K" "kyodo serve SCENARIO.lua" "--log-json" \
	"kyodo sweep merge FILE"; do
	expect_contains "man_page_has_$w" "$man" "$w"
done
unit=$P/lib/systemd/system/kyodo@.service
expect_contains "unit_runs_installed_binary" "$(grep '^ExecStart=' "$unit")" "ExecStart=/usr/local/bin/kyodo serve"
expect_contains "unit_shipped_drill_by_default" "$(cat "$unit")" "KYODO_SCENARIO=/usr/local/share/kyodo/scenarios/%i.lua"
for k in "StateDirectory=kyodo/%i" "ProtectSystem=strict" "NoNewPrivileges=yes" "DynamicUser=yes"; do
	grep -qx "$k" "$unit" && pass "unit_has_$k" || fail "unit_has_$k" "missing"
done
[ -f "$STAGE/usr/local/share/doc/kyodo/operations.md" ] && pass "installs_docs" || fail "installs_docs" "no operations.md"

# --- the installed binary, run from an unrelated folder, serves its own pages -------------------------------------
mkdir -p "$TMP/elsewhere"
(cd "$TMP/elsewhere" && exec "$P/bin/kyodo" serve "$P/share/kyodo/scenarios/tcu-remote.lua" --port 0 --db drill.db \
	>"$TMP/join" 2>"$TMP/serve.log") &
pid=$!
port=""
for i in $(seq 1 100); do
	port=$(sed -n 's|^facilitator http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$TMP/join" 2>/dev/null)
	[ -n "$port" ] && break
	sleep 0.1
done
if [ -n "$port" ]; then
	curl -fsS "http://127.0.0.1:$port/" -o "$TMP/index.html"
	expect_eq "installed_serves_index" "$?" 0
	cmp -s "$TMP/index.html" ui/web/index.html && pass "installed_index_is_the_page" || fail "installed_index_is_the_page" "differs"
	code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/team.js")
	expect_eq "installed_serves_scripts" "$code" 200
	expect_contains "installed_uses_share_kyodo_web" "$(cat "$TMP/serve.log")" "web $P/share/kyodo/web"
else
	fail "installed_serve_starts" "$(cat "$TMP/serve.log")"
fi
kill -TERM "$pid" 2>/dev/null
wait "$pid"
expect_eq "installed_clean_stop" "$?" 0
[ -s "$TMP/elsewhere/drill.db" ] && pass "journal_in_working_dir" || fail "journal_in_working_dir" "no drill.db"

# --- --resume=auto, as the unit runs it, as an unprivileged user: a new drill, then the same one resumed -----------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	mkdir -p "$TMP/state" && chown 65534:65534 "$TMP/state" && chmod 755 "$TMP"
	for round in new resumed; do
		(cd "$TMP/state" && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$P/bin/kyodo" serve \
			"$P/share/kyodo/scenarios/tcu-remote.lua" --port 0 --db "$TMP/state/journal.db" --resume=auto --log-json \
			>"$TMP/join.$round" 2>"$TMP/log.$round") &
		pid=$!
		for i in $(seq 1 100); do grep -q '^facilitator ' "$TMP/join.$round" 2>/dev/null && break; sleep 0.1; done
		kill -TERM "$pid" 2>/dev/null
		wait "$pid"
		expect_eq "resume_auto_${round}_clean_stop_as_nobody" "$?" 0
	done
	case "$(cat "$TMP/join.new")" in *"?token="*) pass "resume_auto_first_start_is_new" ;;
	*) fail "resume_auto_first_start_is_new" "$(cat "$TMP/join.new" "$TMP/log.new")" ;; esac
	expect_contains "resume_auto_second_start_resumes" "$(cat "$TMP/log.resumed")" "resumed: the tokens of the first start stay valid"
else
	echo "SKIP resume_auto_as_nobody: needs root and setpriv(1) to drop to an unprivileged user"
fi

# --- uninstall leaves nothing behind ------------------------------------------------------------------------------
$MAKE uninstall PREFIX=/usr/local DESTDIR="$STAGE" >"$TMP/uninstall.log" 2>&1
expect_eq "make_uninstall_exits_0" "$?" 0
expect_eq "uninstall_removes_every_file" "$(find "$STAGE" -type f | head -n 5)" ""

# --- the systemd unit: verify and rate it, installed with real paths ------------------------------------------------
if command -v systemd-analyze >/dev/null 2>&1; then
	$MAKE install PREFIX="$TMP/prefix" >/dev/null 2>&1
	u=$TMP/prefix/lib/systemd/system/kyodo@.service
	v=$(cd "$TMP" && MANPATH="$TMP/prefix/share/man" systemd-analyze verify "$u" 2>&1)
	expect_eq "systemd_analyze_verify_exits_0" "$?" 0
	expect_eq "systemd_analyze_verify_says_nothing" "$v" ""
	cp "$u" "$TMP/kyodo@tcu-remote.service"
	level=$(systemd-analyze security --offline=true "$TMP/kyodo@tcu-remote.service" 2>/dev/null |
		sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
	if [ -n "$level" ] && awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }'; then pass "unit_exposure_at_most_2 ($level)"; else
		fail "unit_exposure_at_most_2" "exposure '$level'"; fi
	# a broken unit is caught by the same check (it would not pass silently)
	sed 's/^ProtectSystem=strict/ProtectSystem=bogus/' "$u" >"$TMP/broken@.service"
	v=$(cd "$TMP" && MANPATH="$TMP/prefix/share/man" systemd-analyze verify "$TMP/broken@.service" 2>&1)
	[ -n "$v" ] && pass "systemd_analyze_catches_a_bad_value" || fail "systemd_analyze_catches_a_bad_value" "silent"
else
	echo "SKIP systemd_analyze_verify: systemd-analyze is not installed (apt-get install systemd)"
fi

# --- the Dockerfile's runtime stage installs a package for every library the binary links -------------------------
runtime=$(sed -n '/^FROM debian:bookworm-slim$/,$p' Dockerfile | sed -n '/apt-get install/,/rm -rf/p')
arch=$(${CC:-cc} -print-multiarch 2>/dev/null)
for lib in $(objdump -p "$BUILD/kyodo" | awk '/NEEDED/ { print $2 }'); do
	pkg=$(dpkg -S "*/$arch/$lib" 2>/dev/null | head -n 1 | cut -d: -f1)
	case "$lib" in libasan.* | libubsan.*) continue ;; esac  # `make asan`'s build, not what an image ships
	case "$pkg" in libc6 | "") [ -n "$pkg" ] && continue ;; esac
	case "$runtime" in *" $pkg "* | *" $pkg
"*) pass "dockerfile_runtime_has_$pkg" ;; *) fail "dockerfile_runtime_has_$pkg" "$lib ($pkg) not in the runtime stage" ;; esac
done
grep -q '^FROM debian:bookworm-slim' Dockerfile && pass "dockerfile_on_bookworm_slim" || fail "dockerfile_on_bookworm_slim" "no"
done_tests

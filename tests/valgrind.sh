#!/bin/sh
# make valgrind: the websocket, hardening and page tests against `kyodo serve` under valgrind (memcheck), then every
# server's report: no invalid read or write, no use of uninitialised memory, no definite leak. Each server the
# tests start runs through a wrapper (KYODO) that logs to $BUILD/valgrind/logs/vg.PID.log; a server with an error
# exits 99 (--error-exitcode), which the tests see as a failed clean stop. Servers killed with SIGKILL on purpose
# leave no leak report; every other one does. Ends with the same "N passed, N failed" line as tests/run.sh.
BUILD=${BUILD:-build}
vg=$(pwd)/$BUILD/valgrind
rm -rf "$vg"
mkdir -p "$vg/logs"
cat >"$vg/kyodo" <<EOF_WRAP
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \\
	--log-file=$vg/logs/vg.%p.log "$(pwd)/$BUILD/kyodo" "\$@"
EOF_WRAP
chmod +x "$vg/kyodo"
out=$(mktemp)
KYODO="$vg/kyodo" KY_VALGRIND=1 KY_TEST_SLOW=4 BUILD=$BUILD sh tests/run.sh | tee "$out"
pass=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$out" | tail -n 1)
fail=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$out" | tail -n 1)
rm -f "$out"
n=0
for log in "$vg"/logs/vg.*.log; do
	[ -f "$log" ] || continue
	n=$((n + 1))
	# -q: a clean run writes nothing; anything in the log is an error or a definite leak
	if [ -s "$log" ]; then
		echo "FAIL valgrind_$(basename "$log" .log)"
		head -n 40 "$log" | sed 's/^/    /'
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done
echo "== valgrind: $n server processes checked (logs in $vg/logs)"
[ "$n" -gt 0 ] || { echo "FAIL valgrind_ran_no_server"; fail=$((fail + 1)); }
echo "${pass:-0} passed, ${fail:-1} failed"
[ "${fail:-1}" -eq 0 ]

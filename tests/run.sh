#!/bin/sh
# Runs every kyodo test and ends with the line "N passed, N failed".
# Each test program prints "PASS name" / "FAIL name" lines (and "SKIP what: why", shown here, never counted as a
# pass, for a check this machine cannot make); a program that exits non-zero without
# printing a FAIL line (a crash, a time-out) counts as one failure under its own name.
#   C tests:        $BUILD/tests/test_*        (tests/c/test_*.c)
#   fuzz replays:   $BUILD/fuzz/fuzz_*          (tests/fuzz: every corpus file and crash found, once)
#   shell tests:    tests/sh/test_*.sh             (get KYODO=path of the binary)
#   browser/ws:     tests/browser/*.test.mjs   (node; playwright-core + Debian chromium, ws)
# Set ONLY=pattern to run the programs whose name contains pattern.
BUILD=${BUILD:-build}
export KYODO="${KYODO:-$(pwd)/$BUILD/kyodo}"  # make valgrind gives a wrapper
export SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-dummy}
export KYODO_FUZZ_DATA=tests/fuzz/data
out=$(mktemp -d)
pass=0
fail=0

# seconds one test program may take; the sanitizers' builds run several times slower (make asan)
limit=900
[ -n "${KY_ASAN:-}" ] && limit=2700

run_one() { # $1 name, rest: command
	name=$1; shift
	case "$name" in *"${ONLY:-}"*) ;; *) return ;; esac
	log="$out/$(echo "$name" | tr '/' '_').log"
	echo "== $name"
	timeout "$limit" "$@" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^PASS ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	grep -E '^FAIL |^SKIP |^  .*:[0-9]+: ' "$log"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $name (exit $rc without a FAIL line); last lines:"
		tail -n 20 "$log" | sed 's/^/    /'
		f=1
	elif [ "$f" -ne 0 ]; then
		echo "  -- log: last lines of $name"
		tail -n 30 "$log" | sed 's/^/    /'
	fi
	echo "   $p passed, $f failed"
	pass=$((pass + p))
	fail=$((fail + f))
}

[ -n "${KY_VALGRIND:-}" ] || for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" "$t"
done
# Fuzz corpora and the crashes found so far, replayed (tests/fuzz/fuzz.h): each target once per input.
[ -n "${KY_VALGRIND:-}" ] || for t in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	run_one "fuzz/$name" "$t" "tests/fuzz/corpus/$name" "tests/fuzz/crashes/$name"
done
[ -n "${KY_VALGRIND:-}" ] || for t in tests/sh/test_*.sh; do
	[ -f "$t" ] || continue
	run_one "$t" sh "$t"
done
# Under `make asan` the websocket tests run against the sanitized server too; the page tests need the
# normal build's speed and run in `make test`.
pattern="tests/browser/*.test.mjs"
[ -n "${KY_ASAN:-}" ] && pattern="tests/browser/ws_*.test.mjs"
# Under `make valgrind` only the tests that start servers, without the SIGKILL run: tests/valgrind.sh.
[ -n "${KY_VALGRIND:-}" ] && pattern="tests/browser/ws_*.test.mjs tests/browser/hardening.test.mjs tests/browser/pages.test.mjs"
for t in $pattern; do
	[ -f "$t" ] || continue
	run_one "$t" node "$t"
done
rm -rf "$out"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]

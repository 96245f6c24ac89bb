#!/bin/sh
# Runs libFuzzer targets: sh tests/fuzz/run.sh BUILD NAME...  (from `make fuzz`, in the source tree)
# Each target runs FUZZ_SECONDS on build/libfuzzer/corpus/NAME (its findings) and tests/fuzz/corpus/NAME (the
# seeds), with tests/fuzz/NAME.dict when there is one; a crash, leak or time-out is written to
# tests/fuzz/crashes/NAME/ (replayed by `make test` from then on). FUZZ_MERGE=1 instead adds what covers something
# new to tests/fuzz/corpus/NAME. Prints one line per target and ends non-zero when a target found something.
build=$1
shift
secs=${FUZZ_SECONDS:-60}
export KYODO_FUZZ_DATA=tests/fuzz/data
found=0
for name in "$@"; do
	bin=$build/fuzzer/$name
	work=$build/corpus/$name
	seeds=tests/fuzz/corpus/$name
	crashes=tests/fuzz/crashes/$name
	mkdir -p "$work" "$seeds" "$crashes"
	dict=""
	[ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
	log=$build/$name.log
	if [ -n "${FUZZ_MERGE:-}" ]; then
		"$bin" -merge=1 $dict "$seeds" "$work" >"$log" 2>&1
		echo "$name: merged, $(ls "$seeds" | wc -l) seeds"
		continue
	fi
	before=$(ls "$crashes" | wc -l)
	# -timeout: one input (a hang); slow inputs are not reported; -rss_limit_mb: the whole process (the sandbox caps Lua at 64 MiB, ASan doubles it)
	"$bin" -max_total_time="$secs" -timeout=60 -report_slow_units=1000000 -rss_limit_mb=3072 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$crashes/" $dict "$work" "$seeds" >"$log" 2>&1
	rc=$?
	after=$(ls "$crashes" | wc -l)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	echo "$name: exit $rc, ${execs:-?} runs in ${secs}s, ${cov:-cov: ?}, corpus $(ls "$work" | wc -l), new crashes $((after - before))"
	if [ "$rc" -ne 0 ] || [ "$after" -ne "$before" ]; then
		found=1
		grep -E "ERROR|SUMMARY|fuzz property|differ" "$log" | head -n 5 | sed 's/^/    /'
	fi
done
[ "$found" -eq 0 ]

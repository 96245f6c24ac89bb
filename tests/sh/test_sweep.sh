#!/bin/sh
# Sweeps on a cluster (docs/cluster.md): the shards of `kyodo run --sweep N --shard I/K --json`, run as separate
# processes and merged by `kyodo sweep merge`, give byte for byte the unsharded `--sweep N --json`, for several K
# (more shards than seeds too); the Slurm script and the Kubernetes Job's command run as shipped; the merge names
# missing, repeated and foreign lines.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
S=scenarios/tcu-remote.lua
N=7

"$KYODO" run "$S" --sweep $N --json >"$TMP/whole.json" 2>"$TMP/whole.err"
expect_eq "unsharded_exits_0" "$?" 0
"$KYODO" run "$S" --sweep $N --json --workers 1 >"$TMP/one.json" 2>/dev/null
cmp -s "$TMP/whole.json" "$TMP/one.json" && pass "workers_do_not_change_the_result" ||
	fail "workers_do_not_change_the_result" "$(cat "$TMP/one.json")"
case "$(cat "$TMP/whole.json")" in *"\"runs\":$N,"*) pass "unsharded_runs_$N" ;; *) fail "unsharded_runs_$N" "$(cat "$TMP/whole.json")" ;; esac

# shards as separate processes, in parallel, merged in reverse order
for K in 1 2 3 $N 9; do
	mkdir -p "$TMP/k$K"
	i=0
	pids=""
	while [ $i -lt $K ]; do
		"$KYODO" run "$S" --sweep $N --shard "$i/$K" --json --workers 1 >"$TMP/k$K/shard-$i.jsonl" 2>"$TMP/k$K/err-$i" &
		pids="$pids $!"
		i=$((i + 1))
	done
	rcs=0
	for p in $pids; do wait "$p" || rcs=$((rcs + 1)); done
	expect_eq "k${K}_shards_exit_0" "$rcs" 0
	expect_eq "k${K}_one_line_per_seed" "$(cat "$TMP/k$K"/shard-*.jsonl | grep -c .)" $N
	files=$(ls "$TMP/k$K"/shard-*.jsonl | sort -r)
	# shellcheck disable=SC2086
	"$KYODO" sweep merge $files --json >"$TMP/k$K/merged.json" 2>"$TMP/k$K/merge.err"
	expect_eq "k${K}_merge_exits_0" "$?" 0
	cmp -s "$TMP/whole.json" "$TMP/k$K/merged.json" && pass "k${K}_merged_equals_unsharded" ||
		fail "k${K}_merged_equals_unsharded" "$(cat "$TMP/k$K/merge.err" "$TMP/k$K/merged.json")"
done
# contiguous blocks: with K=3 and N=7, shard 0 has seeds 1..3, shard 1 4..5, shard 2 6..7
seeds=$(for i in 0 1 2; do sed -n 's/.*"seed":\([0-9]*\),.*/\1/p' "$TMP/k3/shard-$i.jsonl" | tr '\n' ' '; echo "|"; done | tr -d '\n')
expect_eq "shard_seed_blocks" "$seeds" "1 2 3 |4 5 |6 7 |"
expect_eq "empty_shard_prints_nothing" "$(cat "$TMP/k9/shard-8.jsonl")" ""
# the text form: the same report but for how it was run
"$KYODO" run "$S" --sweep $N 2>/dev/null | tail -n +2 >"$TMP/whole.txt"
"$KYODO" sweep merge "$TMP"/k3/shard-*.jsonl | tail -n +2 >"$TMP/merged.txt"
cmp -s "$TMP/whole.txt" "$TMP/merged.txt" && pass "text_merged_equals_unsharded" || fail "text_merged_equals_unsharded" "differs"
expect_contains "text_merge_says_how" "$("$KYODO" sweep merge "$TMP"/k3/shard-*.jsonl | head -n 1)" "merged from 3 files"
cat "$TMP"/k2/shard-*.jsonl | "$KYODO" sweep merge - --json >"$TMP/stdin.json"
cmp -s "$TMP/whole.json" "$TMP/stdin.json" && pass "merge_reads_stdin" || fail "merge_reads_stdin" "differs"

# what the merge refuses, with exit 1 and a message naming it
err=$("$KYODO" sweep merge "$TMP/k3/shard-0.jsonl" "$TMP/k3/shard-2.jsonl" 2>&1 >/dev/null)
expect_eq "missing_shard_exits_1" "$?" 1
expect_eq "missing_shard_names_seeds" "$err" \
	"kyodo sweep merge: seeds missing from the sweep of 1..7: 4..5 (a shard not run or not given?)"
err=$("$KYODO" sweep merge "$TMP"/k3/shard-*.jsonl "$TMP/k3/shard-1.jsonl" 2>&1 >/dev/null)
expect_eq "repeated_shard_exits_1" "$?" 1
expect_contains "repeated_shard_names_seeds" "$err" "seeds given more than once: 4, 5"
"$KYODO" run "$S" --sweep 8 --shard 1/2 --json >"$TMP/other.jsonl" 2>/dev/null
err=$("$KYODO" sweep merge "$TMP/k2/shard-0.jsonl" "$TMP/other.jsonl" 2>&1 >/dev/null)
expect_eq "other_sweep_exits_1" "$?" 1
expect_contains "other_sweep_named" "$err" "is of another sweep: its 'sweep' differs"
"$KYODO" run "$S" --sweep $N --shard 1/2 --json --actions scenarios/tcu-remote.poor.jsonl >"$TMP/poor.jsonl" 2>/dev/null
err=$("$KYODO" sweep merge "$TMP/k2/shard-0.jsonl" "$TMP/poor.jsonl" 2>&1 >/dev/null)
expect_contains "other_actions_named" "$err" "its 'inputs' differs"
{ head -n 1 "$TMP/k2/shard-0.jsonl"; echo '{"sweep":7,"seed":2'; } >"$TMP/broken.jsonl"
err=$("$KYODO" sweep merge "$TMP/broken.jsonl" 2>&1 >/dev/null)
expect_eq "malformed_line_exits_1" "$?" 1
case "$err" in "$TMP/broken.jsonl:2: "*) pass "malformed_line_names_file_line" ;; *) fail "malformed_line_names_file_line" "$err" ;; esac
err=$("$KYODO" sweep merge "$TMP/nosuch.jsonl" 2>&1 >/dev/null)
expect_eq "missing_file_exits_1" "$?" 1
expect_contains "missing_file_named" "$err" "$TMP/nosuch.jsonl: cannot open"

# the Slurm array script, as Slurm would run it: one process per array task, then the merge
mkdir -p "$TMP/bin"
ln -s "$KYODO" "$TMP/bin/kyodo"
i=0
pids=""
while [ $i -lt 3 ]; do
	SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=3 SLURM_CPUS_PER_TASK=1 PATH="$TMP/bin:$PATH" \
		sh docs/cluster/sweep.sbatch "$S" $N "$TMP/slurm" >/dev/null 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
rcs=0
for p in $pids; do wait "$p" || rcs=$((rcs + 1)); done
expect_eq "slurm_tasks_exit_0" "$rcs" 0
"$KYODO" sweep merge "$TMP"/slurm/shard-*.jsonl --json >"$TMP/slurm.json" 2>&1
cmp -s "$TMP/whole.json" "$TMP/slurm.json" && pass "slurm_merged_equals_unsharded" || fail "slurm_merged_equals_unsharded" "$(cat "$TMP/slurm.json")"
(unset SLURM_ARRAY_TASK_ID; sh docs/cluster/sweep.sbatch "$S" $N "$TMP/x" >/dev/null 2>&1)
expect_eq "slurm_script_refuses_outside_an_array" "$?" 2

# the Kubernetes Indexed Job's command, with the values of its env (SEEDS, SHARDS) and completions, per index
Y=docs/cluster/sweep-job.yaml
cmd=$(sed -n '/^ *args:/{n;s/^ *- //;p;}' "$Y" | sed "s|/out/|$TMP/k8s/|g")
seedsY=$(sed -n '/name: SEEDS/{n;s/.*value: "\([0-9]*\)"/\1/p;}' "$Y")
shardsY=$(sed -n '/name: SHARDS/{n;s/.*value: "\([0-9]*\)"/\1/p;}' "$Y")
completions=$(sed -n 's/^ *completions: \([0-9]*\).*/\1/p' "$Y")
expect_eq "k8s_completions_equal_shards" "$completions" "$shardsY"
mkdir -p "$TMP/k8s"
i=0
rcs=0
while [ $i -lt "$shardsY" ]; do
	JOB_COMPLETION_INDEX=$i SCENARIO=$S SEEDS=$N SHARDS=$shardsY WORKERS=1 PATH="$TMP/bin:$PATH" sh -c "$cmd" 2>/dev/null || rcs=$((rcs + 1))
	i=$((i + 1))
done
expect_eq "k8s_pods_exit_0" "$rcs" 0
expect_eq "k8s_no_partial_files_left" "$(ls "$TMP/k8s" | grep -c part)" 0
"$KYODO" sweep merge "$TMP"/k8s/shard-*.jsonl --json >"$TMP/k8s.json" 2>&1
cmp -s "$TMP/whole.json" "$TMP/k8s.json" && pass "k8s_merged_equals_unsharded" || fail "k8s_merged_equals_unsharded" "$(cat "$TMP/k8s.json")"
[ "$seedsY" -ge 1 ] && pass "k8s_seeds_set" || fail "k8s_seeds_set" "'$seedsY'"
done_tests

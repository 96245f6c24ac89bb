#!/bin/sh
# Every shipped drill's state_hash (no actions, good script, poor script) equals tests/data/state_hashes.txt: moves
# of code that must not change behaviour (the seams of issue 15) leave the simulation bit for bit the same.
# `sh tests/sh/test_state_hash.sh --update` rewrites the file's hash lines after a deliberate change.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
GOLD=tests/data/state_hashes.txt

hash_of() { # drill script -> state_hash
	if [ "$2" = none ]; then set -- "scenarios/$1.lua"; else set -- "scenarios/$1.lua" --actions "scenarios/$1.$2.jsonl"; fi
	"$KYODO" run "$@" --json 2>/dev/null | sed -n 's/.*"state_hash":"\([0-9a-f]*\)".*/\1/p'
}

if [ "${1:-}" = --update ]; then
	grep '^#' "$GOLD" >"$TMP/gold"
	for f in scenarios/*.lua; do
		n=$(basename "$f" .lua)
		for s in none good poor; do echo "$n $s $(hash_of "$n" "$s")" >>"$TMP/gold"; done
	done
	cp "$TMP/gold" "$GOLD"
	echo "rewrote $GOLD"
	exit 0
fi

n=0
for f in scenarios/*.lua; do
	name=$(basename "$f" .lua)
	grep -q "^$name " "$GOLD" || fail "golden_hash_listed_$name" "add it: sh tests/sh/test_state_hash.sh --update"
done
while read -r name script want; do
	case "$name" in '#'* | '') continue ;; esac
	n=$((n + 1))
	expect_eq "state_hash_${name}_$script" "$(hash_of "$name" "$script")" "$want"
done <"$GOLD"
[ "$n" -ge 18 ] && pass "golden_hashes_cover_the_drills" || fail "golden_hashes_cover_the_drills" "only $n"
done_tests

#!/bin/sh
# The kyodo binary's dispatch: --help lists every sub-command; an unknown one exits 2.
. "$(dirname "$0")/lib.sh"

out=$("$KYODO" --help)
for c in check run serve replay report; do
	case "$out" in *"kyodo $c"*) pass "help_lists_$c" ;; *) fail "help_lists_$c" "missing in: $out" ;; esac
done
"$KYODO" frobnicate >/dev/null 2>&1
expect_eq "unknown_command_exits_2" "$?" 2
done_tests

# Shared helpers for shell tests: print PASS/FAIL lines that tests/run.sh counts.
# KYODO is the binary under test (set by tests/run.sh); ROOT the source tree.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KYODO=${KYODO:-$ROOT/build/kyodo}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
nfail=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; shift; echo "  $*"; nfail=$((nfail + 1)); }
expect_eq() { # name got want
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi
}
expect_contains() { # name haystack needle
	case "$2" in *"$3"*) pass "$1" ;; *) fail "$1" "'$3' not in: $2" ;; esac
}
done_tests() { [ "$nfail" -eq 0 ]; }

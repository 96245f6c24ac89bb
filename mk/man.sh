#!/bin/sh
# Writes kyodo's man page on stdout, generated from its help texts: help2man reads `kyodo --help` and
# `kyodo --version` (name, synopsis, description, options, exit status); the COMMANDS section is every built
# command's `kyodo help CMD`, turned into roff by mk/help2roff.awk.
# Usage: sh mk/man.sh BUILD/kyodo > kyodo.1
set -eu
kyodo=$1
here=$(dirname "$0")
inc=$(mktemp)
trap 'rm -f "$inc"' EXIT
{
	echo '[COMMANDS]'
	for c in $("$kyodo" help --commands); do
		"$kyodo" help "$c" | awk -f "$here/help2roff.awk"
	done
	cat <<'ROFF'
[FILES]
.TP
.I PREFIX/share/kyodo/web
the participant and facilitator pages, found relative to the binary (\fB\-\-web\fR overrides)
.TP
.I PREFIX/share/kyodo/scenarios
the shipped drills, each with a good and a poor scripted team (\fINAME\fR.good.jsonl, \fINAME\fR.poor.jsonl)
.TP
.I /var/lib/kyodo/DRILL/journal.db
the journal of the systemd unit \fBkyodo@DRILL.service\fR (PREFIX/lib/systemd/system/kyodo@.service)
[SEE ALSO]
.BR sqlite3 (1),
.BR systemctl (1),
.BR systemd.exec (5);
the guides in PREFIX/share/doc/kyodo: facilitator-guide.md, operations.md, cluster.md, scenario-api.md,
protocol.md, journal.md.
ROFF
} >"$inc"
# The version from the first line of --version; the libraries' versions (the lines after it) stay out of the page.
version=$("$kyodo" --version | sed -n '1s/^kyodo //p')
help2man --no-info --version-string="$version" --section=1 --source="kyodo" --manual="kyodo manual" \
	--name="coordinated cyber drills for the connected-car industry" --include="$inc" "$kyodo" |
	sed 's/^\.SS "Exit status:"$/.SH "EXIT STATUS"/'  # the overview's last paragraph, a section of its own

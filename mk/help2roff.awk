# Turns one `kyodo help CMD` text (the format engine/opt.c's ky_cmd_help writes) into roff for the man page's
# COMMANDS section: the usage line as a subsection, the about text as a paragraph, each option as a tagged
# paragraph, the text after the options as paragraphs (lines indented by two spaces stay preformatted).
function esc(s) {
	gsub(/\\/, "\\e", s)
	if (s ~ /^[.']/) s = "\\&" s
	return s
}
function flush_opt() {
	if (tag != "") { print ".TP"; print ".B " tag; print esc(text) }
	tag = ""; text = ""
}
BEGIN { part = "usage"; tag = ""; text = ""; pre = 0 }
part == "usage" && /^Usage: / { sub(/^Usage: /, ""); print ".SS \"" esc($0) "\""; part = "about"; next }
part == "about" && /^Options:$/ { part = "options"; next }
part == "about" { if ($0 == "") print ".PP"; else print esc($0); next }
part == "options" && /^  -|^      --/ {
	flush_opt()
	label = substr($0, 1, 26); sub(/^ +/, "", label); sub(/ +$/, "", label)
	gsub(/-/, "\\-", label)
	tag = label; text = substr($0, 27); sub(/^ +/, "", text)
	next
}
part == "options" && /^                          / { t = $0; sub(/^ +/, "", t); text = text (text == "" ? "" : " ") t; next }
part == "options" && /^$/ { flush_opt(); part = "more"; print ".PP"; next }
part == "more" && /^  / { if (!pre) { print ".nf"; pre = 1 } print esc($0); next }
part == "more" {
	if (pre) { print ".fi"; pre = 0 }
	if ($0 == "") print ".PP"; else print esc($0)
	next
}
END { flush_opt(); if (pre) print ".fi" }

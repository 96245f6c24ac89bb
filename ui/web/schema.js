// schema: the JSON Schema subset of `exercise.catalog.actions` (docs/protocol.md: type, properties, required, enum,
// pattern, minimum, maximum, items, additionalProperties), read by the action form. Pure functions, no DOM, no
// text: errors are codes with parameters that forms.js words in the page's language.

/* The schema's type as a list ("string" → ["string"], ["string","array"] stays). */
export function typesOf(s) {
	if (!s || s.type === undefined) return [];
	return Array.isArray(s.type) ? s.type : [s.type];
}

/* The literal alternatives of an anchored alternation pattern ("^(all|signing_key|tcu)$" → ["all","signing_key","tcu"]),
   reading the one-character classes and escapes vehicles/action.c writes for metacharacters; null for any other pattern. */
export function patternChoices(pattern) {
	if (typeof pattern !== "string") return null;
	const m = /^\^\((.*)\)\$$/.exec(pattern);
	if (!m) return null;
	const out = [];
	let cur = "";
	const s = m[1];
	for (let i = 0; i < s.length; i++) {
		const c = s[i];
		if (c === "|") { out.push(cur); cur = ""; continue; }
		if (c === "\\" && i + 1 < s.length) { cur += s[++i]; continue; }
		if (c === "[" && s[i + 2] === "]") { cur += s[i + 1]; i += 2; continue; }
		if ("()[]{}*+?.^$".includes(c)) return null;   // not a plain literal: a real pattern
		cur += c;
	}
	out.push(cur);
	return out.filter((x) => x.length > 0);
}

function isInteger(v) { return typeof v === "number" && Number.isInteger(v); }

function typeOk(types, v) {
	if (!types.length) return true;
	return types.some((t) => (t === "string" && typeof v === "string") || (t === "number" && typeof v === "number" && isFinite(v))
		|| (t === "integer" && isInteger(v)) || (t === "boolean" && typeof v === "boolean") || (t === "array" && Array.isArray(v))
		|| (t === "object" && v !== null && typeof v === "object" && !Array.isArray(v)) || (t === "null" && v === null));
}

/* Validates v against schema s; returns [{path, code, params}] (empty when valid). path is the dotted name of the
   value ("select.model"); an item of a list reports the list's path with params.item. Codes: type, enum, pattern,
   minimum, maximum, required, unknown. bPartial: required properties are not enforced. */
export function validate(s, v, path, bPartial) {
	const errs = [];
	check(s, v, path || "", errs, !!bPartial);
	return errs;
}

function check(s, v, path, errs, bPartial, item) {
	if (!s) return;
	const types = typesOf(s);
	const add = (code, params) => errs.push({ path, code, params: Object.assign({ item }, params || {}) });
	if (!typeOk(types, v)) { add("type", { types }); return; }
	if (typeof v === "string") {
		if (Array.isArray(s.enum) && !s.enum.includes(v)) { add("enum", { choices: s.enum }); return; }
		if (typeof s.pattern === "string") {
			let re = null;
			try { re = new RegExp(s.pattern, "u"); } catch (e) { try { re = new RegExp(s.pattern); } catch (e2) { re = null; } }
			if (re && !re.test(v)) add("pattern", { value: v });
		}
		return;
	}
	if (typeof v === "number") {
		if (types.includes("integer") && !types.includes("number") && !isInteger(v)) { add("type", { types: ["integer"] }); return; }
		if (typeof s.minimum === "number" && v < s.minimum) add("minimum", { min: s.minimum });
		if (typeof s.maximum === "number" && v > s.maximum) add("maximum", { max: s.maximum });
		return;
	}
	if (Array.isArray(v)) {
		v.forEach((x, i) => check(s.items, x, path, errs, bPartial, typeof x === "string" ? x : String(i + 1)));
		return;
	}
	if (v && typeof v === "object") {
		const props = s.properties || {};
		for (const [k, x] of Object.entries(v)) {
			const p = path ? path + "." + k : k;
			if (props[k]) check(props[k], x, p, errs, bPartial);
			else if (s.additionalProperties === false) errs.push({ path: p, code: "unknown", params: {} });
		}
		if (!bPartial) for (const k of s.required || []) if (v[k] === undefined) errs.push({ path: path ? path + "." + k : k, code: "required", params: {} });
	}
}

/* Where the server's `rejected` message points ("notify: args.party: 'pcc' is not one of: …" → {path:"party",
   text:"'pcc' is not one of: …"}); null when it names no argument. */
export function serverErrorPath(message) {
	const m = /(?:^|:\s)args\.([A-Za-z0-9_.]+?)(?:\[\d+\])?(?:\.)?:\s*(.*)$/s.exec(String(message || ""));
	return m ? { path: m[1], text: m[2] } : null;
}

// forms: the team's one action form, built from the welcome's `exercise.catalog.actions` (a JSON Schema per action
// kind, derived on the server from the one table of action kinds) — nothing here lists kinds, parties, features,
// services or states: the schema is the one source. A control named `kind` chooses the kind; each argument is a
// control named after it (a selector's fields as `select.model`, `select.region`, …; a list such as `indicators`
// as one text control, items separated by commas or new lines), so whatever the schema allows, the form can send.
// Validation runs against the same schema (schema.js), with messages in the page's language; the server's
// `rejected` message is shown beside the field it names. Kinds the table marks `confirm` (fleet-wide revocations,
// feature disables, OTA campaigns, isolating a service) ask first, with the number of cars affected.
// Also here: the words for an action (summarize), its result (resultText) and its score effects (effectText),
// shared by both pages.

import { t, has, getLang } from "./i18n.js";
import { h, fill, teamName, fmtN, pickLang } from "./util.js";
import { typesOf, patternChoices, validate, serverErrorPath } from "./schema.js";
import { openDialog } from "./dialog.js";

const SELECT_MODE = "@cars";   // the scope control's choice "a group of cars" (the selector's fields below it)
let CTX = { exercise: null, catalog: null };   // for labels (team and party names) in the module's word functions

/* The exercise and catalog the word functions name things from (both pages call it on every welcome). */
export function setContext(exercise, catalog) { CTX = { exercise: exercise || null, catalog: catalog || null }; }

// --- words ----------------------------------------------------------------------------------------
function leaf(path) { return String(path).split(".").pop(); }

/* A field's label: "arg.select.model", else "arg.model", else the name made readable. */
export function argLabel(path) {
	if (has("arg." + path)) return t("arg." + path);
	if (has("arg." + leaf(path))) return t("arg." + leaf(path));
	return leaf(path).replace(/_/g, " ");
}

function argHelp(path, s) {
	if (has("arg." + path + ".help")) return t("arg." + path + ".help");
	if (has("arg." + leaf(path) + ".help")) return t("arg." + leaf(path) + ".help");
	return s && s.description ? s.description : "";
}

/* A value of a field in words: team and party names, services, features, ECUs, states, TLP, stages. */
export function valLabel(path, v) {
	const f = leaf(path);
	if (v === undefined || v === null) return "";
	if (f === "to" || f === "team") return v === "all" ? t("f.to.all") : teamName(CTX.exercise, v);
	if (f === "party" && CTX.exercise && CTX.exercise.parties && CTX.exercise.parties[v]) return CTX.exercise.parties[v];
	if (f === "tlp") return t("tlp." + v);
	if (f === "inject") return injectTitle(v);
	const key = "val." + f + "." + v;
	if (has(key)) return t(key);
	if ((f === "scope" || f === "ecu") && has("val.ecu." + v)) return t("val.ecu." + v);
	return String(v);
}

/* A metric's name: the scenario's label for it (a string or {en, ja}), else the catalogue's. */
export function metricLabel(key, label) {
	const l = pickLang(label, getLang());
	if (l) return l;
	return has("fleet." + key) ? t("fleet." + key) : String(key).replace(/_/g, " ");
}

/* An inject's title from what this page received (its id only when unknown). */
let injectTitles = new Map();
export function setInjectTitles(m) { injectTitles = m; }
export function injectTitle(id) { return injectTitles.get(id) || String(id || ""); }

function short(s, n) { s = String(s || "").replace(/\s+/g, " ").trim(); return s.length > n ? s.slice(0, n - 1) + "…" : s; }

function valueText(path, v) {
	if (Array.isArray(v)) return v.map((x) => valLabel(path, x)).join(", ");
	if (v && typeof v === "object") return selectorText(v);
	if (typeof v === "number") return fmtN(v, getLang());
	return valLabel(path, v);
}

/* A selector in words: "Model: Sedan-A · ECU: TCU below 2.4.0"; {} is "every car". */
export function selectorText(sel) {
	if (!sel || typeof sel !== "object") return valLabel("scope", sel);
	if (sel.select && typeof sel.select === "object") sel = sel.select;
	const bits = [];
	for (const [k, v] of Object.entries(sel)) {
		if (k === "below" || k === "version") continue;
		let s = argLabel("select." + k) + ": " + (Array.isArray(v) ? v.map((x) => valLabel(k, x)).join(", ") : valLabel(k, v));
		if (k === "ecu" && (sel.below || sel.version)) s += " " + (sel.below ? t("sel.below", { v: sel.below }) : t("sel.exactly", { v: sel.version }));
		bits.push(s);
	}
	if (!sel.ecu && (sel.below || sel.version)) bits.push(sel.below ? t("sel.below", { v: sel.below }) : t("sel.exactly", { v: sel.version }));
	return bits.length ? bits.join(" · ") : t("sel.all");
}

/* One line for an action in lists: its arguments in words, in the schema's order, text shortened. */
export function summarize(kind, args) {
	args = args || {};
	const s = schemaOf(kind);
	const order = s && s.properties ? Object.keys(s.properties) : Object.keys(args);
	const parts = [];
	for (const k of order) {
		if (args[k] === undefined || k === "text") continue;
		if (k === "reason") continue;
		parts.push(k === "rollout" ? t("sum.rollout", { pct: Math.round(Number(args[k]) * 100) }) : valueText(k, args[k]));
	}
	if (args.text) parts.push("“" + short(args.text, 80) + "”");
	return parts.filter(Boolean).join(" · ");
}

function schemaOf(kind) {
	const a = CTX.catalog && CTX.catalog.actions;
	return a && a[kind] ? a[kind] : null;
}

const num = (v) => fmtN(typeof v === "number" ? v : Number(v) || 0, getLang());

/* What an action did, in words, from its record's result (only what the acting team's organisation observes; the
   facilitator also sees the ground truth of an assessment), followed by the scenario's own words when its
   on("action") handler gave some (result.text). */
export function resultText(kind, result, args, bFacilitator) {
	const r = result && typeof result === "object" ? result : {};
	const own = typeof r.text === "string" && r.text ? r.text : "";
	if (kind === "contact") return own || t("res.contact", { party: valLabel("party", (args || {}).party) });
	const base = resultWords(kind, r, args || {}, bFacilitator);
	return own ? (base === t("res.recorded") ? own : base + " " + own) : base;
}

function resultWords(kind, r, args, bFacilitator) {
	switch (kind) {
	case "pause_ota_campaign": case "resume_ota_campaign":
		return t(r.paused ? "res.ota.paused" : "res.ota.resumed", { n: r.campaign || args.campaign, offered: num(r.offered), done: num(r.done), waiting: num(r.waiting) });
	case "block_indicator":   // how many compromised cars used it is the facilitator's truth, not what a team sees
		if (!(r.matched > 0)) return t("res.block.none");
		return bFacilitator ? t("res.block.fac", { cars: num(r.cars), s: num(r.effective_in_s) }) : t("res.block", { s: num(r.effective_in_s) });
	case "isolate_service":
		return r.was_isolated ? t("res.isolate.already", { svc: valLabel("name", r.service || args.name) })
			: t("res.isolate", { svc: valLabel("name", r.service || args.name), online: num(r.cars_online) });
	case "restore_service": return t("res.restore", { svc: valLabel("name", r.service || args.name) });
	case "revoke_certificate":
		if (r.packages_rejected !== undefined) return t("res.revoke.key", { n: num(r.packages_rejected) });
		return t(bFacilitator ? "res.revoke.fac" : "res.revoke", { cut: num(r.cut_cars), comp: num(r.compromised_cut), rate: num(r.reprovision_per_hour) });
	case "ota_campaign": {
		let s = t("res.ota", { n: r.campaign || "?", cars: num(r.targeted), h: num(r.eta_hours) });
		if (r.ota_usable === false) s += " " + t("res.ota.down");
		else if (r.telematics_usable === false) s += " " + t("res.ota.telematics");
		return s;
	}
	case "disable_feature":
		return t("res.disable", { feature: valLabel("feature", args.feature), cars: num(r.affected_customers), total: num(r.customers_affected_total) });
	case "assess":
		if (bFacilitator && r.truth !== undefined) return r.claimed === null || r.claimed === undefined ? t("res.assess.truth.q", { truth: num(r.truth) })
			: t("res.assess.truth", { truth: num(r.truth), claimed: num(r.claimed), pct: Math.round((r.error || 0) * 100) });
		return args.affected !== undefined ? t("res.assess", { claimed: num(args.affected) }) : t("res.recorded");
	case "notify": return args.stage ? t("res.notify.stage", { party: valLabel("party", args.party), stage: valLabel("stage", args.stage) }) : t("res.notify", { party: valLabel("party", args.party) });
	case "share": return t("res.share", { to: valLabel("to", args.to), tlp: t("tlp." + (args.tlp || "clear")) });
	case "rotate_credential": {   // whether the attacker held it is the facilitator's truth
		let s = t("res.rotate", { cred: r.credential || args.credential, n: num(r.rotations) });
		if (Array.isArray(r.degraded) && r.degraded.length)
			s += " " + t("res.rotate.degraded", { svcs: r.degraded.map((x) => valLabel("name", x)).join(", "), min: num(Math.round((r.downtime_s || 0) / 60)), cust: num(r.customers) });
		if (bFacilitator && r.attacker_cut !== undefined) s += " " + t(r.attacker_cut ? "res.rotate.cut" : "res.rotate.nocut");
		return s;
	}
	case "recall": return t("res.recall", { n: r.recall || "?", cars: num(r.targeted), perday: num(Math.round(r.visits_per_day || 0)), h: num(r.visit_hours) });
	case "customer_advisory": return t("res.advisory", { n: num(r.customers) });
	default: return t("res.recorded");
	}
}

/* An expectation's name: its label, unless the scenario left the automatic "INJECT#n". */
export function expectationName(e) {
	const label = e.expectation || e.label || "";
	const auto = /^(.+)#(\d+)$/.exec(label);
	if (!label || (auto && auto[1] === e.inject)) {
		const what = e.kind ? t("kind." + e.kind) : t("exp.expectation");
		return what + " · " + injectTitle(e.inject);
	}
	return label;
}

/* One score effect in words, and its points: {text, points}. */
export function effectText(e) {
	const pts = typeof e.points === "number" ? e.points : 0;
	switch (e.type) {
	case "met":
		return { text: (typeof e.possible === "number" && pts < e.possible - 0.005 ? t("eff.met.late", { possible: num(e.possible) }) : t("eff.met")) + ": " + expectationName(e), points: pts };
	case "missed": return { text: t("eff.missed", { possible: num(e.possible) }) + ": " + expectationName(e), points: 0 };
	case "penalty": return { text: t("eff.penalty") + ": " + (e.reason || ""), points: pts };
	case "adjust": return { text: t("eff.adjust") + ": " + (e.reason || ""), points: pts };
	case "grade": return { text: t("eff.grade") + (e.comment ? ": " + e.comment : ""), points: pts };
	default: return { text: String(e.type || ""), points: pts };
	}
}

export function fmtPoints(p) {
	const v = Math.round(p * 100) / 100;
	return (v > 0 ? "+" : v < 0 ? "−" : "±") + fmtN(Math.abs(v), getLang());
}

// --- cars affected (the confirmation) --------------------------------------------------------------
function verParts(v) { return String(v || "").split(".").map((x) => parseInt(x, 10) || 0); }
function verCmp(a, b) {
	const x = verParts(a), y = verParts(b);
	for (let i = 0; i < Math.max(x.length, y.length); i++) { const d = (x[i] || 0) - (y[i] || 0); if (d) return d < 0 ? -1 : 1; }
	return 0;
}
const oneOf = (want, v) => want === undefined || (Array.isArray(want) ? want.includes(v) : want === v);

/* Cars of the catalog's cohorts a selector matches (the team's organisation's only, when the cohorts say): {n, exact}.
   exact is false when the selector names a car state the cohorts cannot tell. */
export function countCars(sel, org) {
	const cohorts = (CTX.catalog && CTX.catalog.cohorts) || [];
	sel = sel && typeof sel === "object" ? (sel.select && typeof sel.select === "object" ? sel.select : sel) : {};
	let n = 0;
	for (const c of cohorts) {
		if (org && c.org && c.org !== org) continue;
		if (!oneOf(sel.model, c.model) || !oneOf(sel.region, c.region) || !oneOf(sel.org, c.org)) continue;
		const ver = sel.ecu ? (c.ecus || {})[sel.ecu] : null;
		if (sel.ecu && !ver) continue;
		if (sel.below && !(ver && verCmp(ver, sel.below) < 0)) continue;
		if (sel.version && !(ver && verCmp(ver, sel.version) === 0)) continue;
		n += c.count || 0;
	}
	return { n, exact: sel.state === undefined };
}

/* The confirmation's lines for a kind the table marks `confirm`. */
function confirmLines(kind, args, org) {
	const cars = (sel) => { const c = countCars(sel, org); return (c.exact ? "" : t("conf.upto") + " ") + fmtN(c.n, getLang()); };
	switch (kind) {
	case "revoke_certificate": {
		const sc = args.scope;
		if (sc === "signing_key") return [t("conf.revoke.key")];
		const sel = typeof sc === "string" ? (sc === "all" ? {} : { ecu: sc }) : sc;
		return [t("conf.revoke", { cars: cars(sel), what: selectorText(sel) }), t("conf.revoke.cost")];
	}
	case "ota_campaign": {
		const sel = Object.assign({}, args.select || {}, { ecu: args.ecu });
		if (!sel.below && !sel.version) sel.below = args.version;
		return [t("conf.ota", { cars: cars(sel), ver: args.version, ecu: valLabel("ecu", args.ecu), what: selectorText(args.select || {}) }),
			t("conf.ota.rate", { pct: Math.round((args.rollout === undefined ? 0.25 : args.rollout) * 100) })];
	}
	case "disable_feature":
		return [t("conf.disable", { feature: valLabel("feature", args.feature), cars: cars(args.select || {}), what: selectorText(args.select || {}) }), t("conf.disable.cost")];
	case "isolate_service":
		return [t("conf.isolate", { svc: valLabel("name", args.name), cars: cars({}) }), t("conf.isolate.cost")];
	default:
		return [t("conf.generic")];
	}
}

// --- building the form ---------------------------------------------------------------------------
const idOf = (path) => "f-" + path.replace(/\./g, "-");
const isText = (path) => ["text", "request", "detail"].includes(leaf(path));   // what is said or asked: several lines

function option(value, label) { return h("option", { value }, label); }

/* The wrapper of one control: label, control, help, error (aria-describedby both). */
function fieldBox(path, s, control, req, extraHelp) {
	const id = idOf(path);
	control.id = id;
	control.name = path;
	const help = [argHelp(path, s), extraHelp].filter(Boolean).join(" ");
	const helpId = "h-" + id.slice(2), errId = "e-" + id.slice(2);
	control.setAttribute("aria-describedby", (help ? helpId + " " : "") + errId);
	if (req) control.setAttribute("aria-required", "true");
	return h("div", { class: "field", "data-field": path },
		h("label", { for: id }, argLabel(path), req ? h("span", { class: "req" }, " ", t("f.required.mark")) : h("span", { class: "opt" }, " ", t("f.optional"))),
		control,
		help ? h("div", { class: "help", id: helpId }, help) : null,
		h("div", { class: "err", id: errId, "data-err": path, "aria-live": "off" }));
}

function datalist(path, items) {
	if (!items || !items.length) return null;
	const dl = h("datalist", { id: "dl-" + path.replace(/\./g, "-") }, items.map((x) => Array.isArray(x) ? h("option", { value: x[0], label: x[1] }) : h("option", { value: x })));
	return dl;
}

function suggestions(path, ctx) {
	const f = leaf(path);
	const cat = ctx.catalog || {};
	if (f === "inject") return ctx.injects.map((i) => [i.id, i.title || i.id]);
	if (f === "component") return cat.components || [];
	if (f === "value") return ctx.indicators || [];
	if (f === "campaign") return (ctx.campaigns || []).map((c) => [String(c.campaign), t("f.campaign.item", { n: c.campaign, ecu: valLabel("ecu", c.ecu), version: c.version, done: fmtN(c.done || 0, getLang()), targeted: fmtN(c.targeted || 0, getLang()) }) + (c.paused ? " · " + t("f.campaign.paused") : "")]);
	if (f === "version" || f === "below") {
		const vs = new Set();
		for (const c of cat.cohorts || []) for (const v of Object.values(c.ecus || {})) vs.add(v);
		return [...vs].sort(verCmp);
	}
	return [];
}

/* The control(s) of one property; returns the nodes to insert. */
function buildProp(path, s, req, ctx, depth) {
	const types = typesOf(s);
	if (types.includes("object") && s.properties) {
		if (types.includes("string")) return buildModeProp(path, s, req, ctx);
		if (depth >= 1) return [];   // a selector inside a selector ({ select = {...} } in a scope) says nothing more
		return [selectorBox(path, s, ctx, depth)];
	}
	if (types.includes("array")) {
		const items = s.items || {};
		if (Array.isArray(items.enum)) {
			const el = h("select", { multiple: true, size: Math.min(4, Math.max(2, items.enum.length)) }, items.enum.map((v) => option(v, valLabel(path, v))));
			return [fieldBox(path, s, el, req, t("f.multi.help"))];
		}
		const el = h("textarea", { rows: 2, spellcheck: "false", placeholder: t("f.list.ph") });
		return [fieldBox(path, s, el, req, t("f.list.help"))];
	}
	if (types.includes("string") && Array.isArray(s.enum)) {
		const el = h("select", {}, option("", req ? t("f.choose") : depth ? t("f.any") : t("f.none")), s.enum.map((v) => option(v, valLabel(path, v))));
		return [fieldBox(path, s, el, req)];
	}
	if (types.includes("integer") || types.includes("number")) {
		const dlN = datalist(path, suggestions(path, ctx));
		const el = h("input", { list: dlN ? dlN.id : undefined, type: "number", inputmode: types.includes("integer") ? "numeric" : "decimal", step: types.includes("integer") ? "1" : "any",
			min: typeof s.minimum === "number" ? s.minimum : undefined, max: typeof s.maximum === "number" ? s.maximum : undefined,
			placeholder: has("arg." + leaf(path) + ".ph") ? t("arg." + leaf(path) + ".ph") : "" });
		return [fieldBox(path, s, el, req), dlN];
	}
	if (isText(path)) {
		const el = h("textarea", { rows: ctx.kind === "report" ? 8 : 4, placeholder: has("ph." + ctx.kind) ? t("ph." + ctx.kind) : "" });
		return [fieldBox(path, s, el, req)];
	}
	const el = h("input", { type: "text", autocomplete: "off", spellcheck: "false", placeholder: has("arg." + leaf(path) + ".ph") ? t("arg." + leaf(path) + ".ph") : "" });
	const dl = datalist(path, suggestions(path, ctx));
	if (dl) el.setAttribute("list", dl.id);
	return [fieldBox(path, s, el, req), dl];
}

/* A group of cars: the selector's fields in a fieldset (names path.model, path.region, …). */
function selectorBox(path, s, ctx, depth) {
	const req = new Set(s.required || []);
	const kids = [];
	for (const [k, ps] of Object.entries(s.properties)) kids.push(...buildProp(path + "." + k, ps, req.has(k), ctx, depth + 1));
	return h("fieldset", { class: "selector", "data-group": path },
		h("legend", {}, argLabel(path)),
		h("div", { class: "help" }, argHelp(path, s) ? argHelp(path, s) + " " : "", t("f.select.help")),
		h("div", { class: "grid2" }, kids.filter(Boolean)));
}

/* A value that is a name or a group of cars (revoke's scope): a choice among the names the pattern allows, or
   "a group of cars", which shows the selector's fields. */
function buildModeProp(path, s, req, ctx) {
	const choices = patternChoices(s.pattern);
	const sel = choices ? h("select", {}, option("", t("f.choose")), choices.map((v) => option(v, valLabel(path, v))), option(SELECT_MODE, t("f.scope.cars")))
		: h("input", { type: "text", autocomplete: "off", spellcheck: "false", placeholder: t("f.scope.ph") });
	const group = selectorBox(path, s, ctx, 0);
	group.dataset.when = path + "=" + SELECT_MODE;
	return [fieldBox(path, s, sel, req), group];
}

// --- reading and validating ------------------------------------------------------------------------
function controlValue(root, path) {
	const el = root.querySelector(`[name="${CSS.escape(path)}"]`);
	if (!el) return { el: null };
	if (el.tagName === "SELECT" && el.multiple) return { el, v: [...el.selectedOptions].map((o) => o.value).filter(Boolean) };
	return { el, v: el.value };
}

/* The args the controls under path say for schema s (undefined when empty). */
function readProp(root, path, s, depth) {
	const types = typesOf(s);
	if (types.includes("object") && s.properties) {
		if (types.includes("string")) {
			const { v } = controlValue(root, path);
			if (v === SELECT_MODE) return readObject(root, path, s, depth, true);
			return v && v.trim() ? v.trim() : undefined;
		}
		if (depth >= 1) return undefined;
		return readObject(root, path, s, depth, false);
	}
	const { el, v } = controlValue(root, path);
	if (!el) return undefined;
	if (types.includes("array")) {
		const list = Array.isArray(v) ? v : String(v || "").split(/[\n,]+/).map((x) => x.trim()).filter(Boolean);
		if (!list.length) return undefined;
		if (list.length === 1 && types.includes("string")) return list[0];
		return list;
	}
	if (types.includes("integer") || types.includes("number")) {
		const x = String(v || "").trim();
		if (!x) return undefined;
		const n = Number(x);
		return isFinite(n) ? n : x;
	}
	const x = String(v || "").trim();
	return x ? x : undefined;
}

function readObject(root, path, s, depth, bKeepEmpty) {
	const o = {};
	for (const [k, ps] of Object.entries(s.properties)) {
		const x = readProp(root, path ? path + "." + k : k, ps, depth + 1);
		if (x !== undefined) o[k] = x;
	}
	return Object.keys(o).length || bKeepEmpty ? o : undefined;
}

const exact = (v) => Number(v).toLocaleString(getLang() === "ja" ? "ja-JP" : "en-US", { maximumFractionDigits: 6 });

/* The localized message of a schema error. */
function errorText(e) {
	const p = e.params || {};
	const f = leaf(e.path);
	const item = p.item ? t("v.item", { item: p.item }) + " " : "";
	switch (e.code) {
	case "required": return t("v.required");
	case "pattern": return item + (has("arg." + f + ".bad") ? t("arg." + f + ".bad") : t("v.pattern"));
	case "enum": return item + t("v.enum");
	case "minimum": return item + t("v.min", { min: exact(p.min) });
	case "maximum": return item + t("v.max", { max: exact(p.max) });
	case "type": return item + ((p.types || []).includes("integer") ? t("v.integer") : (p.types || []).includes("number") ? t("v.number") : t("v.type"));
	case "redall": return t("f.tlp.redall");
	default: return t("v.unknown");
	}
}

/* The form's errors by control path: schema errors, and the one rule the schema cannot say. */
function check(schema, args) {
	const errs = validate(schema, args, "");
	if (args.tlp === "red" && args.to === "all") errs.push({ path: "to", code: "redall", params: {} });
	const out = {};
	for (const e of errs) if (!out[e.path]) out[e.path] = errorText(e);
	return out;
}

// --- the form ----------------------------------------------------------------------------------------
/* The action form. ctx: {schemas(), kinds(), catalog(), exercise(), team(), org(), injects(), indicators(),
   draft: {kind, values: {kind: {path: value}}, inject}, onDraft(draft), onSubmit(kind, args, inject) → {id}}.
   Returns {el, prefill(kind, values, inject), refresh(), refreshInjects(), settled(id, ok, message), lock(text), unlock()}. */
export function ActionForm(ctx) {
	const root = h("form", { class: "action-form", novalidate: true, autocomplete: "off", "aria-labelledby": "act-h" });
	const box = h("fieldset", { class: "form-box" });
	const kindSel = h("select", { id: "act-kind", name: "kind", "aria-describedby": "act-kind-help" });
	const helpEl = h("p", { class: "kind-help", id: "act-kind-help" });
	const body = h("div", { class: "fields" });
	const injSel = h("select", { id: "act-inject", name: "_inject", "aria-describedby": "act-inject-help" });
	const msgEl = h("div", { class: "form-msg", role: "alert" });
	const okEl = h("div", { class: "form-ok", role: "status" });
	const lockEl = h("div", { class: "form-locked", role: "status", hidden: true });
	const sendBtn = h("button", { type: "submit", class: "btn primary", id: "act-send" });
	const clearBtn = h("button", { type: "button", class: "btn ghost", id: "act-clear", onclick: () => { ctx.draft.values[kind] = {}; ctx.onDraft(ctx.draft); render(); } });
	const kindLabel = h("label", { for: "act-kind" });
	const injLabel = h("label", { for: "act-inject" });
	const injHelp = h("div", { class: "help", id: "act-inject-help" });
	box.append(h("div", { class: "field" }, kindLabel, kindSel), helpEl, body,
		h("div", { class: "field", "data-field": "_inject" }, injLabel, injSel, injHelp), msgEl, okEl,
		h("div", { class: "form-actions" }, clearBtn, sendBtn));
	root.append(lockEl, box);
	let kind = ctx.draft.kind;
	let shown = null;     // the kind whose controls the form shows now (none before the welcome brings the schemas)
	let pending = null;   // {id, kind, values}: submitted, waiting for the ack or the server's refusal

	const kindsList = () => {
		const schemas = ctx.schemas() || {};
		const listed = (ctx.kinds() || []).map((k) => k.kind).filter((k) => schemas[k]);
		for (const k of Object.keys(schemas)) if (!listed.includes(k)) listed.push(k);
		return listed;
	};
	const kindInfo = (k) => (ctx.kinds() || []).find((x) => x.kind === k) || {};
	const schema = () => (ctx.schemas() || {})[kind];

	function values() {
		const v = {};
		for (const el of body.querySelectorAll("[name]")) v[el.name] = el.multiple ? [...el.selectedOptions].map((o) => o.value) : el.value;
		return v;
	}
	function saveNow() {
		if (!kind || shown !== kind) return;   // nothing of this kind on screen: keep its draft as it is
		ctx.draft.values[kind] = values();
		ctx.draft.inject = injSel.value;
		ctx.onDraft(ctx.draft);
	}
	function applyWhen() {
		const v = values();
		for (const w of body.querySelectorAll("[data-when]")) {
			const [k, val] = w.dataset.when.split("=");
			w.hidden = (v[k] || "") !== val;
		}
		const tl = body.querySelector("[name=tlp]");
		const help = tl && tl.closest(".field").querySelector(".help");
		if (help) help.textContent = t("tlp.help." + (tl.value || "clear"));
	}
	function fillInjects() {
		const cur = ctx.draft.inject || "";
		const list = ctx.injects();
		injSel.replaceChildren(option("", t("act.inject.none")), ...list.map((i) => option(i.id, i.title || i.id)));
		injSel.value = list.some((i) => i.id === cur) ? cur : "";
	}
	function setErrors(errs, bFocus) {
		for (const el of body.querySelectorAll("[data-err]")) el.textContent = errs[el.dataset.err] || "";
		for (const f of body.querySelectorAll("[data-field]")) {
			const bad = !!errs[f.dataset.field];
			f.classList.toggle("invalid", bad);
			const c = f.querySelector("[name]");
			if (c) c.setAttribute("aria-invalid", String(bad));
		}
		const unplaced = Object.keys(errs).filter((p) => !body.querySelector(`[data-err="${CSS.escape(p)}"]`));
		msgEl.textContent = Object.keys(errs).length ? t("act.invalid") + (unplaced.length ? " " + unplaced.map((p) => argLabel(p) + ": " + errs[p]).join(" · ") : "") : "";
		if (bFocus) {
			const first = body.querySelector(".invalid [name]");
			if (first) first.focus();
		}
	}
	function render() {
		const kinds = kindsList();
		shown = null;
		if (kinds.length && !kinds.includes(kind)) kind = kinds.includes("block_indicator") ? "block_indicator" : kinds[0];
		kindSel.replaceChildren(...kinds.map((k) => option(k, has("kind." + k) ? t("kind." + k) : (kindInfo(k).summary || k))));
		kindLabel.textContent = t("act.kind");
		injLabel.textContent = t("act.inject");
		injHelp.textContent = t("act.inject.help");
		sendBtn.textContent = kind && kindInfo(kind).confirm ? t("act.send.confirm") : t("act.send");
		clearBtn.textContent = t("act.clear");
		if (!kinds.length) { fill(body, h("p", { class: "placeholder" }, t("act.noschema"))); helpEl.textContent = ""; return; }
		kindSel.value = kind;
		helpEl.textContent = has("help." + kind) ? t("help." + kind) : (kindInfo(kind).summary || "");
		const s = schema();
		const req = new Set(s.required || []);
		const bctx = { kind, catalog: ctx.catalog(), injects: ctx.injects(), indicators: ctx.indicators(), campaigns: ctx.campaigns ? ctx.campaigns() : [] };
		const nodes = [];
		for (const [k, ps] of Object.entries(s.properties || {})) nodes.push(...buildProp(k, ps, req.has(k), bctx, 0));
		body.replaceChildren(...nodes.filter(Boolean));
		const saved = ctx.draft.values[kind] || {};
		for (const el of body.querySelectorAll("[name]")) {
			if (!(el.name in saved)) continue;
			if (el.multiple) for (const o of el.options) o.selected = [].concat(saved[el.name]).includes(o.value);
			else el.value = saved[el.name];
		}
		shown = kind;
		fillInjects();
		msgEl.textContent = "";
		applyWhen();
	}
	kindSel.addEventListener("change", () => { saveNow(); kind = kindSel.value; ctx.draft.kind = kind; ctx.onDraft(ctx.draft); okEl.textContent = ""; render(); });
	root.addEventListener("input", (e) => {
		if (e.target === kindSel) return;
		saveNow(); applyWhen();
		const f = e.target.closest && e.target.closest("[data-field]");
		if (f && f.classList.contains("invalid")) { f.classList.remove("invalid"); e.target.setAttribute("aria-invalid", "false"); const er = f.querySelector("[data-err]"); if (er) er.textContent = ""; }
	});
	root.addEventListener("change", (e) => { if (e.target !== kindSel) { saveNow(); applyWhen(); } });
	root.addEventListener("submit", async (e) => {
		e.preventDefault();
		if (box.disabled || !kind) return;
		const s = schema();
		const args = readObject(body, "", s, -1, true) || {};
		const errs = check(s, args);
		setErrors(errs, true);
		okEl.textContent = "";
		if (Object.keys(errs).length) return;
		if (kindInfo(kind).confirm) {
			const lines = confirmLines(kind, args, ctx.org());
			const d = openDialog({ title: t("conf.title", { kind: t("kind." + kind) }), className: "confirm",
				body: [h("p", { class: "conf-what" }, summarize(kind, args)), lines.map((l) => h("p", {}, l))],
				actions: [{ label: t("conf.cancel"), value: "cancel" }, { label: t("conf.ok"), value: "ok", primary: true }], initial: "cancel" });
			if ((await d.done) !== "ok") return;
		}
		const inject = injSel.value || (kind === "triage" ? args.inject : undefined);
		const a = ctx.onSubmit(kind, args, inject);
		pending = { id: a && a.id, kind, values: JSON.stringify(values()) };
		okEl.textContent = t("act.sending");
	});
	render();
	return {
		el: root,
		/* Chooses kind and pre-fills values (e.g. "Act on this inject"). */
		prefill(k, vals, inject) {
			saveNow();
			if (kindsList().includes(k)) { kind = k; ctx.draft.kind = k; }
			ctx.draft.values[kind] = Object.assign({}, ctx.draft.values[kind] || {}, vals || {});
			if (inject !== undefined) ctx.draft.inject = inject;
			ctx.onDraft(ctx.draft);
			render();
		},
		/* Rebuilds after the language, the schemas or the list of injects changed (drafts survive). */
		refresh() { saveNow(); render(); },
		refreshInjects() {
			const focused = document.activeElement;
			if (focused && root.contains(focused) && focused !== injSel) { fillInjects(); return; }
			saveNow(); render();
		},
		/* The server's answer to a submitted action: its ack (the form is cleared if it still shows what was sent)
		   or its refusal (shown beside the field it names; the typed values stay). */
		settled(id, ok, message, seq) {
			if (!pending || pending.id !== id) return;
			const p = pending;
			pending = null;
			if (ok) {
				if (p.kind === kind && p.values === JSON.stringify(values())) { ctx.draft.values[kind] = {}; ctx.onDraft(ctx.draft); render(); }
				okEl.textContent = t("act.sent", { seq });
				return;
			}
			okEl.textContent = "";
			if (p.kind !== kind) { msgEl.textContent = t("act.refused", { message }); return; }
			const where = serverErrorPath(message);
			const errs = {};
			if (where) {
				let path = where.path;
				while (path && !body.querySelector(`[data-err="${CSS.escape(path)}"]`)) path = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
				if (path) errs[path] = t("act.server.says", { message: where.text });
			}
			setErrors(errs, true);
			if (!Object.keys(errs).length) msgEl.textContent = t("act.refused", { message });
		},
		/* The drill ended: nothing can be sent any more (the typed text stays visible). */
		lock(text) { box.disabled = true; lockEl.hidden = false; lockEl.textContent = text; },
		unlock() { box.disabled = false; lockEl.hidden = true; lockEl.textContent = ""; },
		get locked() { return box.disabled; },
	};
}

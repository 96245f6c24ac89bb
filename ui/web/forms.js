// forms: one form per team action kind of CONTRACT §3, with validation and help text.
// Selectors (model, region, ECU, feature, service, component) come from the fleet's catalog when the
// welcome carries one; otherwise the fields are free text. The typed values are a draft the page keeps
// in localStorage, so a reload loses nothing; read() turns them into the action's args.

import { t, getLang } from "./i18n.js";
import { h, TLPS, teamName } from "./util.js";

export const KINDS = ["triage", "block_indicator", "isolate_service", "restore_service", "revoke_certificate", "ota_campaign",
	"disable_feature", "notify", "share", "assess", "report"];

const DEFAULT_FEATURES = ["remote_start", "remote_unlock", "remote_lock", "remote_climate", "find_my_car", "digital_key"];
const DEFAULT_SERVICES = ["telematics", "ota", "vsoc", "pki", "app_api"];
const PARTIES = ["regulator", "isac", "customers", "supplier"];
const STATES = ["clean", "compromised", "patched", "offline"];
// VEX statements (assess with a vulnerability): the statuses, CycloneDX justifications and responses
const VEX_STATUS = ["affected", "not_affected", "fixed", "under_investigation"];
const VEX_JUST = ["code_not_present", "code_not_reachable", "requires_configuration", "requires_dependency", "requires_environment",
	"protected_by_compiler", "protected_at_runtime", "protected_at_perimeter", "protected_by_mitigating_control"];
const VEX_RESPONSE = ["update", "rollback", "workaround_available", "will_not_fix", "can_not_fix"];

function names(list) {
	if (!list) return [];
	if (Array.isArray(list)) return list.map((x) => (typeof x === "string" ? x : x && (x.id || x.name || x.model || x.region))).filter(Boolean);
	if (typeof list === "object") return Object.keys(list);
	return [];
}

/* A uniform catalog {models, regions, ecus: {ecu: [versions]}, features, services, components} from the
   welcome's exercise (exercise.catalog, or the fleet cohorts when the catalog is absent). Empty lists mean free text. */
export function normCatalog(ex) {
	const c = (ex && (ex.catalog || ex.world)) || {};
	const out = { models: names(c.models), regions: names(c.regions), ecus: {}, features: names(c.features),
		services: names(c.services), components: [] };
	const addEcu = (e, v) => {
		if (!e) return;
		out.ecus[e] = out.ecus[e] || [];
		for (const x of [].concat(v || [])) if (x && typeof x === "string" && !out.ecus[e].includes(x)) out.ecus[e].push(x);
	};
	if (Array.isArray(c.ecus)) for (const e of c.ecus) { if (typeof e === "string") addEcu(e); else if (e) addEcu(e.id || e.name || e.ecu, e.versions); }
	else if (c.ecus && typeof c.ecus === "object") for (const [e, v] of Object.entries(c.ecus)) addEcu(e, Array.isArray(v) ? v : (v && v.versions) || (typeof v === "string" ? [v] : []));
	const fleet = (ex && ex.fleet) || c.fleet || c.cohorts;
	if (Array.isArray(fleet)) {
		for (const co of fleet) {
			if (co.model && !out.models.includes(co.model)) out.models.push(co.model);
			if (co.region && !out.regions.includes(co.region)) out.regions.push(co.region);
			if (co.ecus && typeof co.ecus === "object") for (const [e, v] of Object.entries(co.ecus)) addEcu(e, v);
		}
	}
	const comp = c.components || c.packages || c.sbom;
	if (Array.isArray(comp)) out.components = names(comp);
	else if (comp && typeof comp === "object") {
		// {"tcu":{"2.3.1":["openssl@1.1.1k"]}}
		for (const byVer of Object.values(comp)) if (byVer && typeof byVer === "object")
			for (const list of Object.values(byVer)) if (Array.isArray(list))
				for (const p of list) if (typeof p === "string" && !out.components.includes(p)) out.components.push(p);
	}
	if (!out.features.length) out.features = DEFAULT_FEATURES.slice();
	out.freeServices = !out.services.length;
	if (!out.services.length) out.services = DEFAULT_SERVICES.slice();
	out.models.sort(); out.regions.sort(); out.components.sort();
	return out;
}

// --- validation -----------------------------------------------------------------------------------
const RE_IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(\/\d{1,2})?$/;
const RE_IPV6 = /^[0-9a-f:]*:[0-9a-f:.]*(\/\d{1,3})?$/i;
const RE_DOMAIN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}\.?$/i;
const RE_HASH = /^([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$/i;
export function isIndicator(v) {
	v = v.trim();
	return RE_IPV4.test(v) || (v.includes(":") && RE_IPV6.test(v)) || RE_DOMAIN.test(v) || RE_HASH.test(v) || /^https?:\/\/\S+$/.test(v);
}
const RE_VERSION = /^\d+(\.\d+){0,3}([-+][0-9A-Za-z.-]+)?$/;
const RE_COMPONENT = /^(pkg:\S+|[^\s]*[^@\s/][^\s]*@[^@\s]+)$/;   // name@version, group/name@version (@scope/x@1), a purl

// --- field builders -------------------------------------------------------------------------------
function field(name, labelKey, control, helpKey, opts) {
	const id = "f-" + name.replace(/\./g, "-");
	control.id = id;
	control.name = name;
	return h("div", { class: "field" + (opts && opts.inline ? " inline" : ""), "data-field": name },
		h("label", { for: id }, t(labelKey), opts && opts.required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
		control,
		helpKey ? h("div", { class: "help" }, opts && opts.helpParams ? t(helpKey, opts.helpParams) : t(helpKey)) : null,
		h("div", { class: "err", "data-err": name }));
}

function select(options, emptyKey) {
	const el = h("select");
	if (emptyKey) el.appendChild(h("option", { value: "" }, t(emptyKey)));
	for (const o of options) {
		const [v, label] = Array.isArray(o) ? o : [o, o];
		el.appendChild(h("option", { value: v }, label));
	}
	return el;
}

/* text input with a datalist of suggestions (free text stays possible) */
function suggest(name, list, ph) {
	const inp = h("input", { type: "text", autocomplete: "off", spellcheck: "false", placeholder: ph || "" });
	if (list && list.length) {
		const dl = h("datalist", { id: "dl-" + name.replace(/\./g, "-") }, list.map((x) => h("option", { value: x })));
		inp.setAttribute("list", dl.id);
		return [inp, dl];
	}
	return [inp];
}

function choice(name, list, emptyKey) {
	// a select when the catalog knows the values, else free text
	if (list && list.length) return select(list, emptyKey);
	return h("input", { type: "text", autocomplete: "off", spellcheck: "false" });
}

function selectorFields(prefix, cat) {
	const ecus = Object.keys(cat.ecus);
	return h("fieldset", { class: "selector" },
		h("legend", {}, t("f.select")),
		h("div", { class: "help" }, t("f.select.help")),
		h("div", { class: "grid2" },
			field(prefix + ".model", "f.select.model", choice(prefix + ".model", cat.models, "f.any")),
			field(prefix + ".region", "f.select.region", choice(prefix + ".region", cat.regions, "f.any")),
			field(prefix + ".ecu", "f.select.ecu", choice(prefix + ".ecu", ecus, "f.any")),
			field(prefix + ".state", "f.select.state", select(STATES.map((s) => [s, t("f.state." + s)]), "f.any")),
			field(prefix + ".cmp", "f.select.cmp", select([["", t("f.select.cmp.any")], ["below", t("f.select.cmp.below")], ["version", t("f.select.cmp.version")]])),
			field(prefix + ".version", "f.select.version", h("input", { type: "text", autocomplete: "off", placeholder: "2.4.0" }))));
}

function readSelector(v, prefix) {
	const s = {};
	for (const k of ["model", "region", "ecu", "state"]) if (v[prefix + "." + k]) s[k] = v[prefix + "." + k];
	const cmp = v[prefix + ".cmp"], ver = (v[prefix + ".version"] || "").trim();
	if (cmp && ver) s[cmp] = ver;
	return s;
}

function checkSelector(v, prefix, errs) {
	const cmp = v[prefix + ".cmp"], ver = (v[prefix + ".version"] || "").trim();
	if (cmp && !ver) errs[prefix + ".version"] = t("act.required");
	else if (cmp && !RE_VERSION.test(ver)) errs[prefix + ".version"] = t("f.version.bad");
}

function textarea(phKey, rows) {
	return h("textarea", { rows: rows || 5, placeholder: phKey ? t(phKey) : "" });
}

// --- forms ----------------------------------------------------------------------------------------
/* Builds the fields of kind. ctx: {catalog, exercise, team, injects: [{id,title}]}. Returns the fields element. */
function buildFields(kind, ctx) {
	const cat = ctx.catalog;
	const ecus = Object.keys(cat.ecus);
	switch (kind) {
	case "triage":
		return [field("inject", "f.inject", select(ctx.injects.map((i) => [i.id, i.id + " · " + i.title]), "f.choose"), null, { required: true })];
	case "block_indicator":
		return [field("value", "f.value", h("input", { type: "text", autocomplete: "off", spellcheck: "false", placeholder: t("f.value.ph") }), "f.value.help", { required: true })];
	case "isolate_service":
	case "restore_service":
		if (cat.freeServices) {
			const [inp, dl] = suggest("name", cat.services);
			return [field("name", "f.name", inp, kind === "isolate_service" ? "f.name.help" : "f.name.help.restore", { required: true }), dl];
		}
		return [field("name", "f.name", select(cat.services, "f.choose"), kind === "isolate_service" ? "f.name.help" : "f.name.help.restore", { required: true })];
	case "revoke_certificate":
		return [h("div", { class: "field", "data-field": "scope.mode" },
			h("div", { class: "label" }, t("f.scope")),
			h("div", { class: "radios" },
				h("label", {}, h("input", { type: "radio", name: "scope.mode", value: "ecu", checked: true }), " ", t("f.scope.mode.ecu")),
				h("label", {}, h("input", { type: "radio", name: "scope.mode", value: "select" }), " ", t("f.scope.mode.select"))),
			h("div", { class: "help" }, t("f.scope.help"))),
		h("div", { class: "when", "data-when": "scope.mode=ecu" }, field("scope.class", "f.ecu", choice("scope.class", ecus, "f.choose"), null, { required: true })),
		h("div", { class: "when", "data-when": "scope.mode=select" }, selectorFields("scope", cat))];
	case "ota_campaign":
		return [field("ecu", "f.ecu", choice("ecu", ecus, "f.choose"), "f.ecu.help", { required: true }),
			field("version", "f.version", h("input", { type: "text", autocomplete: "off", placeholder: t("f.version.ph") }), "f.version.help", { required: true }),
			field("rollout", "f.rollout", h("input", { type: "number", min: "0", max: "1", step: "0.05", value: "1" }), "f.rollout.help", { required: true, helpParams: { pct: "1 = 100%" } }),
			selectorFields("select", cat)];
	case "disable_feature":
		return [field("feature", "f.feature", select(cat.features, "f.choose"), "f.feature.help", { required: true }), selectorFields("select", cat)];
	case "notify":
		return [field("party", "f.party", select(PARTIES.map((p) => [p, t("f.party." + p)]), "f.choose"), null, { required: true }),
			field("text", "f.text", textarea("f.text.ph.notify", 6), null, { required: true })];
	case "share": {
		const teams = ((ctx.exercise && ctx.exercise.teams) || []).filter((x) => x.id !== ctx.team);
		return [h("div", { class: "grid2" },
			field("to", "f.to", select([["all", t("f.to.all")]].concat(teams.map((x) => [x.id, teamName(ctx.exercise, x.id)])), "f.choose"), null, { required: true }),
			field("tlp", "f.tlp", select(TLPS.map((x) => [x, t("tlp." + x)])), null, { required: true })),
		h("div", { class: "help tlp-help", "data-tlp-help": "" }),
		field("text", "f.text", textarea("f.text.ph.share", 5), null, { required: true }),
		field("indicators", "f.indicators", textarea("f.indicators.ph", 2), "f.indicators.help")];
	}
	case "assess": {
		// an impact assessment of a component, or a VEX statement about a vulnerability (docs/sbom.md)
		const [inp, dl] = suggest("component", cat.components, t("f.component.ph"));
		return [h("div", { class: "field", "data-field": "assess.mode" },
			h("div", { class: "radios" },
				h("label", {}, h("input", { type: "radio", name: "assess.mode", value: "component", checked: true }), " ", t("f.assess.mode.component")),
				h("label", {}, h("input", { type: "radio", name: "assess.mode", value: "vex" }), " ", t("f.assess.mode.vex")))),
		h("div", { class: "when", "data-when": "assess.mode=component" },
			field("component", "f.component", inp, "f.component.help", { required: true }), dl,
			field("affected", "f.affected", h("input", { type: "number", min: "0", step: "1" }), "f.affected.help", { required: true })),
		h("div", { class: "when", "data-when": "assess.mode=vex" },
			field("vulnerability", "f.vulnerability", h("input", { type: "text", autocomplete: "off", spellcheck: "false", placeholder: "CVE-2022-37434" }), "f.vulnerability.help", { required: true }),
			h("div", { class: "grid2" },
				field("status", "f.status", select(VEX_STATUS.map((x) => [x, t("f.status." + x)]), "f.choose"), null, { required: true }),
				field("justification", "f.justification", select(VEX_JUST.map((x) => [x, t("f.just." + x)]), "f.none"), "f.justification.help")),
			field("response", "f.response", select(VEX_RESPONSE.map((x) => [x, t("f.resp." + x)]), "f.none")),
			field("detail", "f.detail", textarea("f.detail.ph", 3), "f.detail.help"),
			selectorFields("select", cat))];
	}
	case "report":
		return [field("text", "f.text", textarea("f.text.ph.report", 10), null, { required: true })];
	}
	return [];
}

/* Validates the values v ({name: string}) of kind; returns {args, errs} (errs empty when valid). */
export function readArgs(kind, v) {
	const errs = {};
	const req = (name) => { if (!String(v[name] || "").trim()) errs[name] = t("act.required"); return String(v[name] || "").trim(); };
	const args = {};
	switch (kind) {
	case "triage": args.inject = req("inject"); break;
	case "block_indicator": args.value = req("value"); if (args.value && !isIndicator(args.value)) errs.value = t("f.value.bad"); break;
	case "isolate_service": case "restore_service": args.name = req("name"); break;
	case "revoke_certificate":
		if ((v["scope.mode"] || "ecu") === "ecu") args.scope = req("scope.class");
		else { checkSelector(v, "scope", errs); args.scope = readSelector(v, "scope"); }
		break;
	case "ota_campaign": {
		args.ecu = req("ecu");
		args.version = req("version");
		if (args.version && !RE_VERSION.test(args.version)) errs.version = t("f.version.bad");
		const r = String(v.rollout === undefined ? "1" : v.rollout).trim();
		const n = Number(r);
		if (r === "" || !isFinite(n) || n < 0 || n > 1) errs.rollout = t("f.rollout.bad");
		args.rollout = n;
		checkSelector(v, "select", errs);
		args.select = readSelector(v, "select");
		break;
	}
	case "disable_feature":
		args.feature = req("feature");
		checkSelector(v, "select", errs);
		args.select = readSelector(v, "select");
		break;
	case "notify": args.party = req("party"); args.text = req("text"); break;
	case "share": {
		args.to = req("to");
		args.tlp = (v.tlp || "clear");
		args.text = req("text");
		if (args.tlp === "red" && args.to === "all") errs.to = t("f.tlp.redall");
		const ind = String(v.indicators || "").split(/[\n,]+/).map((x) => x.trim()).filter(Boolean);
		if (ind.length) args.indicators = ind;
		break;
	}
	case "assess": {
		if ((v["assess.mode"] || "component") === "vex") {
			args.vulnerability = req("vulnerability");
			args.status = req("status");
			if (v.justification) args.justification = v.justification;
			if (v.response) args.response = [v.response];
			const d = String(v.detail || "").trim();
			if (d) args.detail = d;
			if (args.status === "not_affected" && !args.justification && !d) errs.justification = t("f.justification.needed");
			checkSelector(v, "select", errs);
			const sel = readSelector(v, "select");
			if (Object.keys(sel).length) args.select = sel;
			break;
		}
		args.component = req("component");
		if (args.component && !RE_COMPONENT.test(args.component)) errs.component = t("f.component.bad");
		const a = String(v.affected || "").trim();
		if (!a) errs.affected = t("act.required");
		else if (!/^\d+$/.test(a)) errs.affected = t("f.affected.bad");
		args.affected = Number(a);
		break;
	}
	case "report": args.text = req("text"); break;
	}
	return { args, errs };
}

/* A one-line summary of an action for lists (kind-specific, text shortened). */
export function summarize(kind, args) {
	args = args || {};
	const short = (s, n) => { s = String(s || ""); return s.length > n ? s.slice(0, n - 1) + "…" : s; };
	const sel = (s) => (s && typeof s === "object" ? Object.entries(s).map(([k, x]) => k + "=" + x).join(", ") || "*" : String(s || ""));
	switch (kind) {
	case "triage": return args.inject || "";
	case "block_indicator": return args.value || "";
	case "isolate_service": case "restore_service": return args.name || "";
	case "revoke_certificate": return sel(args.scope);
	case "ota_campaign": return (args.ecu || "") + " → " + (args.version || "") + " · " + Math.round((args.rollout || 0) * 100) + "% · " + sel(args.select);
	case "disable_feature": return (args.feature || "") + " · " + sel(args.select);
	case "notify": return t("f.party." + args.party) + ": " + short(args.text, 80);
	case "share": return "→ " + args.to + " [" + String(args.tlp || "").toUpperCase() + "] " + short(args.text, 70);
	case "assess":
		if (args.vulnerability) return args.vulnerability + ": " + (VEX_STATUS.includes(args.status) ? t("f.status." + args.status) : args.status) + (args.select ? " · " + sel(args.select) : "");
		return (args.component || "") + ": " + (args.affected !== undefined ? args.affected : sel(args.select));
	case "report": return short(args.text, 90);
	}
	return short(JSON.stringify(args), 90);
}

/* The action form: kind chooser, help, fields, "in response to" and the send button.
   ctx: {catalog, exercise, team, injects, draft: {kind, values: {kind: {name: value}}}, onDraft(draft), onSubmit(kind, args, inject)} */
export function ActionForm(ctx) {
	const root = h("form", { class: "action-form", novalidate: true, autocomplete: "off" });
	let kind = ctx.draft.kind && KINDS.includes(ctx.draft.kind) ? ctx.draft.kind : "block_indicator";
	const kindSel = select(KINDS.map((k) => [k, t("kind." + k)]));
	kindSel.id = "act-kind";
	kindSel.value = kind;
	kindSel.addEventListener("change", () => { saveNow(); kind = kindSel.value; ctx.draft.kind = kind; ctx.onDraft(ctx.draft); render(); });
	const helpEl = h("p", { class: "kind-help" });
	const body = h("div", { class: "fields" });
	const injSel = h("select", { id: "act-inject", name: "_inject" });
	const msgEl = h("div", { class: "form-msg", role: "alert" });
	const sendBtn = h("button", { type: "submit", class: "btn primary", id: "act-send" }, t("act.send"));
	const clearBtn = h("button", { type: "button", class: "btn ghost" , onclick: () => { ctx.draft.values[kind] = {}; ctx.onDraft(ctx.draft); render(); } }, t("act.clear"));
	root.append(
		h("div", { class: "field" }, h("label", { for: "act-kind" }, t("act.kind")), kindSel),
		helpEl, body,
		h("div", { class: "field", "data-field": "_inject" }, h("label", { for: "act-inject" }, t("act.inject")), injSel, h("div", { class: "help" }, t("act.inject.help"))),
		msgEl,
		h("div", { class: "form-actions" }, clearBtn, sendBtn));

	function values() {
		const v = {};
		for (const el of root.querySelectorAll("[name]")) {
			if (el.name === "_inject") continue;
			if (el.type === "radio") { if (el.checked) v[el.name] = el.value; } else v[el.name] = el.value;
		}
		return v;
	}
	function saveNow() {
		ctx.draft.values[kind] = values();
		ctx.draft.inject = injSel.value;
		ctx.onDraft(ctx.draft);
	}
	function applyWhen() {
		const v = values();
		for (const w of root.querySelectorAll("[data-when]")) {
			const [k, val] = w.dataset.when.split("=");
			w.hidden = (v[k] || "") !== val;
		}
		const tlpHelp = root.querySelector("[data-tlp-help]");
		if (tlpHelp) {
			const tl = v.tlp || "clear";
			tlpHelp.replaceChildren(h("span", { class: "tlp tlp-" + tl }, t("tlp." + tl)), " ", t("tlp.help." + tl));
		}
	}
	function fillInjects() {
		const cur = ctx.draft.inject || "";
		injSel.replaceChildren(h("option", { value: "" }, t("act.inject.none")),
			...ctx.injects.map((i) => h("option", { value: i.id }, i.id + " · " + i.title)));
		injSel.value = ctx.injects.some((i) => i.id === cur) ? cur : "";
	}
	function render() {
		kindSel.value = kind;
		helpEl.textContent = t("help." + kind);
		body.replaceChildren(...[].concat(buildFields(kind, ctx)).filter(Boolean));
		const saved = ctx.draft.values[kind] || {};
		for (const el of body.querySelectorAll("[name]")) {
			if (!(el.name in saved)) continue;
			if (el.type === "radio") el.checked = saved[el.name] === el.value;
			else el.value = saved[el.name];
		}
		fillInjects();
		msgEl.textContent = "";
		applyWhen();
	}
	root.addEventListener("input", () => { saveNow(); applyWhen(); });
	root.addEventListener("change", () => { saveNow(); applyWhen(); });
	root.addEventListener("submit", (e) => {
		e.preventDefault();
		const v = values();
		const { args, errs } = readArgs(kind, v);
		for (const el of root.querySelectorAll("[data-err]")) el.textContent = errs[el.dataset.err] || "";
		for (const el of root.querySelectorAll("[data-field]")) el.classList.toggle("invalid", !!errs[el.dataset.field]);
		if (Object.keys(errs).length) {
			msgEl.textContent = t("act.invalid");
			const first = root.querySelector(".invalid input, .invalid select, .invalid textarea");
			if (first) first.focus();
			return;
		}
		msgEl.textContent = "";
		ctx.onSubmit(kind, args, injSel.value || (kind === "triage" ? args.inject : undefined));
		ctx.draft.values[kind] = {};
		ctx.onDraft(ctx.draft);
		render();
	});
	render();
	return {
		el: root,
		/* Chooses kind and pre-fills values (e.g. "Act on this inject"). */
		prefill(k, vals, inject) {
			saveNow();
			kind = k; ctx.draft.kind = k;
			ctx.draft.values[k] = Object.assign({}, ctx.draft.values[k] || {}, vals || {});
			if (inject !== undefined) ctx.draft.inject = inject;
			ctx.onDraft(ctx.draft);
			render();
		},
		/* Rebuilds after the language, the catalog or the list of injects changed (drafts survive). */
		refresh() { saveNow(); sendBtn.textContent = t("act.send"); clearBtn.textContent = t("act.clear"); root.querySelector("label[for=act-kind]").textContent = t("act.kind");
			root.querySelector("label[for=act-inject]").textContent = t("act.inject");
			root.querySelector("[data-field=_inject] .help").textContent = t("act.inject.help");
			kindSel.replaceChildren(...KINDS.map((k) => h("option", { value: k }, t("kind." + k)))); render(); },
		refreshInjects() { const focused = document.activeElement; if (focused && root.contains(focused) && focused !== injSel && kind !== "triage") { fillInjects(); return; } saveNow(); if (kind === "triage") render(); else fillInjects(); },
		lang: getLang,
	};
}

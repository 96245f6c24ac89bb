// hotwash: who the participant is, and the hot wash at the end of the drill.
// - A display name per participant, kept in this browser (localStorage "kyodo.name", for every drill and team):
//   sent in the hello (and as {"type":"name"} when it changes), so the server records who sent each action; the
//   feedback carries it too. A participant id per browser ("kyodo.participant") tells one answer from another.
// - When the drill has ended, the participant feedback form (HSEEP style): five statements rated 1–5 and three
//   free-text answers, sent as {"type":"feedback",...}; the server stores it durably in the journal and answers
//   {"type":"feedback_saved"}. The form is a card above the centre panel, never a modal: the page stays usable.
//   A typed draft survives a reload; a participant may send again (the latest answer counts).
// Protocol: docs/protocol.md (`name`, `feedback`, `feedback_saved`, `hotwash`).

import { t } from "./i18n.js";
import { h, fill, store, newClientId } from "./util.js";

export const QUESTIONS = ["realism", "roles", "coordination", "tools", "value"];
export const TEXTS = ["well", "improve", "surprise"];
const NAME_KEY = "kyodo.name";
const PID_KEY = "kyodo.participant";

export function participantName() { return String(store.get(NAME_KEY, "") || "").slice(0, 80); }

export function participantId() {
	let p = store.get(PID_KEY, "");
	if (!p) { p = newClientId("p"); store.set(PID_KEY, p); }
	return p;
}

export class Hotwash {
	/* opts: { send(msg) -> bool, key: storage prefix of this page (per token), onName(name) } */
	constructor(opts) {
		this.o = opts;
		this.K = opts.key + "hotwash.";
		this.state = Object.assign({ sent: false, hidden: false, ratings: {}, texts: {}, at: null }, store.get(this.K + "state", {}));
		this.pending = null;   // the id of a feedback message not yet answered
		this.ended = false;
		this.error = "";
		this.chip = null;
		this.card = null;
	}

	/* Fields the hello carries: the display name, when there is one. */
	helloFields() { const n = participantName(); return n ? { name: n } : {}; }

	save() { store.set(this.K + "state", this.state); }

	/* The participant chip in the header, after the team chip: the name, or a field to give it. */
	mountName(after) {
		this.chip = h("div", { class: "me-chip", id: "me-chip" });
		after.after(this.chip);
		this.renderName();
	}

	renderName(bEdit) {
		if (!this.chip) return;
		const name = participantName();
		if (name && !bEdit) {
			fill(this.chip, h("span", { class: "cap" }, t("me.label")),
				h("strong", { id: "me-name" }, name),
				h("button", { type: "button", class: "link", id: "me-edit", title: t("me.edit"), onclick: () => this.renderName(true) }, "✎"));
			return;
		}
		const input = h("input", { id: "me-input", type: "text", maxlength: "80", value: name, placeholder: t("me.placeholder"), "aria-label": t("me.placeholder") });
		const form = h("form", { class: "me-form", id: "me-form", onsubmit: (e) => { e.preventDefault(); this.setName(input.value); } },
			input, h("button", { type: "submit", class: "btn small", id: "me-save" }, t("me.save")));
		fill(this.chip, h("span", { class: "cap" }, t("me.label")), form);
	}

	setName(v) {
		const name = String(v || "").trim().slice(0, 80);
		store.set(NAME_KEY, name);
		this.o.send({ type: "name", name });
		this.renderName();
		if (this.o.onName) this.o.onName(name);
		this.render();
	}

	/* The centre card: mounted once, shown when the drill has ended. */
	mountCard(before) {
		this.card = h("section", { class: "panel hotwash", id: "hotwash", hidden: true, "aria-labelledby": "hw-h" });
		before.before(this.card);
		this.render();
	}

	/* The clock said whether the drill has ended. */
	onClock(ended) {
		if (ended === this.ended) return;
		this.ended = ended;
		this.render();
	}

	onSaved(m) {
		if (this.pending && m.id !== undefined && m.id !== this.pending) return;
		this.pending = null;
		this.error = "";
		this.state.sent = true;
		this.state.at = m.t_us;
		this.save();
		this.render();
	}

	/* An error answering our feedback: shown on the form. True when it was ours. */
	onError(m) {
		if (!this.pending || m.id !== this.pending) return false;
		this.pending = null;
		this.error = (m.code ? m.code + ": " : "") + (m.message || "");
		this.render();
		return true;
	}

	submit() {
		const msg = { type: "feedback", id: newClientId("fb"), participant: participantId(), ratings: {} };
		const name = participantName();
		if (name) msg.name = name;
		for (const q of QUESTIONS) if (this.state.ratings[q]) msg.ratings[q] = Number(this.state.ratings[q]);
		for (const k of TEXTS) { const v = (this.state.texts[k] || "").trim(); if (v) msg[k] = v; }
		if (!Object.keys(msg.ratings).length && !TEXTS.some((k) => msg[k])) { this.error = t("hw.empty"); this.render(); return; }
		this.pending = msg.id;
		this.error = "";
		if (!this.o.send(msg)) { this.pending = null; this.error = t("hw.offline"); }
		this.render();
	}

	render() {
		const c = this.card;
		if (!c) return;
		c.hidden = !this.ended;
		if (!this.ended) return;
		if (this.state.hidden) {
			fill(c, h("div", { class: "hw-collapsed" }, h("span", {}, t(this.state.sent ? "hw.thanks" : "hw.invite")),
				h("button", { type: "button", class: "btn small", id: "hw-open", onclick: () => { this.state.hidden = false; this.save(); this.render(); } }, t("hw.open"))));
			return;
		}
		const head = h("div", { class: "panel-head" }, h("h2", { id: "hw-h" }, t("hw.title")),
			h("button", { type: "button", class: "link", id: "hw-hide", onclick: () => { this.state.hidden = true; this.save(); this.render(); } }, t("hw.hide")));
		const intro = h("p", { class: "hw-intro" }, this.state.sent ? t("hw.sent") : t("hw.intro"),
			participantName() ? " " + t("hw.as", { name: participantName() }) : " " + t("hw.noname"));
		const scale = h("div", { class: "hw-scale" }, h("span", {}, t("hw.scale.low")), h("span", {}, t("hw.scale.high")));
		const rows = QUESTIONS.map((q) => h("fieldset", { class: "hw-q", "data-q": q },
			h("legend", {}, t("hw.q." + q)),
			h("div", { class: "hw-radios" }, [1, 2, 3, 4, 5].map((v) => h("label", { class: "hw-r" },
				h("input", { type: "radio", name: "hw-" + q, value: String(v), checked: Number(this.state.ratings[q]) === v,
					onchange: () => { this.state.ratings[q] = v; this.save(); } }), h("span", {}, String(v)))))));
		const texts = TEXTS.map((k) => {
			const ta = h("textarea", { id: "hw-" + k, rows: 2, maxlength: "4000" });
			ta.value = this.state.texts[k] || "";
			ta.oninput = () => { this.state.texts[k] = ta.value; this.save(); };
			return h("label", { class: "hw-text" }, h("span", {}, t("hw.t." + k)), ta);
		});
		const foot = h("div", { class: "hw-foot" },
			this.error ? h("span", { class: "err-text", id: "hw-error" }, this.error) : null,
			this.state.sent && !this.pending ? h("span", { class: "status acked", id: "hw-saved" }, t("hw.saved")) : null,
			h("button", { type: "submit", class: "btn primary", id: "hw-send", disabled: !!this.pending }, t(this.pending ? "hw.sending" : this.state.sent ? "hw.resend" : "hw.send")));
		const form = h("form", { class: "hw-form", id: "hw-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); this.submit(); } },
			scale, rows, texts, foot);
		fill(c, head, intro, form);
	}
}

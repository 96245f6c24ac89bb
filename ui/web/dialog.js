// dialog: modal dialogs for both pages (WAI-ARIA dialog pattern): role="dialog" with aria-modal, a label and a
// description; focus moves into the dialog, Tab and Shift+Tab stay inside it, Escape closes it, and focus returns
// to the element that opened it. The rest of the page is inert while it is open.

import { h } from "./util.js";

let seq = 0;

function focusables(root) {
	return [...root.querySelectorAll("button, [href], input, select, textarea, [tabindex]:not([tabindex='-1'])")]
		.filter((el) => !el.disabled && !el.hidden && el.offsetParent !== null);
}

/* Opens a modal. opts: {title, body: Node|[Node], actions: [{label, value, primary?, danger?}], initial?: value of
   the button to focus (default the first), className?, id? (of the backdrop), headExtra? (nodes beside the title),
   onClose?(value)}. Returns {el, close(value), done: Promise<value>}
   where value is the chosen action's value, or null for Escape, a click outside or close(). */
export function openDialog(opts) {
	const opener = document.activeElement;
	const id = "dlg-" + (++seq);
	let resolve;
	const done = new Promise((r) => { resolve = r; });
	const btns = (opts.actions || []).map((a) => h("button", { type: "button", class: "btn" + (a.primary ? " primary" : "") + (a.danger ? " danger" : ""),
		"data-value": String(a.value), onclick: () => close(a.value) }, a.label));
	const box = h("div", { class: "modal " + (opts.className || ""), role: "dialog", "aria-modal": "true", "aria-labelledby": id + "-t", "aria-describedby": id + "-d" },
		h("div", { class: "modal-head" }, h("h2", { id: id + "-t" }, opts.title || ""), opts.headExtra || null),
		h("div", { class: "modal-body", id: id + "-d" }, opts.body || null),
		btns.length ? h("div", { class: "modal-foot" }, btns) : null);
	const back = h("div", { class: "modal-back", id: opts.id || undefined, onclick: (e) => { if (e.target === back) close(null); } }, box);
	const inert = [...document.body.children].filter((el) => el !== back && !el.inert);
	for (const el of inert) el.inert = true;
	document.body.appendChild(back);
	function onKey(e) {
		if (e.key === "Escape") { e.preventDefault(); close(null); return; }
		if (e.key !== "Tab") return;
		const f = focusables(box);
		if (!f.length) { e.preventDefault(); return; }
		const first = f[0], last = f[f.length - 1];
		if (e.shiftKey && (document.activeElement === first || !box.contains(document.activeElement))) { e.preventDefault(); last.focus(); }
		else if (!e.shiftKey && (document.activeElement === last || !box.contains(document.activeElement))) { e.preventDefault(); first.focus(); }
	}
	document.addEventListener("keydown", onKey, true);
	let open = true;
	function close(value) {
		if (!open) return;
		open = false;
		document.removeEventListener("keydown", onKey, true);
		for (const el of inert) el.inert = false;
		back.remove();
		if (opener && typeof opener.focus === "function" && document.contains(opener)) opener.focus();
		if (opts.onClose) opts.onClose(value);
		resolve(value);
	}
	const want = btns.find((b) => b.dataset.value === String(opts.initial)) || focusables(box)[0] || box;
	if (want === box) box.tabIndex = -1;
	want.focus();
	return { el: box, body: box.querySelector(".modal-body"), close, done, get open() { return open; } };
}

// conn: the kyodo.v1 websocket client shared by both pages.
// Opens ws(s)://HOST/ws (wss: when the page came over https), says hello with the page's token, and reconnects
// with back-off when the connection drops; every (re)connection starts with a fresh welcome and backlog from the
// server. The server sends at least a clock message every second, paused or not: SILENCE_MS without any message
// means the connection is dead even if the socket does not know it yet (a server that stopped, a network that
// went away), so the page says so within seconds and reconnects.
// It holds no drill state: the page rebuilds its view from what the server sends.

export const PROTOCOL = "kyodo.v1";
const SILENCE_MS = 5000;

export class Conn {
	/* token: the join token; handlers: {onMessage(msg), onState(state, attempt), onWelcome(msg), hello() -> extra
	 * fields of the hello}. */
	constructor(token, handlers) {
		this.token = token;
		this.h = handlers;
		this.ws = null;
		this.state = "connecting";
		this.attempt = 0;
		this.fatal = null;
		this.welcomed = false;
		this.timer = null;
		this.watch = null;
		this.lastRx = 0;
		addEventListener("online", () => this.kick());
		document.addEventListener("visibilitychange", () => { if (!document.hidden) this.kick(); });
	}

	url() {
		const scheme = location.protocol === "https:" ? "wss:" : "ws:";
		return scheme + "//" + location.host + "/ws";
	}

	open() {
		if (this.fatal) return;
		clearTimeout(this.timer);
		this.welcomed = false;
		this.setState(this.attempt ? "reconnecting" : "connecting");
		let ws;
		try {
			ws = new WebSocket(this.url(), PROTOCOL);
		} catch (e) {
			this.retry();
			return;
		}
		this.ws = ws;
		this.lastRx = Date.now();
		clearInterval(this.watch);
		this.watch = setInterval(() => { if (Date.now() - this.lastRx > SILENCE_MS) this.lost(ws); }, 1000);
		// the page may add fields to the hello (the participant's display name: hotwash.js)
		ws.onopen = () => ws.send(JSON.stringify(Object.assign({}, this.h.hello ? this.h.hello() : {}, { type: "hello", token: this.token })));
		ws.onmessage = (ev) => {
			this.lastRx = Date.now();
			let msg;
			try { msg = JSON.parse(ev.data); } catch (e) { return; }
			if (!msg || typeof msg.type !== "string") return;
			if (msg.type === "welcome") {
				this.welcomed = true;
				this.attempt = 0;
				this.setState("online");
			} else if (msg.type === "error" && !this.welcomed && isAuthError(msg)) {
				this.fatal = msg;
				this.setState("denied");
			}
			this.h.onMessage(msg);
		};
		ws.onclose = () => {
			if (this.ws !== ws) return;
			clearInterval(this.watch);
			this.ws = null;
			if (this.fatal) { this.setState("denied"); return; }
			this.retry();
		};
		ws.onerror = () => { /* onclose follows */ };
	}

	/* Nothing heard for SILENCE_MS (not even while connecting): drop that socket and reconnect. */
	lost(ws) {
		if (this.ws !== ws) return;
		clearInterval(this.watch);
		this.ws = null;
		ws.onopen = ws.onmessage = ws.onclose = null;
		try { ws.close(); } catch (e) { /* closing anyway */ }
		if (!this.fatal) this.retry();
	}

	retry() {
		this.attempt++;
		this.setState("reconnecting");
		const base = Math.min(10000, 400 * Math.pow(1.8, Math.min(this.attempt, 8)));
		const delay = base / 2 + Math.random() * base / 2;
		clearTimeout(this.timer);
		this.timer = setTimeout(() => this.open(), delay);
	}

	/* Reconnects at once when a retry is waiting (the network or the tab came back). */
	kick() {
		if (this.state === "reconnecting" && !this.ws && !this.fatal) { clearTimeout(this.timer); this.open(); }
	}

	setState(s) {
		this.state = s;
		if (this.h.onState) this.h.onState(s, this.attempt);
	}

	/* Sends msg when the connection is welcomed; returns false when it could not be sent now. */
	send(msg) {
		if (!this.ws || this.ws.readyState !== WebSocket.OPEN || !this.welcomed) return false;
		try { this.ws.send(JSON.stringify(msg)); } catch (e) { return false; }
		return true;
	}

	get online() { return this.state === "online"; }
}

function isAuthError(msg) {
	const c = String(msg.code || "").toLowerCase();
	return /auth|token|denied|forbidden|unauthori[sz]ed|401|403/.test(c) || /token/i.test(String(msg.message || ""));
}

/* The token from the page's URL (?token=…), or "" when absent. */
export function pageToken() {
	return new URLSearchParams(location.search).get("token") || "";
}

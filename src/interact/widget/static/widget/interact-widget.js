/*
 * #Interact website chat widget (CHN-1).
 *
 * One dependency-free ES module, embedded by the snippet the portal generates per channel:
 *   <script type="module" src="https://interact.example/static/widget/interact-widget.js" data-channel="KEY"></script>
 *
 * Why it is shaped like this:
 * - Everything lives in an open Shadow DOM so the host website's CSS cannot break it (and ours cannot leak).
 * - The visitor's token, the transcript and the highest event id seen are kept in localStorage under one key
 *   per channel and identity: the conversation survives page loads and is shared by the site's tabs.
 * - Every (re)connect says hello with that event id, and the server replays what was missed; events are
 *   deduplicated by id, so a reply is never lost nor shown twice.
 * - Outgoing messages carry a client_id and stay "sending" until the server acknowledges them after storage;
 *   unacknowledged ones are sent again after a reconnect (the server deduplicates by client_id).
 * Protocol: docs/widget.md.
 */

const SCRIPT_URL = new URL(import.meta.url);
const MAX_CHARS = 5000;
const MAX_ITEMS = 200;
const TYPING_IDLE_MS = 3000;
const REMOTE_TYPING_TIMEOUT_MS = 8000;
const PING_EVERY_MS = 25000;
const PONG_TIMEOUT_MS = 10000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 30000;
const RATE_LIMIT_RETRY_MS = 2000;

const TEXTS = {
  en: {
    title: "Chat with us",
    openChat: "Open chat",
    closeChat: "Close chat",
    endChat: "End conversation",
    send: "Send message",
    placeholder: "Write a message…",
    you: "You",
    agent: "Agent",
    bot: "Assistant",
    sending: "Sending…",
    waiting: "Waiting for connection…",
    sent: "Sent",
    failed: "Not sent: {reason}",
    connecting: "Connecting…",
    reconnecting: "Connection lost. Reconnecting…",
    offline: "You are offline. Your messages will be sent when the connection is back.",
    retryNow: "Retry now",
    unavailable: "The chat is not available on this website.",
    away: "We are away right now.",
    reopen: "We reopen on {when}.",
    queue: "You are number {n} in the queue.",
    joined: "{name} joined the conversation.",
    ended: "This conversation has ended.",
    newConversation: "Start a new conversation",
    typing: "{name} is typing…",
    counter: "{n} / {max}",
    tooLong: "A message is at most 5,000 characters.",
    rateLimited: "You are sending messages too fast; they will be sent in a moment.",
    unread: "{n} unread",
    greeting: "Hello! Ask us anything, we are happy to help.",
    log: "Conversation",
  },
  fr: {
    title: "Discutez avec nous",
    openChat: "Ouvrir le chat",
    closeChat: "Fermer le chat",
    endChat: "Terminer la conversation",
    send: "Envoyer le message",
    placeholder: "Écrivez un message…",
    you: "Vous",
    agent: "Conseiller",
    bot: "Assistant",
    sending: "Envoi…",
    waiting: "En attente de connexion…",
    sent: "Envoyé",
    failed: "Non envoyé : {reason}",
    connecting: "Connexion…",
    reconnecting: "Connexion perdue. Reconnexion…",
    offline: "Vous êtes hors ligne. Vos messages partiront dès le retour de la connexion.",
    retryNow: "Réessayer",
    unavailable: "Le chat n’est pas disponible sur ce site.",
    away: "Nous sommes absents pour le moment.",
    reopen: "Nous rouvrons le {when}.",
    queue: "Vous êtes numéro {n} dans la file d’attente.",
    joined: "{name} a rejoint la conversation.",
    ended: "Cette conversation est terminée.",
    newConversation: "Commencer une nouvelle conversation",
    typing: "{name} écrit…",
    counter: "{n} / {max}",
    tooLong: "Un message compte au plus 5 000 caractères.",
    rateLimited: "Vous envoyez des messages trop vite ; ils partiront dans un instant.",
    unread: "{n} non lus",
    greeting: "Bonjour ! Posez-nous vos questions, nous sommes là pour vous aider.",
    log: "Conversation",
  },
  nl: {
    title: "Chat met ons",
    openChat: "Chat openen",
    closeChat: "Chat sluiten",
    endChat: "Gesprek beëindigen",
    send: "Bericht versturen",
    placeholder: "Schrijf een bericht…",
    you: "U",
    agent: "Medewerker",
    bot: "Assistent",
    sending: "Versturen…",
    waiting: "Wachten op verbinding…",
    sent: "Verstuurd",
    failed: "Niet verstuurd: {reason}",
    connecting: "Verbinden…",
    reconnecting: "Verbinding verbroken. Opnieuw verbinden…",
    offline: "U bent offline. Uw berichten worden verstuurd zodra de verbinding terug is.",
    retryNow: "Nu opnieuw proberen",
    unavailable: "De chat is niet beschikbaar op deze website.",
    away: "We zijn momenteel afwezig.",
    reopen: "We zijn weer open op {when}.",
    queue: "U bent nummer {n} in de wachtrij.",
    joined: "{name} neemt deel aan het gesprek.",
    ended: "Dit gesprek is beëindigd.",
    newConversation: "Een nieuw gesprek beginnen",
    typing: "{name} typt…",
    counter: "{n} / {max}",
    tooLong: "Een bericht telt hoogstens 5.000 tekens.",
    rateLimited: "U verstuurt te snel berichten; ze worden zo dadelijk verstuurd.",
    unread: "{n} ongelezen",
    greeting: "Hallo! Stel ons gerust uw vraag, we helpen u graag.",
    log: "Gesprek",
  },
};

// --- configuration ---------------------------------------------------------------------------------

/** The <script> that loaded us: module scripts have no document.currentScript, so match by URL. */
function findScriptTag() {
  const tags = Array.from(document.querySelectorAll("script[data-channel]"));
  return tags.find((tag) => tag.src && new URL(tag.src, location.href).href === SCRIPT_URL.href)
    || tags.find((tag) => (tag.src || "").includes("interact-widget.js")) || null;
}

function readConfig() {
  const tag = findScriptTag();
  const data = tag ? tag.dataset : {};
  const settings = window.InteractSettings || {};
  const language = pickLanguage(settings.language || data.language || navigator.language || "en");
  return {
    channel: settings.channel || data.channel || "",
    identity: identityFrom(settings.identifier ? settings : data),
    language,
    color: settings.color || data.color || "#2f54d1",
  };
}

function identityFrom(source) {
  if (!source || !source.identifier || !source.signature) return null;
  return {
    identifier: String(source.identifier), signature: String(source.signature),
    name: source.name ? String(source.name) : "", email: source.email ? String(source.email) : "",
  };
}

function pickLanguage(raw) {
  const code = String(raw).toLowerCase().split(/[-_]/)[0];
  return TEXTS[code] ? code : "en";
}

function socketUrl(channel) {
  const scheme = SCRIPT_URL.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${SCRIPT_URL.host}/ws/widget/${encodeURIComponent(channel)}/`;
}

function newClientId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  // Pages served over plain http (other than localhost) have no randomUUID; getRandomValues still exists.
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// --- persistence: one localStorage record per channel and identity --------------------------------

/**
 * The record survives page loads and is shared by tabs. Tabs merge rather than overwrite it, so two tabs
 * writing at once never lose each other's events.
 */
class Store {
  constructor(channel, identity) {
    this.key = `interact:${channel}:${identity ? `id:${identity.identifier}` : "anon"}`;
    this.state = Store.empty();
    this.load();
  }

  static empty() {
    return { token: null, lastEventId: 0, seenEventId: 0, items: [], pending: [] };
  }

  load() {
    this.state = Store.merge(Store.empty(), this.read());
  }

  read() {
    try {
      const raw = window.localStorage.getItem(this.key);
      return raw ? JSON.parse(raw) : null;
    } catch (error) {
      return null; // storage disabled (private mode, blocked cookies): the widget still works for this page
    }
  }

  save() {
    this.state = Store.merge(this.state, this.read());
    try {
      window.localStorage.setItem(this.key, JSON.stringify(this.state));
    } catch (error) {
      /* quota or disabled storage: keep going in memory */
    }
  }

  clear() {
    this.state = Store.empty();
    try {
      window.localStorage.removeItem(this.key);
    } catch (error) {
      /* ignore */
    }
  }

  static itemKey(item) {
    return item.client_id && item.sender === "visitor" ? `c:${item.client_id}` : `e:${item.id}`;
  }

  static merge(mine, theirs) {
    if (!theirs || typeof theirs !== "object") return mine;
    const byKey = new Map();
    for (const item of [...(theirs.items || []), ...mine.items]) {
      const key = Store.itemKey(item);
      const known = byKey.get(key);
      byKey.set(key, known && known.id && !item.id ? known : { ...known, ...item });
    }
    const items = Array.from(byKey.values()).sort(Store.order).slice(-MAX_ITEMS);
    const delivered = new Set(items.filter((i) => i.client_id).map((i) => i.client_id));
    const pending = new Map();
    for (const message of [...(theirs.pending || []), ...mine.pending]) {
      if (!delivered.has(message.client_id)) pending.set(message.client_id, message);
    }
    return {
      token: mine.token || theirs.token || null,
      lastEventId: Math.max(mine.lastEventId || 0, theirs.lastEventId || 0),
      seenEventId: Math.max(mine.seenEventId || 0, theirs.seenEventId || 0),
      items,
      pending: Array.from(pending.values()),
    };
  }

  /** Stored events by id; an acknowledged message whose event has not arrived yet sorts last. */
  static order(a, b) {
    const left = a.id || Number.MAX_SAFE_INTEGER;
    const right = b.id || Number.MAX_SAFE_INTEGER;
    return left - right || (a.at || 0) - (b.at || 0);
  }
}

// --- the connection --------------------------------------------------------------------------------

/**
 * Owns the websocket: hello on every open, exponential backoff with full jitter between attempts,
 * a ping that detects half-open connections, and immediate retry when the browser comes back online.
 */
class Connection {
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.socket = null;
    this.attempt = 0;
    this.retryTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.stopped = false;
    this.retryAt = 0;
    window.addEventListener("online", () => this.retryNow());
  }

  get open() {
    return Boolean(this.socket && this.socket.readyState === WebSocket.OPEN && this.greeted);
  }

  start() {
    this.stopped = false;
    if (this.socket || this.retryTimer) return;
    this.connect();
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.greeted = false;
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch (error) {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    this.handlers.onState("connecting");
    socket.addEventListener("open", () => this.handlers.onOpen());
    socket.addEventListener("message", (event) => this.receive(event.data));
    socket.addEventListener("close", (event) => this.closed(socket, event.code));
  }

  receive(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (error) {
      return;
    }
    clearTimeout(this.pongTimer);
    if (frame.type === "welcome") {
      this.greeted = true;
      this.attempt = 0;
      this.startPing();
    }
    if (frame.type !== "pong") this.handlers.onFrame(frame);
  }

  send(frame) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  startPing() {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (!this.send({ type: "ping" })) return;
      clearTimeout(this.pongTimer);
      this.pongTimer = setTimeout(() => this.socket && this.socket.close(), PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  closed(socket, code) {
    if (socket !== this.socket) return;
    this.socket = null;
    this.greeted = false;
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    if (this.stopped) return;
    const verdict = this.handlers.onClose(code);
    if (verdict === "stop") {
      this.stopped = true;
      return;
    }
    if (verdict === "now") {
      this.connect();
      return;
    }
    this.scheduleRetry();
  }

  scheduleRetry() {
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.attempt += 1;
    this.retryAt = Date.now() + delay;
    this.handlers.onState(navigator.onLine === false ? "offline" : "reconnecting");
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  retryNow() {
    if (this.stopped || this.socket) return;
    this.connect();
  }

  restart() {
    this.stopped = false;
    const socket = this.socket;
    this.socket = null;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (socket) socket.close(1000);
    this.attempt = 0;
    this.connect();
  }
}

// --- the user interface ----------------------------------------------------------------------------

const STYLE = `
:host { all: initial; }
* { box-sizing: border-box; }
.root { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; font: 14px/1.45 system-ui, -apple-system,
  "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1d2433; }
button { font: inherit; cursor: pointer; }
.launcher { position: relative; width: 60px; height: 60px; border-radius: 50%; border: 0; background: var(--brand);
  color: #fff; box-shadow: 0 6px 20px rgba(15, 23, 42, .28); display: grid; place-items: center; margin-left: auto; }
.launcher:hover { filter: brightness(1.08); }
.launcher:focus-visible, .icon-button:focus-visible, .send:focus-visible, .link:focus-visible { outline: 3px solid #ffbf47;
  outline-offset: 2px; }
.launcher svg { width: 28px; height: 28px; }
.badge { position: absolute; top: -4px; right: -4px; min-width: 22px; height: 22px; padding: 0 6px; border-radius: 11px;
  background: #d92d20; color: #fff; font-size: 12px; font-weight: 700; line-height: 22px; text-align: center;
  border: 2px solid #fff; }
.panel { position: absolute; right: 0; bottom: 76px; width: 370px; height: min(580px, calc(100vh - 120px));
  background: #fff; border-radius: 16px; box-shadow: 0 12px 40px rgba(15, 23, 42, .25); display: flex;
  flex-direction: column; overflow: hidden; }
.panel[hidden], [hidden] { display: none !important; }
.header { background: var(--brand); color: #fff; padding: 14px 12px 14px 18px; display: flex; align-items: center;
  gap: 8px; }
.header .titles { flex: 1; min-width: 0; }
.header h2 { margin: 0; font-size: 16px; font-weight: 650; }
.header .subtitle { font-size: 12.5px; opacity: .9; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.icon-button { background: transparent; border: 0; color: #fff; width: 34px; height: 34px; border-radius: 8px;
  display: grid; place-items: center; }
.icon-button:hover { background: rgba(255, 255, 255, .16); }
.icon-button svg { width: 18px; height: 18px; }
.banner { padding: 9px 14px; font-size: 13px; border-bottom: 1px solid #e7e9ef; }
.banner.away { background: #fff8e6; color: #6b4b00; }
.banner.connection { background: #eef1f6; color: #374151; display: flex; gap: 8px; align-items: center; }
.banner.connection.bad { background: #fdecea; color: #8a1c12; }
.banner .link { background: none; border: 0; padding: 0; color: inherit; text-decoration: underline; font-weight: 600; }
.log { flex: 1; overflow-y: auto; padding: 14px; display: flex; flex-direction: column; gap: 8px;
  background: #f6f7fb; }
.greeting { align-self: flex-start; max-width: 85%; background: #fff; border: 1px solid #e5e7ef; border-radius: 14px;
  border-top-left-radius: 4px; padding: 8px 12px; }
.msg { max-width: 82%; display: flex; flex-direction: column; }
.msg .bubble { padding: 8px 12px; border-radius: 14px; white-space: pre-wrap; overflow-wrap: anywhere; }
.msg .meta { font-size: 11.5px; color: #6b7280; margin: 2px 6px; }
.msg.visitor { align-self: flex-end; align-items: flex-end; }
.msg.visitor .bubble { background: var(--brand); color: #fff; border-bottom-right-radius: 4px; }
.msg.visitor.pending .bubble { opacity: .7; }
.msg.visitor.failed .bubble { background: #b42318; }
.msg.agent, .msg.bot { align-self: flex-start; align-items: flex-start; }
.msg.agent .bubble, .msg.bot .bubble { background: #fff; border: 1px solid #e5e7ef; border-bottom-left-radius: 4px; }
.msg.agent .author, .msg.bot .author { font-size: 12px; font-weight: 650; color: #4b5563; margin: 0 6px 2px; }
.msg.system { align-self: center; max-width: 92%; }
.msg.system .bubble { background: #fff4d6; color: #5c4300; border: 1px dashed #e0b640; font-size: 13px;
  border-radius: 10px; }
.notice { align-self: center; font-size: 12.5px; color: #4b5563; background: #e9ecf3; padding: 4px 12px;
  border-radius: 999px; text-align: center; }
.ended { align-self: stretch; text-align: center; color: #4b5563; font-size: 13px; border-top: 1px solid #d9dde7;
  padding-top: 8px; margin-top: 4px; }
.status { padding: 0 16px; min-height: 22px; font-size: 12.5px; color: #4b5563; background: #f6f7fb; }
.footer { border-top: 1px solid #e7e9ef; padding: 10px 12px; background: #fff; }
.composer { display: flex; gap: 8px; align-items: flex-end; }
textarea { flex: 1; resize: none; border: 1px solid #cfd4de; border-radius: 10px; padding: 9px 11px; font: inherit;
  color: inherit; min-height: 42px; max-height: 140px; background: #fff; }
textarea:focus { outline: 2px solid var(--brand); outline-offset: 0; border-color: transparent; }
.send { width: 42px; height: 42px; border-radius: 10px; border: 0; background: var(--brand); color: #fff;
  display: grid; place-items: center; flex: none; }
.send:disabled { opacity: .45; cursor: default; }
.send svg { width: 18px; height: 18px; }
.counter { font-size: 11.5px; color: #6b7280; text-align: right; margin-top: 4px; }
.counter.over { color: #b42318; font-weight: 650; }
.restart { width: 100%; padding: 10px; border-radius: 10px; border: 0; background: var(--brand); color: #fff;
  font-weight: 600; }
.unavailable { padding: 24px; text-align: center; color: #6b7280; }
@media (max-width: 480px) {
  .root { right: 12px; bottom: 12px; }
  .panel { position: fixed; inset: 0; width: auto; height: auto; border-radius: 0; }
}
`;

const ICONS = {
  chat: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
    + 'stroke-linejoin="round" aria-hidden="true"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z"/></svg>',
  close: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" '
    + 'aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"/></svg>',
  end: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
    + 'stroke-linejoin="round" aria-hidden="true"><path d="M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9"/></svg>',
  send: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
    + 'stroke-linejoin="round" aria-hidden="true"><path d="M22 2L11 13M22 2l-7 20-4-9-9-4 20-7z"/></svg>',
};

function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (match, name) => (name in values ? String(values[name]) : match));
}

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

/** The widget: state from the Store, frames from the Connection, DOM inside a shadow root. */
class Widget {
  constructor(config) {
    this.config = config;
    this.t = TEXTS[config.language];
    this.identity = config.identity;
    this.store = new Store(config.channel, this.identity);
    this.isOpen = false;
    this.connectionState = "idle";
    this.unavailable = false;
    this.welcome = null;
    this.queuePosition = null;
    this.agentName = "";
    this.remoteTyping = "";
    this.typingSent = false;
    this.nodes = new Map();
    this.retryTimers = new Map();
    this.build();
    this.connection = new Connection(socketUrl(config.channel), {
      onOpen: () => this.sayHello(),
      onFrame: (frame) => this.handle(frame),
      onClose: (code) => this.connectionClosed(code),
      onState: (state) => this.setConnectionState(state),
    });
    window.addEventListener("storage", (event) => this.otherTabWrote(event));
    document.addEventListener("visibilitychange", () => {
      if (this.isOpen && document.visibilityState === "visible") {
        this.markSeen();
        this.render();
      }
    });
    this.render();
    if (this.hasHistory()) this.connection.start();
  }

  hasHistory() {
    const state = this.store.state;
    return Boolean(this.identity || state.token || state.items.length || state.pending.length);
  }

  // --- building the DOM ----------------------------------------------------------------------------

  build() {
    this.host = element("div", { id: "interact-widget", "data-interact-widget": "" });
    // Inline !important beats the site's own rules (e.g. "div { line-height: 2 }") on the host element.
    this.host.style.setProperty("all", "initial", "important");
    const shadow = this.host.attachShadow({ mode: "open" });
    const style = element("style");
    style.textContent = STYLE;
    const root = element("div", { class: "root", lang: this.config.language });
    root.style.setProperty("--brand", this.config.color);
    root.append(this.buildPanel(), this.buildLauncher());
    root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.isOpen) {
        event.stopPropagation();
        this.close();
      }
    });
    shadow.append(style, root);
    this.shadow = shadow;
    document.body.append(this.host);
  }

  buildLauncher() {
    this.launcher = element("button", { type: "button", class: "launcher", "aria-label": this.t.openChat,
      "aria-expanded": "false", "aria-controls": "interact-panel" });
    this.launcher.innerHTML = ICONS.chat;
    this.badge = element("span", { class: "badge", hidden: "" });
    this.launcher.append(this.badge);
    this.launcher.addEventListener("click", () => (this.isOpen ? this.close() : this.open()));
    return this.launcher;
  }

  buildPanel() {
    this.panel = element("section", { class: "panel", id: "interact-panel", role: "dialog",
      "aria-label": this.t.title, hidden: "" });
    this.panel.append(this.buildHeader(), this.buildBanners(), this.buildLog(), this.buildStatus(), this.buildFooter());
    return this.panel;
  }

  buildHeader() {
    const header = element("header", { class: "header" });
    const titles = element("div", { class: "titles" });
    this.titleNode = element("h2", {}, this.t.title);
    this.subtitle = element("div", { class: "subtitle" });
    titles.append(this.titleNode, this.subtitle);
    this.endButton = element("button", { type: "button", class: "icon-button end", "aria-label": this.t.endChat,
      title: this.t.endChat, hidden: "" });
    this.endButton.innerHTML = ICONS.end;
    this.endButton.addEventListener("click", () => this.endConversation());
    const close = element("button", { type: "button", class: "icon-button close", "aria-label": this.t.closeChat,
      title: this.t.closeChat });
    close.innerHTML = ICONS.close;
    close.addEventListener("click", () => this.close());
    header.append(titles, this.endButton, close);
    return header;
  }

  buildBanners() {
    const wrapper = element("div");
    this.awayBanner = element("div", { class: "banner away", role: "note", hidden: "" });
    this.connectionBanner = element("div", { class: "banner connection", role: "status", hidden: "" });
    this.connectionText = element("span");
    this.retryButton = element("button", { type: "button", class: "link" }, this.t.retryNow);
    this.retryButton.addEventListener("click", () => this.connection.retryNow());
    this.connectionBanner.append(this.connectionText, this.retryButton);
    wrapper.append(this.awayBanner, this.connectionBanner);
    return wrapper;
  }

  buildLog() {
    this.log = element("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": this.t.log,
      tabindex: "0" });
    this.log.append(element("div", { class: "greeting" }, this.t.greeting));
    return this.log;
  }

  buildStatus() {
    this.status = element("div", { class: "status", "aria-live": "polite" });
    return this.status;
  }

  buildFooter() {
    this.footer = element("div", { class: "footer" });
    this.composer = element("form", { class: "composer" });
    this.input = element("textarea", { rows: "1", maxlength: String(MAX_CHARS), placeholder: this.t.placeholder,
      "aria-label": this.t.placeholder });
    this.sendButton = element("button", { type: "submit", class: "send", "aria-label": this.t.send, disabled: "" });
    this.sendButton.innerHTML = ICONS.send;
    this.composer.append(this.input, this.sendButton);
    this.counter = element("div", { class: "counter", "aria-live": "polite" });
    this.restartButton = element("button", { type: "button", class: "restart", hidden: "" }, this.t.newConversation);
    this.restartButton.addEventListener("click", () => this.startNewConversation());
    this.unavailableNote = element("div", { class: "unavailable", hidden: "" }, this.t.unavailable);
    this.footer.append(this.composer, this.counter, this.restartButton, this.unavailableNote);
    this.composer.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => this.typed());
    return this.footer;
  }

  // --- opening and closing -------------------------------------------------------------------------

  open() {
    this.isOpen = true;
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.launcher.setAttribute("aria-label", this.t.closeChat);
    this.connection.start();
    this.markSeen();
    this.render();
    this.scrollToEnd();
    (this.composer.hidden ? this.restartButton : this.input).focus();
  }

  close() {
    this.isOpen = false;
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.setAttribute("aria-label", this.t.openChat);
    this.stopTyping();
    this.render();
    this.launcher.focus();
  }

  markSeen() {
    if (this.store.state.seenEventId >= this.store.state.lastEventId) return;
    this.store.state.seenEventId = this.store.state.lastEventId;
    this.store.save();
  }

  // --- talking to the server -----------------------------------------------------------------------

  sayHello() {
    const frame = {
      type: "hello",
      last_event_id: this.store.state.lastEventId || 0,
      language: navigator.language || this.config.language,
      page: location.href,
      referrer: document.referrer || "",
    };
    if (this.identity) {
      Object.assign(frame, { identifier: this.identity.identifier, signature: this.identity.signature });
      if (this.identity.name) frame.name = this.identity.name;
      if (this.identity.email) frame.email = this.identity.email;
    } else if (this.store.state.token) {
      frame.visitor_token = this.store.state.token;
    }
    this.connection.send(frame);
  }

  handle(frame) {
    const handler = {
      welcome: () => this.welcomed(frame),
      event: () => this.eventReceived(frame),
      ack: () => this.acknowledged(frame),
      queue: () => this.queued(frame.position),
      typing: () => this.remoteTyped(frame),
      error: () => this.refused(frame),
    }[frame.type];
    if (handler) handler();
  }

  welcomed(frame) {
    this.welcome = frame;
    if (frame.visitor_token) this.store.state.token = frame.visitor_token;
    const conversation = frame.conversation;
    this.queuePosition = conversation && conversation.status === "queued" ? conversation.position : null;
    this.agentName = conversation && conversation.agent ? conversation.agent : "";
    this.store.save();
    this.setConnectionState("online");
    this.flushPending();
  }

  eventReceived(frame) {
    const state = this.store.state;
    const item = Widget.itemFromEvent(frame);
    const known = state.items.find((other) => Store.itemKey(other) === Store.itemKey(item));
    if (known && known.id) return; // already shown: replayed by another tab or by a previous socket
    if (known) Object.assign(known, item);
    else state.items.push(item);
    state.lastEventId = Math.max(state.lastEventId, frame.id);
    state.pending = state.pending.filter((message) => message.client_id !== item.client_id || !item.client_id);
    this.applyConversationEvent(item);
    if (this.isOpen && document.visibilityState !== "hidden") state.seenEventId = state.lastEventId;
    this.store.save();
    this.render();
  }

  static itemFromEvent(frame) {
    const payload = frame.payload || {};
    const base = { id: frame.id, conversation: frame.conversation, at: Date.now() };
    if (frame.event === "message.created") {
      return { ...base, kind: "message", sender: payload.sender, author: payload.author || "", body: payload.body,
        client_id: payload.sender === "visitor" ? payload.client_id || null : null, created_at: payload.created_at };
    }
    if (frame.event === "conversation.taken") return { ...base, kind: "taken", author: payload.agent || "" };
    return { ...base, kind: "ended", by: payload.by || "" };
  }

  applyConversationEvent(item) {
    if (item.kind === "taken") {
      this.agentName = item.author;
      this.queuePosition = null;
    }
    if (item.kind === "ended") {
      this.queuePosition = null;
      this.agentName = "";
      this.remoteTyping = "";
    }
  }

  acknowledged(frame) {
    const state = this.store.state;
    const message = state.pending.find((pending) => pending.client_id === frame.client_id);
    if (!message) return;
    state.pending = state.pending.filter((pending) => pending !== message);
    const exists = state.items.some((item) => item.client_id === frame.client_id);
    if (!exists) {
      state.items.push({ id: 0, kind: "message", sender: "visitor", body: message.body, client_id: message.client_id,
        conversation: frame.conversation, at: message.at, created_at: new Date().toISOString() });
    }
    this.store.save();
    this.render();
  }

  queued(position) {
    this.queuePosition = position;
    this.render();
  }

  remoteTyped(frame) {
    clearTimeout(this.remoteTypingTimer);
    this.remoteTyping = frame.typing ? frame.author || this.t.agent : "";
    if (frame.typing) this.remoteTypingTimer = setTimeout(() => this.remoteTyped({ typing: false }), REMOTE_TYPING_TIMEOUT_MS);
    this.render();
  }

  refused(frame) {
    const code = frame.code || (frame.error && frame.error.code) || "";
    if (code === "rate_limited" && frame.client_id) {
      this.retryLater(frame.client_id);
      return;
    }
    if (frame.client_id) {
      this.failPending(frame.client_id, code === "message_too_long" ? this.t.tooLong : frame.message || code);
      return;
    }
    this.lastRefusal = code;
    if (code === "invalid_signature" || code === "invalid_identifier") {
      console.error(`#Interact: ${frame.message} Check window.InteractSettings.signature.`);
    } else if (code === "origin_not_allowed" || code === "plan_required") {
      console.error(`#Interact: ${frame.message || (frame.error && frame.error.message) || code}`);
    }
  }

  /** Decides what the Connection does after a close: "now", "stop" or (default) back off. */
  connectionClosed(code) {
    const refusal = this.lastRefusal;
    this.lastRefusal = "";
    if (refusal === "invalid_visitor_token") {
      const unsent = this.store.state.pending;
      this.store.clear(); // another channel's or a forged token: start over as a new visitor...
      this.store.state.pending = unsent; // ...but keep what they wrote; it goes out after the new welcome
      this.store.save();
      this.nodes.forEach((node) => node.remove());
      this.nodes.clear();
      return "now";
    }
    if (refusal === "invalid_last_event_id") {
      this.store.state.lastEventId = 0;
      return "now";
    }
    if (code === 4403 || refusal === "invalid_signature" || refusal === "invalid_identifier") {
      this.unavailable = true;
      this.render();
      return "stop";
    }
    return "retry";
  }

  setConnectionState(state) {
    this.connectionState = state;
    this.render();
  }

  otherTabWrote(event) {
    if (event.key !== this.store.key) return;
    this.store.state = Store.merge(this.store.state, this.store.read());
    if (this.isOpen && document.visibilityState !== "hidden") this.markSeen();
    this.render();
  }

  // --- sending -------------------------------------------------------------------------------------

  submit() {
    const body = this.input.value.trim();
    if (!body || this.input.value.length > MAX_CHARS || this.unavailable) return;
    const message = { client_id: newClientId(), body, at: Date.now() };
    this.store.state.pending.push(message);
    this.store.save();
    this.input.value = "";
    this.stopTyping();
    this.render();
    this.scrollToEnd();
    this.connection.start();
    if (this.connection.open) this.connection.send({ type: "message", client_id: message.client_id, body });
  }

  /** After (re)connecting, send again everything not yet acknowledged, paced under the server's burst limit. */
  flushPending() {
    this.store.state.pending.forEach((message, index) => {
      this.scheduleSend(message.client_id, index < 8 ? 0 : (index - 7) * 1100);
    });
  }

  scheduleSend(clientId, delay) {
    clearTimeout(this.retryTimers.get(clientId));
    this.retryTimers.set(clientId, setTimeout(() => {
      this.retryTimers.delete(clientId);
      const message = this.store.state.pending.find((pending) => pending.client_id === clientId);
      if (message && this.connection.open) {
        this.connection.send({ type: "message", client_id: message.client_id, body: message.body });
      }
    }, delay));
  }

  retryLater(clientId) {
    this.rateLimitedUntil = Date.now() + RATE_LIMIT_RETRY_MS;
    this.scheduleSend(clientId, RATE_LIMIT_RETRY_MS + Math.random() * 1000);
    this.render();
  }

  failPending(clientId, reason) {
    const state = this.store.state;
    const message = state.pending.find((pending) => pending.client_id === clientId);
    if (!message) return;
    state.pending = state.pending.filter((pending) => pending !== message);
    this.failed = [...(this.failed || []), { ...message, reason }];
    this.store.save();
    this.render();
  }

  typed() {
    this.renderCounter();
    if (!this.input.value.trim()) {
      this.stopTyping();
      return;
    }
    if (!this.typingSent && this.currentConversation()) {
      this.typingSent = this.connection.send({ type: "typing", typing: true });
    }
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping() {
    clearTimeout(this.typingTimer);
    if (!this.typingSent) return;
    this.typingSent = false;
    this.connection.send({ type: "typing", typing: false });
  }

  endConversation() {
    if (this.connection.open) this.connection.send({ type: "end" });
  }

  startNewConversation() {
    this.startedNew = this.lastConversationId();
    this.render();
    this.input.focus();
  }

  // --- what the state means ------------------------------------------------------------------------

  lastConversationId() {
    const withConversation = this.store.state.items.filter((item) => item.conversation);
    return withConversation.length ? withConversation[withConversation.length - 1].conversation : null;
  }

  isEnded() {
    const items = this.store.state.items;
    const last = items[items.length - 1];
    return Boolean(last && last.kind === "ended" && this.store.state.pending.length === 0);
  }

  currentConversation() {
    return this.isEnded() ? null : this.lastConversationId();
  }

  unreadCount() {
    const state = this.store.state;
    return state.items.filter((item) => item.id > state.seenEventId && item.kind === "message"
      && item.sender !== "visitor").length;
  }

  // --- rendering -----------------------------------------------------------------------------------

  render() {
    this.renderBadge();
    this.renderHeader();
    this.renderBanners();
    this.renderItems();
    this.renderStatus();
    this.renderFooter();
  }

  renderBadge() {
    const unread = this.isOpen ? 0 : this.unreadCount();
    this.badge.hidden = unread === 0;
    this.badge.textContent = unread > 9 ? "9+" : String(unread);
    const label = unread ? `${this.t.openChat} (${format(this.t.unread, { n: unread })})` : this.t.openChat;
    this.launcher.setAttribute("aria-label", this.isOpen ? this.t.closeChat : label);
  }

  renderHeader() {
    const welcome = this.welcome;
    this.titleNode.textContent = this.t.title;
    this.subtitle.textContent = this.agentName || (welcome && welcome.channel_name) || "";
    this.endButton.hidden = !(this.currentConversation() && this.connection.open);
  }

  renderBanners() {
    const welcome = this.welcome;
    const away = welcome && welcome.open === false && !this.unavailable;
    this.awayBanner.hidden = !away;
    if (away) this.awayBanner.textContent = this.awayText(welcome);
    const state = this.connectionState;
    const retrying = state === "connecting" && this.connection.attempt > 0;
    const trouble = !this.unavailable && (state === "reconnecting" || state === "offline" || retrying);
    const connecting = state === "connecting" && this.hasHistory() && !this.welcome;
    this.connectionBanner.hidden = !(trouble || connecting);
    this.connectionBanner.classList.toggle("bad", trouble);
    this.connectionText.textContent = trouble ? this.t[state === "offline" ? "offline" : "reconnecting"] : this.t.connecting;
    this.retryButton.hidden = !trouble;
  }

  awayText(welcome) {
    const parts = [welcome.away_message || this.t.away];
    if (welcome.next_change) {
      const when = new Date(welcome.next_change);
      if (!Number.isNaN(when.getTime())) {
        const text = new Intl.DateTimeFormat(this.config.language, {
          weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit",
        }).format(when);
        parts.push(format(this.t.reopen, { when: text }));
      }
    }
    return parts.join(" ");
  }

  renderItems() {
    const state = this.store.state;
    const wanted = [
      ...state.items.map((item) => ({ key: Store.itemKey(item), item, status: "sent" })),
      ...state.pending.map((message) => ({ key: `c:${message.client_id}`, status: "pending",
        item: { kind: "message", sender: "visitor", body: message.body, client_id: message.client_id } })),
      ...(this.failed || []).map((message) => ({ key: `c:${message.client_id}`, status: "failed",
        item: { kind: "message", sender: "visitor", body: message.body, client_id: message.client_id,
          reason: message.reason } })),
    ];
    const nearBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 60;
    const keep = new Set(wanted.map((entry) => entry.key));
    for (const [key, node] of this.nodes) {
      if (!keep.has(key)) {
        node.remove();
        this.nodes.delete(key);
      }
    }
    let previous = this.log.firstElementChild; // the greeting stays first
    for (const entry of wanted) {
      const node = this.nodes.get(entry.key) || this.createNode(entry);
      this.updateNode(node, entry);
      if (previous.nextElementSibling !== node) previous.after(node);
      previous = node;
    }
    if (nearBottom) this.scrollToEnd();
  }

  createNode(entry) {
    const { item } = entry;
    let node;
    if (item.kind === "taken") {
      node = element("div", { class: "notice" }, format(this.t.joined, { name: item.author || this.t.agent }));
    } else if (item.kind === "ended") {
      node = element("div", { class: "ended" }, this.t.ended);
    } else {
      node = element("div", { class: `msg ${item.sender}` });
      if (item.sender === "agent" || item.sender === "bot") {
        const name = item.sender === "bot" ? this.t.bot : item.author || this.t.agent;
        node.append(element("div", { class: "author" }, name));
      }
      node.append(element("div", { class: "bubble" }, item.body));
      if (item.sender === "visitor") node.append(element("div", { class: "meta" }));
    }
    node.dataset.key = entry.key;
    this.nodes.set(entry.key, node);
    return node;
  }

  updateNode(node, entry) {
    if (entry.item.sender !== "visitor") return;
    node.classList.toggle("pending", entry.status === "pending");
    node.classList.toggle("failed", entry.status === "failed");
    node.dataset.status = entry.status;
    const meta = node.querySelector(".meta");
    if (entry.status === "failed") meta.textContent = format(this.t.failed, { reason: entry.item.reason });
    else if (entry.status === "pending") meta.textContent = this.connection.open ? this.t.sending : this.t.waiting;
    else meta.textContent = this.t.sent;
  }

  renderStatus() {
    let text = "";
    if (this.remoteTyping) text = format(this.t.typing, { name: this.remoteTyping });
    else if (this.rateLimitedUntil && this.rateLimitedUntil > Date.now()) text = this.t.rateLimited;
    else if (this.queuePosition && this.currentConversation() && !this.agentName) {
      text = format(this.t.queue, { n: this.queuePosition });
    }
    if (this.status.textContent !== text) this.status.textContent = text;
  }

  renderFooter() {
    const ended = this.isEnded() && this.startedNew !== this.lastConversationId();
    this.unavailableNote.hidden = !this.unavailable;
    this.composer.hidden = ended || this.unavailable;
    this.restartButton.hidden = !ended || this.unavailable;
    this.counter.hidden = ended || this.unavailable;
    this.renderCounter();
  }

  renderCounter() {
    const length = this.input.value.length;
    this.counter.textContent = length ? format(this.t.counter, { n: length.toLocaleString(this.config.language),
      max: MAX_CHARS.toLocaleString(this.config.language) }) : "";
    this.counter.classList.toggle("over", length >= MAX_CHARS);
    this.sendButton.disabled = !this.input.value.trim() || length > MAX_CHARS;
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  // --- identity ------------------------------------------------------------------------------------

  /** A site that signs its user in (or out) after the widget loaded switches identity here. */
  identify(settings) {
    const identity = identityFrom(settings);
    if (JSON.stringify(identity) === JSON.stringify(this.identity)) return;
    this.identity = identity;
    this.store = new Store(this.config.channel, identity);
    this.welcome = null;
    this.failed = [];
    this.queuePosition = null;
    this.agentName = "";
    this.nodes.forEach((node) => node.remove());
    this.nodes.clear();
    this.render();
    if (this.isOpen || this.hasHistory()) this.connection.restart();
  }
}

// --- boot ------------------------------------------------------------------------------------------

function boot() {
  if (window.Interact && window.Interact.loaded) return;
  const config = readConfig();
  if (!config.channel) {
    console.error("#Interact: the widget's script tag needs a data-channel attribute.");
    return;
  }
  const widget = new Widget(config);
  window.Interact = {
    loaded: true,
    open: () => widget.open(),
    close: () => widget.close(),
    identify: (settings) => widget.identify(settings),
  };
}

if (document.body) boot();
else document.addEventListener("DOMContentLoaded", boot, { once: true });

// The agent inbox, live (CNV-9). One websocket to /ws/inbox/: presence heartbeat for routing,
// the open conversation's messages and typing, queue-level changes that refresh the lists.
// Every event carries an increasing id; after a reconnect we ask the server to resume after the
// last one we saw, and we never show the same event or message twice.
(function () {
  "use strict";

  const root = document.getElementById("inbox");
  if (!root) return;

  const PING_MS = 30000;
  const TYPING_SEND_MS = 3000;   // at most one "typing" frame per 3 s while typing
  const TYPING_IDLE_MS = 4000;   // "stopped typing" after 4 s without a key
  const TYPING_SHOW_MS = 8000;   // hide the visitor's indicator if no update comes
  const baseTitle = root.dataset.title || document.title;

  let socket = null;
  let attempt = 0;
  let pingTimer = null;
  let reconnectTimer = null;
  let lastEventId = parseInt(root.dataset.lastEvent || "0", 10) || 0;
  const seenEvents = new Set();
  let refreshTimer = null;
  let workspaceTimer = null;
  let typingHideTimer = null;
  let typingIdleTimer = null;
  let lastTypingSent = 0;
  let typingOn = false;

  // --- helpers -------------------------------------------------------------------------------

  function workspace() { return document.getElementById("workspace"); }

  function openId() {
    const ws = workspace();
    const id = ws && ws.dataset.conversation ? parseInt(ws.dataset.conversation, 10) : NaN;
    return Number.isFinite(id) ? id : null;
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function setLiveState(state) {
    const el = document.getElementById("live-state");
    if (!el) return;
    el.dataset.state = state;
    el.textContent = state === "live" ? root.dataset.labelLive : root.dataset.labelConnecting;
  }

  function scrollToBottom() {
    const box = document.getElementById("chat-scroll");
    if (box) box.scrollTop = box.scrollHeight;
  }

  function nearBottom() {
    const box = document.getElementById("chat-scroll");
    return !box || box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  }

  function formatTime(iso) {
    const d = new Date(iso);
    if (isNaN(d)) return "";
    const pad = (n) => String(n).padStart(2, "0");
    return pad(d.getDate()) + "/" + pad(d.getMonth() + 1) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  // --- unseen queue items: "(3) Inbox" in the title --------------------------------------------

  const SEEN_KEY = "interact.inbox.seenQueue";
  let seenQueue = new Set();
  try { seenQueue = new Set(JSON.parse(sessionStorage.getItem(SEEN_KEY) || "[]")); } catch (e) { /* private mode */ }
  let firstLists = true;

  function queueIds() {
    return Array.from(document.querySelectorAll('#inbox-lists .conv-item[data-section="queue"]'))
      .map((a) => a.dataset.id);
  }

  function saveSeen() {
    try { sessionStorage.setItem(SEEN_KEY, JSON.stringify(Array.from(seenQueue).slice(-500))); } catch (e) { /* ignore */ }
  }

  function markAllSeen() {
    queueIds().forEach((id) => seenQueue.add(id));
    saveSeen();
    updateBadge();
  }

  function updateBadge() {
    const ids = queueIds();
    let unseen = 0;
    document.querySelectorAll('#inbox-lists .conv-item[data-section="queue"]').forEach((a) => {
      const isNew = !seenQueue.has(a.dataset.id);
      a.classList.toggle("unseen", isNew);
      if (isNew) unseen += 1;
    });
    document.title = (unseen ? "(" + unseen + ") " : "") + baseTitle + " · Interact";
    root.dataset.unseen = String(unseen);
    return ids;
  }

  function afterListsSwap() {
    if (firstLists) {
      // What is on screen when the page opens counts as seen.
      firstLists = false;
      markAllSeen();
    } else {
      updateBadge();
    }
  }

  document.addEventListener("click", (e) => {
    const item = e.target.closest && e.target.closest(".conv-item");
    if (item) { seenQueue.add(item.dataset.id); saveSeen(); }
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") setTimeout(markAllSeen, 1500);
  });

  // --- refreshing partials ---------------------------------------------------------------------

  function refreshLists() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      const id = openId();
      const url = root.dataset.listsUrl + (id ? "?open=" + id : "");
      htmx.ajax("GET", url, { target: "#inbox-lists", swap: "innerHTML" });
    }, 250);
  }

  function refreshWorkspace(payload) {
    const ws = workspace();
    if (!ws || !ws.dataset.workspaceUrl) return;
    clearTimeout(workspaceTimer);
    workspaceTimer = setTimeout(() => {
      // Checked again when it fires: our own POST's answer may have shown this state meanwhile.
      if (payload && paneShows(payload)) return;
      htmx.ajax("GET", ws.dataset.workspaceUrl, { target: "#workspace", swap: "outerHTML" });
    }, 250);
  }

  function refreshMessages() {
    const list = document.getElementById("messages");
    if (!list || !list.dataset.messagesUrl) return;
    htmx.ajax("GET", list.dataset.messagesUrl, { target: "#messages", swap: "outerHTML" });
  }

  // Keep the reply the agent is writing across a pane refresh.
  let draft = null;
  document.body.addEventListener("htmx:beforeSwap", (e) => {
    const target = e.detail.target;
    if (target && target.id === "workspace") {
      const box = document.querySelector("#composer textarea");
      const elt = e.detail.requestConfig && e.detail.requestConfig.elt;
      const isOwnSubmit = !!(elt && elt.id === "composer");
      draft = box && !isOwnSubmit ? { value: box.value, focused: document.activeElement === box } : null;
    }
  });

  document.body.addEventListener("htmx:afterSwap", (e) => {
    const target = e.detail.target;
    if (target && target.id === "inbox-lists") afterListsSwap();
    // Our own write changed the conversation: the lists follow at once, not only on the event.
    if (target && target.id === "workspace" && e.detail.requestConfig && e.detail.requestConfig.verb === "post") {
      refreshLists();
    }
    if (workspace() && (target.id === "workspace" || target.id === "messages" || !document.body.contains(target))) {
      onWorkspaceReady();
    }
  });

  // --- the open conversation ---------------------------------------------------------------------

  let subscribedTo = null;

  function onWorkspaceReady() {
    const id = openId();
    if (id !== subscribedTo) {
      if (subscribedTo) send({ type: "unsubscribe", conversation: subscribedTo });
      subscribedTo = null;
      if (id) subscribe(id);
    }
    const box = document.querySelector("#composer textarea");
    if (box && draft) {
      if (!box.value) box.value = draft.value;
      if (draft.focused) box.focus();
    }
    draft = null;
    wireComposer();
    scrollToBottom();
  }

  function subscribe(id) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    send({ type: "subscribe", conversation: id });
    subscribedTo = id;
  }

  function needsServerRendering(payload) {
    if (payload.meta && Object.keys(payload.meta).length) return true;
    const times = document.querySelectorAll("#messages .msg-time[datetime]");
    const last = times.length ? times[times.length - 1].getAttribute("datetime") : null;
    return Boolean(last && payload.created_at && new Date(payload.created_at) < new Date(last));
  }

  function appendMessage(payload) {
    const list = document.getElementById("messages");
    if (!list || document.getElementById("msg-" + payload.id)) return;  // already shown
    const ws = workspace();
    const tpl = document.getElementById("msg-template");
    if (!tpl || !ws) return;
    const stick = nearBottom();
    const empty = list.querySelector(".msgs-empty");
    if (empty) empty.remove();
    const li = tpl.content.firstElementChild.cloneNode(true);
    li.id = "msg-" + payload.id;
    li.dataset.id = payload.id;
    li.classList.add("msg-" + payload.sender, "msg-live");
    let who = payload.author || ws.dataset.labelAgent;
    if (payload.sender === "visitor") who = ws.dataset.visitorName;
    if (payload.sender === "system") who = ws.dataset.labelSystem;
    if (payload.sender === "bot") who = ws.dataset.labelBot;
    li.querySelector(".msg-who").textContent = who;
    const time = li.querySelector(".msg-time");
    time.textContent = formatTime(payload.created_at);
    time.setAttribute("datetime", payload.created_at);
    const delivery = li.querySelector(".msg-delivery");
    if (payload.sender === "visitor") {
      delivery.remove();
    } else {
      delivery.className = "msg-delivery delivery-" + payload.delivery;
      delivery.textContent = ws.dataset["label" + payload.delivery.charAt(0).toUpperCase() + payload.delivery.slice(1)] || "";
    }
    li.querySelector(".msg-body").textContent = payload.body;  // text, never HTML
    list.appendChild(li);
    if (payload.sender === "visitor") showTyping(false);
    if (stick || payload.sender !== "visitor") scrollToBottom();
  }

  function updateDelivery(payload) {
    if (payload.delivery === "failed") {
      refreshMessages();  // brings the error and the "Send again" button, with its CSRF token
      return;
    }
    const li = document.getElementById("msg-" + payload.id);
    const ws = workspace();
    if (!li || !ws) return;
    const el = li.querySelector(".msg-delivery");
    if (!el) return;
    el.className = "msg-delivery delivery-" + payload.delivery;
    el.textContent = ws.dataset["label" + payload.delivery.charAt(0).toUpperCase() + payload.delivery.slice(1)] || "";
    li.classList.remove("msg-failed");
  }

  function showTyping(on) {
    const el = document.getElementById("typing");
    if (!el) return;
    el.hidden = !on;
    clearTimeout(typingHideTimer);
    if (on) {
      typingHideTimer = setTimeout(() => { el.hidden = true; }, TYPING_SHOW_MS);
      if (nearBottom()) scrollToBottom();
    }
  }

  function showPresence(online) {
    const el = document.getElementById("visitor-presence");
    if (!el) return;
    el.hidden = false;
    el.dataset.online = online ? "1" : "0";
    el.textContent = online ? root.dataset.labelOnline : root.dataset.labelOffline;
  }

  // --- frames from the server --------------------------------------------------------------------

  const LIST_EVENTS = new Set(["conversation.queued", "conversation.offered", "conversation.assigned",
    "conversation.taken", "conversation.requeued", "conversation.ended", "conversation.archived",
    "conversation.updated", "conversation.bot", "bot.paused", "bot.restarted", "bot.handover"]);
  // bot.*: the bot was paused or restarted for this visitor, or handed them over (BOT-2).
  const PANE_EVENTS = new Set(["conversation.assigned", "conversation.taken", "conversation.requeued",
    "conversation.ended", "conversation.archived", "conversation.updated", "visitor.updated",
    "bot.paused", "bot.restarted", "bot.handover"]);

  function onEvent(frame) {
    if (typeof frame.id === "number") {
      if (seenEvents.has(frame.id)) return;
      seenEvents.add(frame.id);
      if (seenEvents.size > 2000) seenEvents.delete(seenEvents.values().next().value);
      if (frame.id > lastEventId) lastEventId = frame.id;
    }
    const mine = frame.conversation !== null && frame.conversation === openId();
    if (LIST_EVENTS.has(frame.event)) refreshLists();
    if (!mine) return;
    if (frame.event === "message.created") {
      // What the page cannot draw itself from the frame comes from the server: attachments,
      // buttons, and a message written earlier than the last one shown (networks deliver out
      // of order; the conversation reads in the order people wrote).
      if (needsServerRendering(frame.payload)) refreshMessages();
      else appendMessage(frame.payload);
    } else if (frame.event === "message.updated") refreshMessages();  // an edit or a removal on the network
    else if (frame.event === "message.delivery") updateDelivery(frame.payload);
    else if (PANE_EVENTS.has(frame.event) && !paneShows(frame.payload)) refreshWorkspace(frame.payload);
  }

  // The echo of our own action describes the state the pane already shows; re-rendering it
  // would throw away what the agent is doing (topics ticked in the archive form, say).
  function paneShows(payload) {
    const ws = workspace();
    if (!ws || !payload || typeof payload.status !== "string") return false;
    const assignee = payload.assignee === null || payload.assignee === undefined ? "" : String(payload.assignee);
    return ws.dataset.status === payload.status && (ws.dataset.assignee || "") === assignee &&
      payload.skills === undefined;
  }

  function onFrame(raw) {
    let frame;
    try { frame = JSON.parse(raw); } catch (e) { return; }
    switch (frame.type) {
      case "hello": {
        const wasReconnect = attempt > 0 || lastEventId > 0;
        attempt = 0;
        setLiveState("live");
        const id = openId();
        if (id) subscribe(id);
        // Resume after the last event this page knows (the one it was rendered with, or the last
        // one received before the connection dropped).
        if (wasReconnect) send({ type: "resume", after: lastEventId });
        break;
      }
      case "event": onEvent(frame); break;
      case "typing":
        if (frame.conversation === openId() && frame.who === "visitor") showTyping(!!frame.typing);
        break;
      case "visitor":
        if (frame.conversation === openId()) showPresence(!!frame.online);
        break;
      case "reload":
        refreshLists();
        refreshWorkspace();
        break;
      case "resumed":
        refreshLists();
        break;
      default: break;
    }
  }

  // --- the socket, with backoff ----------------------------------------------------------------

  function connect() {
    clearTimeout(reconnectTimer);
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.dataset.wsPath);
    socket.addEventListener("message", (e) => onFrame(e.data));
    socket.addEventListener("open", () => {
      clearInterval(pingTimer);
      pingTimer = setInterval(() => send({ type: "ping" }), PING_MS);
    });
    socket.addEventListener("close", (e) => {
      clearInterval(pingTimer);
      subscribedTo = null;
      setLiveState("connecting");
      if (e.code === 4403 || e.code === 4401) return;  // signed out or not allowed: do not hammer
      attempt += 1;
      const delay = Math.min(30000, 1000 * 2 ** Math.min(attempt - 1, 5)) * (0.75 + Math.random() / 2);
      reconnectTimer = setTimeout(connect, delay);
    });
  }

  // --- the composer: Enter sends, typing frames, idempotent client ids ---------------------------

  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function stopTyping() {
    clearTimeout(typingIdleTimer);
    if (typingOn && openId()) send({ type: "typing", conversation: openId(), typing: false });
    typingOn = false;
    lastTypingSent = 0;
  }

  function wireComposer() {
    const form = document.getElementById("composer");
    if (!form || form.dataset.wired) return;
    form.dataset.wired = "1";
    const box = form.querySelector("textarea");
    const clientId = form.querySelector("input[name=client_id]");
    box.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        if (box.value.trim()) form.requestSubmit();
      }
    });
    box.addEventListener("input", () => {
      const now = Date.now();
      if (box.value.trim() && now - lastTypingSent > TYPING_SEND_MS && openId()) {
        send({ type: "typing", conversation: openId(), typing: true });
        lastTypingSent = now;
        typingOn = true;
      }
      clearTimeout(typingIdleTimer);
      typingIdleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
    });
    form.addEventListener("submit", () => {
      if (clientId && !clientId.value) clientId.value = newClientId();
      stopTyping();
    });
    form.addEventListener("htmx:beforeRequest", () => {
      const button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
    });
  }

  // --- start -------------------------------------------------------------------------------------

  // Diagnostics (also used by the browser tests): drop the socket as a network failure would.
  window.interactInbox = { drop: () => socket && socket.close(4000, "dropped"), lastEventId: () => lastEventId };

  afterListsSwap();
  wireComposer();
  scrollToBottom();
  const composerBox = document.querySelector("#composer textarea");
  if (composerBox && openId()) composerBox.focus();
  connect();
}());

/*
 * Sohbet operator inbox. Plain JavaScript, no dependencies, no build step.
 *
 * Talks to the operator socket described in docs/widget-protocol.md ("Operator socket").
 * Security rule: everything that comes from a visitor (names, messages, pages, attributes…)
 * reaches the DOM through textContent / createTextNode only; links are built with DOM APIs and
 * only for http(s) URLs. This file never uses innerHTML or insertAdjacentHTML.
 */
(function () {
  "use strict";

  // ---------------------------------------------------------------------------------------
  // Page data (json_script blocks rendered by the template)
  // ---------------------------------------------------------------------------------------
  function readJSON(id, fallback) {
    var node = document.getElementById(id);
    if (!node) return fallback;
    try {
      return JSON.parse(node.textContent);
    } catch (e) {
      return fallback;
    }
  }

  var STRINGS = readJSON("inbox-strings", {}) || {};
  var CONFIG = readJSON("inbox-config", {}) || {};
  var SLUG = String(CONFIG.slug || "");
  var WS_PATH = String(CONFIG.ws_url_path || "/ws/inbox/" + encodeURIComponent(SLUG) + "/");
  var INITIAL_NUMBER = typeof CONFIG.open_number === "number" ? CONFIG.open_number : null;
  var INBOX_BASE = String(CONFIG.inbox_url || "/app/" + encodeURIComponent(SLUG) + "/inbox/");

  var PING_MS = 25000;
  var TYPING_SEND_MS = 2000;
  var TYPING_IDLE_MS = 5000;
  var TYPING_SHOW_MS = 6000;
  var TICK_MS = 30000;
  var ACK_TIMEOUT_MS = 20000;
  var BACKOFF_MIN_MS = 1000;
  var BACKOFF_MAX_MS = 30000;
  var STORAGE_NOTIFY = "sohbet.inbox.notifications";

  /** Translated string with %(name)s placeholders filled in (as text, never markup). */
  function t(key, params) {
    var s = Object.prototype.hasOwnProperty.call(STRINGS, key) ? String(STRINGS[key]) : key;
    if (params) {
      s = s.replace(/%\((\w+)\)s/g, function (m, name) {
        return Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : m;
      });
    }
    return s;
  }

  // ---------------------------------------------------------------------------------------
  // Small DOM helpers (text only)
  // ---------------------------------------------------------------------------------------
  function $(id) {
    return document.getElementById(id);
  }

  /** el("span", {className: "x", title: "…"}, "text", childNode, …) — strings become text nodes. */
  function el(tag, props) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "className") node.className = v;
        else if (k === "text") node.textContent = String(v);
        else if (k === "dataset") Object.keys(v).forEach(function (d) { node.dataset[d] = String(v[d]); });
        else if (k.indexOf("on") === 0 && typeof v === "function") node.addEventListener(k.slice(2), v);
        else node.setAttribute(k, v === true ? "" : String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) {
      child.forEach(function (c) { append(node, c); });
    } else if (typeof child === "string" || typeof child === "number") {
      node.appendChild(document.createTextNode(String(child)));
    } else {
      node.appendChild(child);
    }
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  /** http(s) URL -> its normalised href; anything else (javascript:, data:, junk) -> null. */
  function safeHttpUrl(value) {
    if (typeof value !== "string" || !value) return null;
    try {
      var u = new URL(value);
      if (u.protocol === "http:" || u.protocol === "https:") return u.href;
    } catch (e) { /* not a URL */ }
    return null;
  }

  /** A link to an external (visitor-supplied) URL, or plain text when it is not http(s). */
  function externalLink(url, label) {
    var href = safeHttpUrl(url);
    var text = label || url || "";
    if (!href) return el("span", { className: "plain-url" }, String(text));
    var a = document.createElement("a");
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer nofollow";
    a.textContent = String(text);
    return a;
  }

  function str(v) {
    return v === null || v === undefined ? "" : String(v);
  }

  // ---------------------------------------------------------------------------------------
  // Time formatting
  // ---------------------------------------------------------------------------------------
  var LANG = document.documentElement.lang || undefined;

  function parseTime(iso) {
    if (!iso) return null;
    var d = new Date(iso);
    return isNaN(d.getTime()) ? null : d;
  }

  function fmt(date, options) {
    try {
      return new Intl.DateTimeFormat(LANG, options).format(date);
    } catch (e) {
      return date.toISOString();
    }
  }

  function clockTime(date) {
    return fmt(date, { hour: "2-digit", minute: "2-digit" });
  }

  function fullTime(date) {
    return fmt(date, { dateStyle: "medium", timeStyle: "short" });
  }

  /** Short "when" for list items: time of day today, else a short date. */
  function shortWhen(date) {
    var now = new Date();
    if (date.toDateString() === now.toDateString()) return clockTime(date);
    return fmt(date, { day: "numeric", month: "short" });
  }

  function duration(ms) {
    var minutes = Math.floor(Math.max(0, ms) / 60000);
    if (minutes < 1) return t("duration_under_minute");
    if (minutes < 60) return t("duration_minutes", { count: minutes });
    var hours = Math.floor(minutes / 60);
    if (hours < 24) return t("duration_hours", { count: hours });
    return t("duration_days", { count: Math.floor(hours / 24) });
  }

  function localTimeIn(timezone) {
    if (!timezone) return "";
    try {
      return new Intl.DateTimeFormat(LANG, {
        hour: "2-digit", minute: "2-digit", weekday: "short", timeZone: timezone,
      }).format(new Date());
    } catch (e) {
      return "";
    }
  }

  // ---------------------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------------------
  var state = {
    me: null,              // {id, name, status}
    teamOnline: null,
    conversations: new Map(), // number -> summary
    everSeen: new Set(),   // numbers seen since page load (new-conversation notifications)
    filter: "open",
    openNumber: null,
    threads: new Map(),    // number -> thread (messages, pending, receipts, visitor)
    connected: false,
    stopped: false,        // revoked / signed out: no more reconnects
    readyOnce: false,
  };

  function thread(number) {
    var th = state.threads.get(number);
    if (!th) {
      th = {
        number: number,
        messages: new Map(),   // id -> message
        pending: new Map(),    // client_id -> {client_id, body, status, error, created_at}
        clientIds: new Set(),  // client_ids already stored (from messages or acks)
        maxId: null,
        delivered: 0,
        read: 0,
        visitor: null,
        typing: null,          // {label, until}
        lastReadSent: 0,
        loaded: false,
      };
      state.threads.set(number, th);
    }
    return th;
  }

  function isOpenStatus(status) {
    return status !== "resolved";
  }

  // ---------------------------------------------------------------------------------------
  // Socket
  // ---------------------------------------------------------------------------------------
  var ws = null;
  var attempt = 0;
  var reconnectTimer = null;
  var pingTimer = null;
  var missedPongs = 0;

  function socketUrl() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + location.host + WS_PATH;
  }

  function connect() {
    if (state.stopped) return;
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    var socket;
    try {
      socket = new WebSocket(socketUrl());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    ws = socket;
    socket.addEventListener("open", function () {
      if (ws !== socket) return;
      missedPongs = 0;
      clearInterval(pingTimer);
      pingTimer = setInterval(ping, PING_MS);
    });
    socket.addEventListener("message", function (event) {
      if (ws !== socket) return;
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (frame && typeof frame === "object") handleFrame(frame);
    });
    socket.addEventListener("close", function (event) {
      if (ws !== socket) return;
      onSocketGone(event.code);
    });
  }

  function ping() {
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (missedPongs >= 2) {
      // Two pings without a pong: the socket is dead even if the browser has not noticed.
      var dead = ws;
      onSocketGone(null);
      try { dead.close(); } catch (e) { /* already closing */ }
      return;
    }
    missedPongs += 1;
    send({ type: "ping" });
  }

  function onSocketGone(code) {
    ws = null;
    clearInterval(pingTimer);
    state.connected = false;
    markPendingQueued();
    if (code === 4401) {
      stop(t("signed_out"));
      return;
    }
    if (code === 4403) {
      stop(state.revokedMessage || t("access_revoked"));
      return;
    }
    if (state.stopped) return;
    scheduleReconnect();
  }

  function scheduleReconnect() {
    if (state.stopped || reconnectTimer) return;
    var base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, attempt));
    var delay = Math.round(base * (0.75 + Math.random() * 0.5));
    delay = Math.max(BACKOFF_MIN_MS / 2, Math.min(BACKOFF_MAX_MS * 1.25, delay));
    attempt += 1;
    showBanner("reconnecting", t("reconnecting"));
    reconnectTimer = setTimeout(function () {
      reconnectTimer = null;
      connect();
    }, delay);
  }

  function reconnectNow() {
    if (state.stopped || ws) return;
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    connect();
  }

  function stop(message) {
    state.stopped = true;
    state.connected = false;
    clearTimeout(reconnectTimer);
    clearInterval(pingTimer);
    if (ws) {
      var s = ws;
      ws = null;
      try { s.close(); } catch (e) { /* ignore */ }
    }
    showBanner("stopped", message);
    updateComposerState();
  }

  function send(frame) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    try {
      ws.send(JSON.stringify(frame));
      return true;
    } catch (e) {
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Incoming frames
  // ---------------------------------------------------------------------------------------
  function handleFrame(f) {
    emit("frame", f);
    switch (f.type) {
      case "ready": return onReady(f);
      case "conversation": return onConversation(f.conversation);
      case "history": return onHistory(f);
      case "message": return onMessage(f.conversation, f.message);
      case "ack": return onAck(f);
      case "typing": return onTyping(f);
      case "receipt": return onReceipt(f);
      case "visitor": return onVisitor(f);
      case "presence": return onPresence(f);
      case "revoked": return onRevoked(f);
      case "error": return onError(f);
      case "pong": missedPongs = 0; return;
      default: return;
    }
  }

  function onReady(f) {
    attempt = 0;
    missedPongs = 0;
    state.connected = true;
    state.me = f.me || state.me;
    if (f.team && typeof f.team.online === "number") state.teamOnline = f.team.online;
    state.conversations.clear();
    (f.conversations || []).forEach(function (c) {
      if (c && typeof c.number === "number") {
        state.conversations.set(c.number, c);
        state.everSeen.add(c.number);
      }
    });
    hideBanner();
    renderPresence();
    renderList();
    updateTitle();
    if (!state.readyOnce) {
      state.readyOnce = true;
      var n = state.openNumber !== null ? state.openNumber : numberFromPath() || INITIAL_NUMBER;
      if (n) openConversation(n, { push: false, focus: false });
      else renderConversation();
    } else if (state.openNumber !== null) {
      subscribe(state.openNumber);
      renderConversationHeader();
    }
    resendPending();
    updateComposerState();
    emit("ready", f);
  }

  function onConversation(c) {
    if (!c || typeof c.number !== "number") return;
    var isNew = !state.everSeen.has(c.number);
    state.everSeen.add(c.number);
    state.conversations.set(c.number, c);
    if (c.number === state.openNumber && c.unread && document.visibilityState === "visible") {
      // The operator is looking at it. A summary counted before our `read` reached the server
      // is stale: once everything shown is read, show it as read.
      maybeSendRead();
      var th = thread(c.number);
      if (th.loaded && th.lastReadSent && th.lastReadSent >= latestVisitorId(th)) c.unread = 0;
    }
    renderList();
    updateTitle();
    if (c.number === state.openNumber) renderConversationHeader();
    if (isNew && isOpenStatus(c.status)) notifyNewConversation(c);
  }

  function onHistory(f) {
    var number = f.conversation;
    if (typeof number !== "number") return;
    var th = thread(number);
    (f.messages || []).forEach(function (m) { storeMessage(th, m); });
    th.loaded = true;
    if (f.visitor) th.visitor = f.visitor;
    if (number === state.openNumber) {
      renderMessages(true);
      renderVisitor();
      renderConversationHeader();
      maybeSendRead();
    }
  }

  function onMessage(number, m) {
    if (typeof number !== "number" || !m) return;
    var th = thread(number);
    var changed = storeMessage(th, m);
    if (m.sender === "visitor" && th.typing) th.typing = null;
    if (number === state.openNumber && changed) {
      renderMessages(false);
      renderTyping();
      if (m.sender === "visitor") maybeSendRead();
    }
  }

  /** Put a server message into a thread; drop the matching pending one. */
  function storeMessage(th, m) {
    if (typeof m.id !== "number") return false;
    if (m.client_id) {
      th.clientIds.add(m.client_id);
      th.pending.delete(m.client_id);
    }
    th.messages.set(m.id, Object.assign({}, th.messages.get(m.id) || {}, m));
    if (th.maxId === null || m.id > th.maxId) th.maxId = m.id;
    return true;
  }

  function onAck(f) {
    var number = f.conversation;
    var cid = f.client_id;
    if (!cid) return;
    var th = typeof number === "number" ? thread(number) : findThreadByClientId(cid);
    if (!th) return;
    var p = th.pending.get(cid);
    th.clientIds.add(cid);
    if (p && typeof f.id === "number") {
      th.pending.delete(cid);
      if (!th.messages.has(f.id)) {
        th.messages.set(f.id, {
          id: f.id, client_id: cid, sender: "operator", body: p.body,
          author: { name: state.me && state.me.name ? state.me.name : t("you") },
          created_at: f.created_at || p.created_at, delivered_at: null, read_at: null,
        });
        if (th.maxId === null || f.id > th.maxId) th.maxId = f.id;
      }
    }
    if (th.number === state.openNumber) renderMessages(false);
  }

  function findThreadByClientId(cid) {
    var found = null;
    state.threads.forEach(function (th) { if (th.pending.has(cid)) found = th; });
    return found;
  }

  var typingTimer = null;
  function onTyping(f) {
    var number = f.conversation;
    if (typeof number !== "number") return;
    var th = thread(number);
    var author = f.author;
    var fromVisitor = author === "visitor" || !author || author.type === "visitor";
    if (!fromVisitor && state.me && author && author.id !== undefined && author.id === state.me.id) return;
    if (f.typing) {
      th.typing = {
        label: fromVisitor ? t("visitor_typing") : t("teammate_typing", { name: str(author && author.name) }),
        until: Date.now() + TYPING_SHOW_MS,
      };
    } else {
      th.typing = null;
    }
    if (number === state.openNumber) {
      renderTyping();
      clearTimeout(typingTimer);
      typingTimer = setTimeout(renderTyping, TYPING_SHOW_MS + 100);
    }
  }

  function onReceipt(f) {
    var number = f.conversation;
    if (typeof number !== "number" || typeof f.up_to !== "number") return;
    var th = thread(number);
    if (f.state === "read") {
      th.read = Math.max(th.read, f.up_to);
      th.delivered = Math.max(th.delivered, f.up_to);
    } else if (f.state === "delivered") {
      th.delivered = Math.max(th.delivered, f.up_to);
    }
    if (number === state.openNumber) refreshMarks();
  }

  function onVisitor(f) {
    var number = f.conversation;
    if (typeof number !== "number" || !f.visitor) return;
    var th = thread(number);
    th.visitor = f.visitor;
    var summary = state.conversations.get(number);
    if (summary && f.visitor.name) {
      summary.visitor = Object.assign({}, summary.visitor || {}, { name: f.visitor.name });
      renderList();
    }
    if (number === state.openNumber) {
      renderVisitor();
      renderConversationHeader();
    }
  }

  function onPresence(f) {
    if (f.team && typeof f.team.online === "number") state.teamOnline = f.team.online;
    if (state.me && f.user !== undefined && f.user === state.me.id && f.status) {
      state.me.status = f.status;
    }
    renderPresence();
  }

  function onRevoked(f) {
    state.revokedMessage = str(f.message) || t("access_revoked");
    stop(state.revokedMessage);
  }

  function onError(f) {
    // Errors about an extension script's frame (client_id "ext:…") are shown by that script.
    if (typeof f.client_id === "string" && f.client_id.indexOf("ext:") === 0) return;
    var text = str(f.message) || t("error_generic");
    if (f.client_id) {
      var th = findThreadByClientId(f.client_id);
      if (th) {
        var p = th.pending.get(f.client_id);
        p.status = "failed";
        p.error = text;
        if (th.number === state.openNumber) renderMessages(false);
        return;
      }
    }
    if (f.code === "not_found" && state.openNumber !== null && !thread(state.openNumber).loaded) {
      showNotFound();
      return;
    }
    showInlineError(text);
  }

  // ---------------------------------------------------------------------------------------
  // Outgoing actions
  // ---------------------------------------------------------------------------------------
  function subscribe(number) {
    var th = thread(number);
    send({ type: "subscribe", conversation: number, after_id: th.maxId });
  }

  function newClientId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function sendMessage(number, body) {
    var th = thread(number);
    var p = { client_id: newClientId(), body: body, status: "sending", error: null, created_at: new Date().toISOString() };
    th.pending.set(p.client_id, p);
    transmit(number, p);
    renderMessages(false, true);
  }

  function transmit(number, p) {
    p.status = "sending";
    p.error = null;
    var ok = state.connected && send({ type: "message", conversation: number, client_id: p.client_id, body: p.body });
    if (!ok) {
      p.status = "queued";
      return;
    }
    // No ack in time: offer a retry (same client_id, so the server stores it at most once).
    clearTimeout(p.timer);
    p.timer = setTimeout(function () {
      var th = state.threads.get(number);
      if (!th || th.pending.get(p.client_id) !== p || p.status !== "sending") return;
      p.status = "failed";
      p.error = t("error_no_ack");
      if (number === state.openNumber) renderMessages(false);
    }, ACK_TIMEOUT_MS);
  }

  function resendPending() {
    state.threads.forEach(function (th) {
      th.pending.forEach(function (p) {
        if (p.status === "failed") return;
        transmit(th.number, p);
      });
    });
    if (state.openNumber !== null) renderMessages(false);
  }

  function markPendingQueued() {
    var changed = false;
    state.threads.forEach(function (th) {
      th.pending.forEach(function (p) {
        if (p.status === "sending") { p.status = "queued"; changed = true; }
      });
    });
    if (changed && state.openNumber !== null) renderMessages(false);
    updateComposerState();
  }

  function latestVisitorId(th) {
    var best = 0;
    th.messages.forEach(function (m) { if (m.sender === "visitor" && m.id > best) best = m.id; });
    return best;
  }

  function maybeSendRead() {
    if (state.openNumber === null || document.visibilityState !== "visible") return;
    var th = thread(state.openNumber);
    var upTo = latestVisitorId(th);
    if (!upTo || upTo <= th.lastReadSent) return;
    if (send({ type: "read", conversation: th.number, up_to: upTo })) {
      th.lastReadSent = upTo;
      var summary = state.conversations.get(th.number);
      if (summary && summary.unread) {
        summary.unread = 0;
        renderList();
        updateTitle();
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Rendering: conversation list
  // ---------------------------------------------------------------------------------------
  var ui = {};

  function sortedConversations() {
    var list = Array.from(state.conversations.values()).filter(function (c) {
      return state.filter === "resolved" ? c.status === "resolved" : isOpenStatus(c.status);
    });
    list.sort(function (a, b) {
      var ta = parseTime(a.last_activity_at), tb = parseTime(b.last_activity_at);
      var d = (tb ? tb.getTime() : 0) - (ta ? ta.getTime() : 0);
      return d !== 0 ? d : b.number - a.number;
    });
    return list;
  }

  function visitorName(c) {
    return str(c && c.visitor && c.visitor.name) || t("visitor");
  }

  function statusLabel(status) {
    var key = "status_" + status;
    return Object.prototype.hasOwnProperty.call(STRINGS, key) ? t(key) : str(status);
  }

  function renderList() {
    var list = ui.list;
    var hadFocus = list.contains(document.activeElement) ? document.activeElement.dataset.number : null;
    clear(list);
    var items = sortedConversations();
    ui.listEmpty.hidden = items.length > 0 || !state.readyOnce;
    ui.listEmpty.textContent = state.filter === "resolved" ? t("empty_resolved") : t("empty_open");
    items.forEach(function (c) {
      var selected = c.number === state.openNumber;
      var when = conversationWhen(c);
      var preview = str(c.preview);
      var prefix = c.preview_sender && c.preview_sender !== "visitor" && preview
        ? (c.preview_sender === "bot" ? t("preview_bot") : c.preview_sender === "system" ? "" : t("preview_team"))
        : "";
      var button = el("button", {
        type: "button",
        className: "conv" + (selected ? " is-selected" : "") + (c.unread ? " is-unread" : ""),
        "aria-current": selected ? "true" : null,
        dataset: { number: c.number },
        onclick: function (e) {
          e.preventDefault();
          openConversation(c.number, { push: true, focus: true });
        },
      },
        el("span", { className: "conv-top" },
          el("span", { className: "conv-name" }, visitorName(c)),
          el("span", { className: "conv-when" + (when.waiting ? " is-waiting" : ""), dataset: { when: c.number } }, when.text)
        ),
        el("span", { className: "conv-bottom" },
          el("span", { className: "conv-preview" }, prefix ? el("span", { className: "conv-prefix" }, prefix + " ") : null, preview || "\u00a0"),
          c.unread ? el("span", { className: "unread", "aria-label": t("unread_count", { count: c.unread }) }, String(c.unread)) : null
        ),
        el("span", { className: "conv-meta" },
          el("span", { className: "conv-number" }, "#" + c.number),
          el("span", { className: "status status-" + str(c.status).replace(/[^a-z_-]/gi, "") }, statusLabel(c.status))
        )
      );
      list.appendChild(el("li", null, button));
    });
    if (hadFocus) {
      var again = list.querySelector('button[data-number="' + CSS.escape(hadFocus) + '"]');
      if (again) again.focus();
    }
    ui.tabOpen.setAttribute("aria-selected", String(state.filter === "open"));
    ui.tabResolved.setAttribute("aria-selected", String(state.filter === "resolved"));
    ui.tabOpen.tabIndex = state.filter === "open" ? 0 : -1;
    ui.tabResolved.tabIndex = state.filter === "resolved" ? 0 : -1;
    ui.countOpen.textContent = String(countWhere(function (c) { return isOpenStatus(c.status); }));
  }

  function countWhere(pred) {
    var n = 0;
    state.conversations.forEach(function (c) { if (pred(c)) n += 1; });
    return n;
  }

  function conversationWhen(c) {
    var waiting = c.status !== "resolved" ? parseTime(c.waiting_since) : null;
    if (waiting) return { waiting: true, text: t("waiting", { duration: duration(Date.now() - waiting.getTime()) }) };
    var last = parseTime(c.last_activity_at) || parseTime(c.created_at);
    return { waiting: false, text: last ? shortWhen(last) : "" };
  }

  function tickTimes() {
    ui.list.querySelectorAll("[data-when]").forEach(function (node) {
      var c = state.conversations.get(Number(node.dataset.when));
      if (!c) return;
      var when = conversationWhen(c);
      node.textContent = when.text;
      node.classList.toggle("is-waiting", when.waiting);
    });
    var localNode = document.querySelector("[data-local-time]");
    if (localNode) localNode.textContent = localTimeIn(localNode.dataset.localTime);
  }

  function updateTitle() {
    var n = countWhere(function (c) { return isOpenStatus(c.status) && (c.unread > 0 || !!c.waiting_since); });
    document.title = n > 0 ? "(" + n + ") " + ui.baseTitle : ui.baseTitle;
  }

  // ---------------------------------------------------------------------------------------
  // Rendering: conversation view
  // ---------------------------------------------------------------------------------------
  function openConversation(number, opts) {
    number = Number(number);
    if (!number) return;
    var previous = state.openNumber;
    if (previous !== null && previous !== number) {
      saveDraft(previous);
      send({ type: "unsubscribe", conversation: previous });
      sendTyping(previous, false);
    }
    state.openNumber = number;
    if (opts && opts.push) {
      var url = INBOX_BASE + number + "/";
      if (location.pathname !== url) history.pushState({ number: number }, "", url);
    }
    setMobileView("conversation");
    hideInlineError();
    ui.notFound.hidden = true;
    ui.conversation.hidden = false;
    ui.placeholder.hidden = true;
    renderConversation();
    restoreDraft(number);
    if (state.connected) subscribe(number);
    renderList();
    if (opts && opts.focus) ui.composer.focus();
    emit("open", number);
  }

  function closeConversation() {
    if (state.openNumber !== null) {
      saveDraft(state.openNumber);
      send({ type: "unsubscribe", conversation: state.openNumber });
    }
    state.openNumber = null;
    renderConversation();
    renderList();
    setMobileView("list");
  }

  function renderConversation() {
    var open = state.openNumber !== null;
    ui.conversation.hidden = !open;
    ui.placeholder.hidden = open;
    if (!open) {
      ui.notFound.hidden = true;
      renderVisitor();
      return;
    }
    clear(ui.messages);
    renderConversationHeader();
    renderMessages(true);
    renderTyping();
    renderVisitor();
  }

  function renderConversationHeader() {
    if (state.openNumber === null) return;
    var c = state.conversations.get(state.openNumber);
    var th = thread(state.openNumber);
    var name = (th.visitor && th.visitor.name) || visitorName(c);
    ui.convName.textContent = name;
    ui.convNumber.textContent = "#" + state.openNumber;
    var status = c ? c.status : "";
    ui.convStatus.textContent = status ? statusLabel(status) : "";
    ui.convStatus.className = "status status-" + str(status).replace(/[^a-z_-]/gi, "");
    ui.convStatus.hidden = !status;
    var resolved = status === "resolved";
    ui.resolveBtn.textContent = resolved ? t("reopen") : t("resolve");
    ui.resolveBtn.dataset.action = resolved ? "reopen" : "resolve";
    ui.resolveBtn.disabled = !c || !state.connected;
  }

  function messageKey(m) {
    return typeof m.id === "number" ? "m" + m.id : "c" + m.client_id;
  }

  /** Operator message mark: sending | queued | failed | sent | delivered | read */
  function markFor(th, m) {
    if (m.status) return m.status;
    if (m.read_at || (th.read && m.id <= th.read)) return "read";
    if (m.delivered_at || (th.delivered && m.id <= th.delivered)) return "delivered";
    return "sent";
  }

  function buildMessage(th, m) {
    var sender = m.sender || "operator";
    var side = sender === "visitor" ? "left" : sender === "system" ? "center" : "right";
    var created = parseTime(m.created_at);
    var li = el("div", {
      className: "msg msg-" + side + " msg-" + sender.replace(/[^a-z]/g, "") + (m.status ? " is-" + m.status : ""),
      dataset: { key: messageKey(m) },
    });
    if (sender === "system") {
      li.appendChild(el("p", { className: "msg-body" }, str(m.body)));
      if (created) li.appendChild(el("time", { className: "msg-time", datetime: created.toISOString(), title: fullTime(created) }, clockTime(created)));
      return li;
    }
    var author;
    if (sender === "visitor") {
      author = str(m.author && m.author.name) || (th.visitor && th.visitor.name) || visitorName(state.conversations.get(th.number));
    } else if (sender === "bot") {
      author = str(m.author && m.author.name) || t("bot");
    } else {
      author = str(m.author && m.author.name) || t("you");
    }
    var meta = el("div", { className: "msg-meta" },
      el("span", { className: "msg-author" }, author),
      created ? el("time", { className: "msg-time", datetime: created.toISOString(), title: fullTime(created) }, clockTime(created)) : null
    );
    var bubble = el("div", { className: "msg-bubble" }, el("p", { className: "msg-body" }, str(m.body)));
    li.appendChild(meta);
    li.appendChild(bubble);
    if (sender === "operator") {
      var mark = markFor(th, m);
      li.appendChild(buildMark(mark));
      li.dataset.mark = mark;
    }
    if (m.status === "failed") {
      li.appendChild(el("div", { className: "msg-error", role: "alert" },
        el("span", null, m.error || t("error_generic")),
        el("button", { type: "button", className: "small link", onclick: function () { retryPending(th, m.client_id); } }, t("retry")),
        el("button", { type: "button", className: "small link", onclick: function () { editPending(th, m.client_id); } }, t("edit"))
      ));
    }
    return li;
  }

  function buildMark(mark) {
    var symbols = { sending: "\u25cb", queued: "\u25cb", failed: "!", sent: "\u2713", delivered: "\u2713\u2713", read: "\u2713\u2713" };
    return el("div", { className: "msg-mark mark-" + mark },
      el("span", { "aria-hidden": "true" }, symbols[mark] || ""),
      el("span", { className: "mark-label" }, t("mark_" + mark))
    );
  }

  /** Messages of the open thread in display order: stored by id, then pending by send time. */
  function orderedMessages(th) {
    var stored = Array.from(th.messages.values()).sort(function (a, b) { return a.id - b.id; });
    var pending = Array.from(th.pending.values()).map(function (p) {
      return {
        client_id: p.client_id, sender: "operator", body: p.body, created_at: p.created_at,
        author: { name: state.me && state.me.name ? state.me.name : t("you") },
        status: p.status, error: p.error,
      };
    });
    return stored.concat(pending);
  }

  /**
   * Bring the message list in line with the thread without rebuilding what is already shown
   * (so the live region only announces what is new). `forceBottom` scrolls to the end.
   */
  function renderMessages(forceBottom, mine) {
    if (state.openNumber === null) return;
    var th = thread(state.openNumber);
    var box = ui.messagesScroll;
    var nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    var wanted = orderedMessages(th);
    var keys = new Set(wanted.map(messageKey));
    // Drop elements that no longer belong (e.g. a pending message now stored under its id).
    Array.from(ui.messages.children).forEach(function (child) {
      if (!keys.has(child.dataset.key)) ui.messages.removeChild(child);
    });
    var cursor = null;
    wanted.forEach(function (m) {
      var key = messageKey(m);
      var existing = ui.messages.querySelector('[data-key="' + CSS.escape(key) + '"]');
      var signature = [m.body, m.status, m.error, m.sender === "operator" ? markFor(th, m) : "", m.created_at].join("\u0000");
      var node = existing;
      if (!existing || existing.dataset.sig !== signature) {
        node = buildMessage(th, m);
        node.dataset.sig = signature;
        if (existing) ui.messages.replaceChild(node, existing);
      }
      var expectedNext = cursor ? cursor.nextSibling : ui.messages.firstChild;
      if (node !== expectedNext) ui.messages.insertBefore(node, expectedNext);
      cursor = node;
    });
    ui.messagesEmpty.hidden = wanted.length > 0 || !th.loaded;
    ui.messagesLoading.hidden = th.loaded;
    if (forceBottom || nearBottom || mine) box.scrollTop = box.scrollHeight;
  }

  function refreshMarks() {
    renderMessages(false);
  }

  function renderTyping() {
    if (state.openNumber === null) return;
    var th = thread(state.openNumber);
    var active = th.typing && th.typing.until > Date.now();
    ui.typing.textContent = active ? th.typing.label : "";
    ui.typing.hidden = !active;
  }

  function retryPending(th, cid) {
    var p = th.pending.get(cid);
    if (!p) return;
    transmit(th.number, p);
    renderMessages(false);
  }

  function editPending(th, cid) {
    var p = th.pending.get(cid);
    if (!p) return;
    th.pending.delete(cid);
    var current = ui.composer.value;
    ui.composer.value = current ? current + "\n" + p.body : p.body;
    renderMessages(false);
    ui.composer.focus();
  }

  var drafts = new Map();
  function saveDraft(number) {
    drafts.set(number, ui.composer.value);
  }
  function restoreDraft(number) {
    ui.composer.value = drafts.get(number) || "";
    autoGrow();
  }

  // ---------------------------------------------------------------------------------------
  // Rendering: visitor panel
  // ---------------------------------------------------------------------------------------
  function row(label, value) {
    if (value === null || value === undefined || value === "") return null;
    return [el("dt", null, label), el("dd", null, value)];
  }

  function renderVisitor() {
    var box = ui.visitorBody;
    clear(box);
    if (state.openNumber === null) {
      box.appendChild(el("p", { className: "muted" }, t("visitor_none")));
      return;
    }
    var th = thread(state.openNumber);
    var v = th.visitor;
    if (!v) {
      box.appendChild(el("p", { className: "muted" }, t("loading")));
      return;
    }

    var identity = el("div", { className: "vp-identity" },
      el("p", { className: "vp-name" }, str(v.name) || visitorName(state.conversations.get(th.number))),
      v.email ? el("p", { className: "vp-email" }, str(v.email)) : null,
      el("p", { className: "vp-badges" },
        v.verified ? el("span", { className: "badge badge-verified", title: t("verified_help") }, "\u2713 " + t("verified")) : null,
        el("span", { className: "badge" }, v.returning ? t("returning_visitor") : t("new_visitor"))
      )
    );
    box.appendChild(identity);

    var unverified = v.unverified && typeof v.unverified === "object" ? Object.keys(v.unverified) : [];
    if (unverified.length) {
      var dlU = el("dl", { className: "vp-dl" });
      unverified.forEach(function (k) {
        dlU.appendChild(el("dt", null, fieldLabel(k)));
        dlU.appendChild(el("dd", null, str(v.unverified[k]), " ", el("span", { className: "badge badge-unverified" }, t("unverified"))));
      });
      box.appendChild(section(t("unverified_claims"), dlU, t("unverified_help")));
    }

    if (v.current_page && (v.current_page.url || v.current_page.title)) {
      var cp = v.current_page;
      box.appendChild(section(t("current_page"), el("p", { className: "vp-page" },
        externalLink(cp.url, str(cp.title) || str(cp.url)),
        cp.title && cp.url ? el("span", { className: "vp-url" }, str(cp.url)) : null
      )));
    }

    var pages = Array.isArray(v.pages) ? v.pages : [];
    if (pages.length) {
      var ol = el("ol", { className: "vp-pages" });
      pages.forEach(function (p) {
        if (!p) return;
        var at = parseTime(p.at);
        ol.appendChild(el("li", null,
          at ? el("time", { datetime: at.toISOString(), title: fullTime(at) }, shortWhen(at)) : null,
          " ",
          externalLink(p.url, str(p.title) || str(p.url))
        ));
      });
      box.appendChild(section(t("pages_visited"), ol));
    }

    var prev = Array.isArray(v.previous_conversations) ? v.previous_conversations : [];
    if (prev.length) {
      var ul = el("ul", { className: "vp-prev" });
      prev.forEach(function (pc) {
        if (!pc || typeof pc.number !== "number") return;
        var created = parseTime(pc.created_at);
        var a = el("a", {
          href: INBOX_BASE + pc.number + "/",
          onclick: function (e) {
            if (e.metaKey || e.ctrlKey || e.shiftKey || e.button === 1) return;
            e.preventDefault();
            openConversation(pc.number, { push: true, focus: false });
          },
        }, "#" + pc.number);
        ul.appendChild(el("li", null, a, " ", el("span", { className: "muted" },
          statusLabel(pc.status) + (created ? " · " + shortWhen(created) : ""))));
      });
      box.appendChild(section(t("previous_conversations"), ul));
    }

    var dl = el("dl", { className: "vp-dl" });
    var lt = localTimeIn(v.timezone);
    [
      row(t("browser"), str(v.browser)),
      row(t("os"), str(v.os)),
      row(t("language"), str(v.language)),
      lt ? [el("dt", null, t("local_time")), el("dd", null,
        el("span", { dataset: { localTime: v.timezone } }, lt),
        " ", el("span", { className: "muted" }, "(" + str(v.timezone) + ")"))] : null,
    ].forEach(function (pair) { if (pair) append(dl, pair); });
    if (dl.firstChild) box.appendChild(section(t("device"), dl));

    var attrs = v.attributes && typeof v.attributes === "object" ? Object.keys(v.attributes) : [];
    if (attrs.length) {
      var table = el("table", { className: "table vp-attrs" },
        el("thead", null, el("tr", null, el("th", { scope: "col" }, t("attribute")), el("th", { scope: "col" }, t("value")))));
      var tbody = el("tbody");
      attrs.forEach(function (k) {
        tbody.appendChild(el("tr", null, el("th", { scope: "row" }, k), el("td", null, str(v.attributes[k]))));
      });
      table.appendChild(tbody);
      box.appendChild(section(t("attributes"), table));
    }
  }

  function fieldLabel(k) {
    var key = "field_" + k;
    return Object.prototype.hasOwnProperty.call(STRINGS, key) ? t(key) : k;
  }

  function section(title, body, help) {
    return el("section", { className: "vp-section" },
      el("h3", null, title),
      help ? el("p", { className: "help small-text" }, help) : null,
      body);
  }

  // ---------------------------------------------------------------------------------------
  // Presence, banner, inline errors, notifications
  // ---------------------------------------------------------------------------------------
  function renderPresence() {
    var status = state.me && state.me.status === "away" ? "away" : "online";
    ui.presenceOnline.setAttribute("aria-pressed", String(status === "online"));
    ui.presenceAway.setAttribute("aria-pressed", String(status === "away"));
    ui.presenceOnline.disabled = !state.connected;
    ui.presenceAway.disabled = !state.connected;
    ui.team.textContent = typeof state.teamOnline === "number" ? t("team_online", { count: state.teamOnline }) : "";
  }

  function setPresence(status) {
    if (!state.me) return;
    if (send({ type: "presence", status: status })) {
      state.me.status = status;
      renderPresence();
    }
  }

  function showBanner(kind, text) {
    ui.banner.hidden = false;
    ui.banner.dataset.kind = kind;
    ui.bannerText.textContent = text;
    ui.bannerRetry.hidden = kind !== "reconnecting";
    renderConversationHeader();
    renderPresence();
  }

  function hideBanner() {
    ui.banner.hidden = true;
    ui.bannerText.textContent = "";
  }

  var inlineErrorTimer = null;
  function showInlineError(text) {
    ui.inlineError.textContent = text;
    ui.inlineError.hidden = false;
    clearTimeout(inlineErrorTimer);
    inlineErrorTimer = setTimeout(hideInlineError, 10000);
  }

  function hideInlineError() {
    ui.inlineError.hidden = true;
    ui.inlineError.textContent = "";
  }

  function showNotFound() {
    ui.conversation.hidden = true;
    ui.placeholder.hidden = true;
    ui.notFound.hidden = false;
  }

  var audioCtx = null;
  function notificationsWanted() {
    try {
      return localStorage.getItem(STORAGE_NOTIFY) === "on";
    } catch (e) {
      return false;
    }
  }

  function unlockAudio() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    if (!audioCtx) {
      try { audioCtx = new Ctx(); } catch (e) { audioCtx = null; return; }
    }
    if (audioCtx.state === "suspended") audioCtx.resume().catch(function () {});
  }

  function beep() {
    if (!audioCtx || audioCtx.state !== "running") return;
    var now = audioCtx.currentTime;
    [0, 0.18].forEach(function (offset, i) {
      var osc = audioCtx.createOscillator();
      var gain = audioCtx.createGain();
      osc.type = "sine";
      osc.frequency.value = i === 0 ? 880 : 1175;
      gain.gain.setValueAtTime(0.0001, now + offset);
      gain.gain.exponentialRampToValueAtTime(0.2, now + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.15);
      osc.connect(gain).connect(audioCtx.destination);
      osc.start(now + offset);
      osc.stop(now + offset + 0.16);
    });
  }

  function renderNotifyButton() {
    var wanted = notificationsWanted();
    var supported = "Notification" in window;
    var denied = supported && Notification.permission === "denied";
    ui.notifyBtn.setAttribute("aria-pressed", String(wanted && !denied));
    ui.notifyBtn.textContent = denied ? t("notifications_blocked") : wanted ? t("notifications_on") : t("notifications_enable");
    ui.notifyBtn.title = wanted && !denied ? t("notifications_turn_off") : "";
  }

  function toggleNotifications() {
    if (notificationsWanted()) {
      try { localStorage.setItem(STORAGE_NOTIFY, "off"); } catch (e) { /* private mode */ }
      renderNotifyButton();
      return;
    }
    unlockAudio();
    try { localStorage.setItem(STORAGE_NOTIFY, "on"); } catch (e) { /* private mode */ }
    if ("Notification" in window && Notification.permission === "default") {
      Promise.resolve(Notification.requestPermission()).then(renderNotifyButton, renderNotifyButton);
    }
    renderNotifyButton();
  }

  function notifyNewConversation(c) {
    if (!notificationsWanted()) return;
    beep();
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    try {
      var n = new Notification(t("notification_title"), {
        body: visitorName(c) + (c.preview ? ": " + str(c.preview) : ""),
        tag: "sohbet-conversation-" + c.number,
      });
      n.onclick = function () {
        window.focus();
        openConversation(c.number, { push: true, focus: true });
        n.close();
      };
    } catch (e) { /* some browsers only allow notifications from a service worker */ }
  }

  // ---------------------------------------------------------------------------------------
  // Composer
  // ---------------------------------------------------------------------------------------
  var lastTypingSent = 0;
  var typingActive = false;
  var typingIdleTimer = null;

  function sendTyping(number, typing) {
    if (number === null) return;
    if (typing) {
      var now = Date.now();
      if (now - lastTypingSent >= TYPING_SEND_MS) {
        if (send({ type: "typing", conversation: number, typing: true })) lastTypingSent = now;
      }
      typingActive = true;
      clearTimeout(typingIdleTimer);
      typingIdleTimer = setTimeout(function () { sendTyping(number, false); }, TYPING_IDLE_MS);
    } else if (typingActive) {
      typingActive = false;
      lastTypingSent = 0;
      clearTimeout(typingIdleTimer);
      send({ type: "typing", conversation: number, typing: false });
    }
  }

  function submitComposer() {
    if (state.openNumber === null) return;
    var body = ui.composer.value.replace(/^\s+|\s+$/g, "");
    if (!body) return;
    sendTyping(state.openNumber, false);
    sendMessage(state.openNumber, body);
    ui.composer.value = "";
    drafts.delete(state.openNumber);
    autoGrow();
  }

  function autoGrow() {
    var c = ui.composer;
    c.style.height = "auto";
    c.style.height = Math.min(c.scrollHeight + 2, 200) + "px";
  }

  function updateComposerState() {
    ui.composerHint.textContent = state.connected ? t("composer_hint") : state.stopped ? "" : t("composer_offline_hint");
    ui.composer.disabled = state.stopped;
    ui.sendBtn.disabled = state.stopped;
  }

  // ---------------------------------------------------------------------------------------
  // Narrow screens and history
  // ---------------------------------------------------------------------------------------
  function setMobileView(view) {
    ui.root.dataset.view = view;
  }

  /** The inbox fills the window below the site header, whatever height the header wraps to. */
  function fitHeight() {
    var top = ui.root.getBoundingClientRect().top + window.scrollY;
    ui.root.style.setProperty("--inbox-top", Math.round(top) + "px");
  }

  function numberFromPath() {
    if (location.pathname.indexOf(INBOX_BASE) !== 0) return null;
    var rest = location.pathname.slice(INBOX_BASE.length).replace(/\/$/, "");
    return /^\d+$/.test(rest) ? Number(rest) : null;
  }

  function onPopState() {
    var n = numberFromPath();
    if (n) {
      if (n !== state.openNumber) openConversation(n, { push: false, focus: false });
    } else if (state.openNumber !== null) {
      closeConversation();
    }
  }

  // ---------------------------------------------------------------------------------------
  // Start
  // ---------------------------------------------------------------------------------------
  function init() {
    ui.root = $("inbox");
    if (!ui.root) return;
    ui.baseTitle = document.title;
    ui.list = $("inbox-list");
    ui.listEmpty = $("inbox-list-empty");
    ui.tabOpen = $("inbox-tab-open");
    ui.tabResolved = $("inbox-tab-resolved");
    ui.countOpen = $("inbox-count-open");
    ui.placeholder = $("inbox-placeholder");
    ui.notFound = $("inbox-not-found");
    ui.conversation = $("inbox-conversation");
    ui.convName = $("inbox-conv-name");
    ui.convNumber = $("inbox-conv-number");
    ui.convStatus = $("inbox-conv-status");
    ui.resolveBtn = $("inbox-resolve");
    ui.messagesScroll = $("inbox-messages-scroll");
    ui.messages = $("inbox-messages");
    ui.messagesEmpty = $("inbox-messages-empty");
    ui.messagesLoading = $("inbox-messages-loading");
    ui.typing = $("inbox-typing");
    ui.form = $("inbox-composer");
    ui.composer = $("inbox-composer-text");
    ui.composerHint = $("inbox-composer-hint");
    ui.sendBtn = $("inbox-send");
    ui.inlineError = $("inbox-inline-error");
    ui.visitorBody = $("inbox-visitor-body");
    ui.presenceOnline = $("inbox-presence-online");
    ui.presenceAway = $("inbox-presence-away");
    ui.team = $("inbox-team");
    ui.banner = $("inbox-banner");
    ui.bannerText = $("inbox-banner-text");
    ui.bannerRetry = $("inbox-banner-retry");
    ui.notifyBtn = $("inbox-notify");

    ui.tabOpen.addEventListener("click", function () { state.filter = "open"; renderList(); });
    ui.tabResolved.addEventListener("click", function () { state.filter = "resolved"; renderList(); });
    [ui.tabOpen, ui.tabResolved].forEach(function (tab) {
      tab.addEventListener("keydown", function (e) {
        if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
          e.preventDefault();
          var other = tab === ui.tabOpen ? ui.tabResolved : ui.tabOpen;
          other.focus();
          other.click();
        }
      });
    });
    ui.resolveBtn.addEventListener("click", function () {
      if (state.openNumber === null) return;
      var action = ui.resolveBtn.dataset.action === "reopen" ? "reopen" : "resolve";
      if (send({ type: action, conversation: state.openNumber })) {
        ui.resolveBtn.disabled = true;
        setTimeout(renderConversationHeader, 5000);
      }
    });
    ui.form.addEventListener("submit", function (e) {
      e.preventDefault();
      submitComposer();
      ui.composer.focus();
    });
    ui.composer.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        submitComposer();
      }
    });
    ui.composer.addEventListener("input", function () {
      autoGrow();
      if (state.openNumber !== null) sendTyping(state.openNumber, ui.composer.value.trim() !== "");
    });
    ui.composer.addEventListener("blur", function () { sendTyping(state.openNumber, false); });
    ui.presenceOnline.addEventListener("click", function () { setPresence("online"); });
    ui.presenceAway.addEventListener("click", function () { setPresence("away"); });
    ui.bannerRetry.addEventListener("click", function () { attempt = 0; reconnectNow(); });
    ui.notifyBtn.addEventListener("click", toggleNotifications);
    document.querySelectorAll("[data-inbox-back]").forEach(function (b) {
      b.addEventListener("click", function () {
        if (numberFromPath()) history.pushState({}, "", INBOX_BASE);
        closeConversation();
      });
    });
    document.querySelectorAll("[data-inbox-show-visitor]").forEach(function (b) {
      b.addEventListener("click", function () { setMobileView("visitor"); $("inbox-visitor").focus(); });
    });
    document.querySelectorAll("[data-inbox-hide-visitor]").forEach(function (b) {
      b.addEventListener("click", function () { setMobileView("conversation"); });
    });

    window.addEventListener("popstate", onPopState);
    window.addEventListener("resize", fitHeight);
    fitHeight();
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") maybeSendRead();
    });
    window.addEventListener("focus", maybeSendRead);
    window.addEventListener("online", function () { attempt = 0; reconnectNow(); });
    // Browsers only start audio after a user gesture: unlock it on the first one.
    var unlockOnce = function () {
      if (notificationsWanted()) unlockAudio();
      document.removeEventListener("pointerdown", unlockOnce, true);
      document.removeEventListener("keydown", unlockOnce, true);
    };
    document.addEventListener("pointerdown", unlockOnce, true);
    document.addEventListener("keydown", unlockOnce, true);
    setInterval(function () { tickTimes(); renderTyping(); }, TICK_MS);

    var initial = numberFromPath() || INITIAL_NUMBER;
    if (initial) {
      state.openNumber = Number(initial);
      history.replaceState({ number: state.openNumber }, "", INBOX_BASE + state.openNumber + "/");
      setMobileView("conversation");
      renderConversation();
    } else {
      setMobileView("list");
      renderConversation();
    }
    renderNotifyButton();
    renderPresence();
    updateComposerState();
    showBanner("connecting", t("connecting"));
    connect();
  }

  // ---------------------------------------------------------------------------------------
  // Extension points for the inbox's other scripts (canned responses, search, live visitors).
  // They load after this file and talk to the page only through this object.
  // ---------------------------------------------------------------------------------------
  var listeners = {};

  function emit(name, detail) {
    (listeners[name] || []).forEach(function (fn) {
      try {
        fn(detail);
      } catch (e) {
        if (window.console) console.error(e);
      }
    });
  }

  window.SohbetInbox = {
    config: CONFIG,
    t: t,
    el: el,
    /** on("frame" | "open" | "ready", fn): every incoming frame, a conversation opened, … */
    on: function (name, fn) {
      (listeners[name] = listeners[name] || []).push(fn);
    },
    send: function (frame) { return send(frame); },
    openConversation: function (number) { openConversation(number, { push: true, focus: true }); },
    /** The open conversation: {number, summary, visitor} or null. */
    current: function () {
      if (state.openNumber === null) return null;
      return {
        number: state.openNumber,
        summary: state.conversations.get(state.openNumber) || null,
        visitor: thread(state.openNumber).visitor || null,
      };
    },
    me: function () { return state.me; },
    composer: function () { return ui.composer; },
    /** Put text into the composer where the caret is (replacing [from, to) when given). */
    insertText: function (text, from, to) {
      var c = ui.composer;
      var start = typeof from === "number" ? from : c.selectionStart;
      var end = typeof to === "number" ? to : c.selectionEnd;
      c.value = c.value.slice(0, start) + text + c.value.slice(end);
      var caret = start + text.length;
      c.setSelectionRange(caret, caret);
      c.focus();
      autoGrow();
    },
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

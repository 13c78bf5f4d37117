/*
 * Sohbet operator inbox. Plain JavaScript, no dependencies, no build step.
 *
 * Talks to the operator socket described in docs/widget-protocol.md ("Operator socket").
 * Security rule: everything that comes from a visitor or a teammate (names, messages, notes,
 * pages, attributes, label names…) reaches the DOM through textContent / createTextNode only;
 * links are built with DOM APIs and only for http(s) URLs. This file never uses innerHTML or
 * insertAdjacentHTML.
 *
 * Parts: socket · frames · list pane (filters, rows, bulk) · conversation (header pickers,
 * timeline of messages + activities + private notes, composer with reply/note modes and
 * @mentions) · visitor panel · alerts, notifications, preferences · keyboard shortcuts.
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
  var TOAST_MS = 8000;
  var NOTIFY_DEDUPE_MS = 10000;
  var STORAGE_NOTIFY = "sohbet.inbox.notifications";
  var STORAGE_FILTERS = "sohbet.inbox.filters." + SLUG;
  var ASSIGNEE_FILTERS = ["mine", "unassigned", "teams", "all"];
  var STATUS_FILTERS = ["open", "pending", "snoozed", "resolved"];
  var SORTS = ["activity", "waiting", "newest"];
  var NOTIFY_KINDS = ["new_conversation", "mine", "mention"];
  var LABEL_COLORS = ["#2563eb", "#16a34a", "#dc2626", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#4b5563"];

  function has(obj, key) {
    return !!obj && Object.prototype.hasOwnProperty.call(obj, key);
  }

  /** t(key, params) over a catalogue: the translated string with %(name)s placeholders
   * filled in (as text, never markup); the key itself when the catalogue lacks it. */
  function translator(strings) {
    return function (key, params) {
      var s = has(strings, key) ? String(strings[key]) : key;
      if (params) {
        s = s.replace(/%\((\w+)\)s/g, function (m, name) {
          return has(params, name) ? String(params[name]) : m;
        });
      }
      return s;
    };
  }

  var t = translator(STRINGS);

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

  /** A label colour from the server, or grey when it is not a plain #rrggbb. */
  function safeColor(value) {
    return typeof value === "string" && /^#[0-9a-fA-F]{6}$/.test(value) ? value : "#6b7280";
  }

  function initials(name) {
    var words = str(name).trim().split(/\s+/).filter(Boolean).slice(0, 2);
    var out = words.map(function (w) { return Array.from(w)[0] || ""; }).join("");
    return out ? out.toLocaleUpperCase(LANG) : "?";
  }

  function isId(v) {
    return typeof v === "number" && isFinite(v);
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

  /** "Fri 09:00" within the coming week, else "12 Mar, 09:00" (snooze times). */
  function snoozeWhen(value) {
    var date = value instanceof Date ? value : parseTime(value);
    if (!date) return "";
    var days = (date.getTime() - Date.now()) / 86400000;
    if (days > -1 && days < 6) return fmt(date, { weekday: "short", hour: "2-digit", minute: "2-digit" });
    return fmt(date, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
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

  /** A Date as the value of an <input type="datetime-local"> (local time, minutes). */
  function localInputValue(date) {
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  // ---------------------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------------------
  var state = {
    me: null,              // {id, name, status, admin, teams, notify}
    teamOnline: null,
    members: [],           // [{id, name, role, capacity, teams, online}]
    membersById: new Map(),
    teams: [],             // [{id, name}]
    teamsById: new Map(),
    labels: [],            // [{id, name, color}]
    labelsById: new Map(),
    settings: {},
    rosterVersion: 0,      // bumps when names may have changed (timeline lines re-render)
    conversations: new Map(), // number -> summary
    everSeen: new Set(),   // numbers seen since page load (new-conversation notifications)
    since: null,           // the server's clock at the first `ready`: created after it = new
    attention: new Set(),  // open conversations waiting for me (the title's count)
    counts: null,          // the assignee tabs' counts {mine, unassigned, teams, all}, or null
    countsTimer: null,
    listMore: false,       // the server has more rows for this view than are loaded
    listLast: null,        // the last loaded row of this view (rows after it are not shown)
    listCursor: null,      // what to ask for to get the next page
    filters: { assignee: "all", status: "open", label: null },
    sort: "activity",
    listSeq: 0,
    listPending: null,     // request id of the `list` frame in flight
    selected: new Set(),   // conversation numbers ticked for a bulk action
    pendingBulk: null,
    pendingLabelCreate: null,
    composerMode: "reply", // "reply" | "note"
    openNumber: null,
    threads: new Map(),    // number -> thread (messages, activities, pending, receipts, visitor)
    connected: false,
    stopped: false,        // revoked / signed out: no more reconnects
    readyOnce: false,
    notified: new Map(),   // conversation number -> when it last beeped (no double alerts)
  };

  function thread(number) {
    var th = state.threads.get(number);
    if (!th) {
      th = {
        number: number,
        messages: new Map(),   // id -> message
        activities: new Map(), // id -> activity (notes, assignments…: operators only)
        pending: new Map(),    // client_id -> {client_id, body, status, error, created_at}
        notes: new Map(),      // client_id -> pending note {client_id, body, status, error, created_at, id}
        clientIds: new Set(),  // client_ids already stored (from messages or acks)
        maxId: null,           // highest id received from the server: the resume cursor
        newest: 0,             // highest id held, this operator's acknowledged replies included
        resuming: false,       // a subscribe with an after_id is on its way
        seq: 0,                // highest seq held (a conversation's messages are 1, 2, 3…)
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

  function myId() {
    if (state.me && isId(state.me.id)) return state.me.id;
    return isId(CONFIG.me) ? CONFIG.me : null;
  }

  function myTeams() {
    return state.me && Array.isArray(state.me.teams) ? state.me.teams : [];
  }

  function memberName(id) {
    if (!isId(id)) return "";
    var m = state.membersById.get(id);
    if (m) return str(m.name) || t("member_unnamed");
    return t("former_member");
  }

  function teamName(id) {
    var team = isId(id) ? state.teamsById.get(id) : null;
    return team ? str(team.name) : t("unknown_team");
  }

  function labelName(id) {
    var label = isId(id) ? state.labelsById.get(id) : null;
    return label ? str(label.name) : t("unknown_label");
  }

  function applyRoster(f) {
    if (Array.isArray(f.members)) {
      state.members = f.members.filter(function (m) { return m && isId(m.id); });
      state.membersById = new Map(state.members.map(function (m) { return [m.id, m]; }));
    }
    if (Array.isArray(f.teams)) {
      state.teams = f.teams.filter(function (x) { return x && isId(x.id); });
      state.teamsById = new Map(state.teams.map(function (x) { return [x.id, x]; }));
    }
    if (Array.isArray(f.labels)) setLabels(f.labels);
    if (f.settings && typeof f.settings === "object") state.settings = f.settings;
    state.rosterVersion += 1;
  }

  function setLabels(labels) {
    state.labels = labels.filter(function (l) { return l && isId(l.id); });
    state.labelsById = new Map(state.labels.map(function (l) { return [l.id, l]; }));
    state.rosterVersion += 1;
  }

  // Filters are remembered per workspace in this browser.
  function loadFilters() {
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(STORAGE_FILTERS) || "null"); } catch (e) { saved = null; }
    if (!saved || typeof saved !== "object") return;
    if (ASSIGNEE_FILTERS.indexOf(saved.assignee) >= 0) state.filters.assignee = saved.assignee;
    if (STATUS_FILTERS.indexOf(saved.status) >= 0) state.filters.status = saved.status;
    if (isId(saved.label)) state.filters.label = saved.label;
    if (SORTS.indexOf(saved.sort) >= 0) state.sort = saved.sort;
  }

  function saveFilters() {
    try {
      localStorage.setItem(STORAGE_FILTERS, JSON.stringify({
        assignee: state.filters.assignee, status: state.filters.status,
        label: state.filters.label, sort: state.sort,
      }));
    } catch (e) { /* private mode */ }
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
    state.listPending = null;
    markPendingQueued();
    failPendingNotes(t("note_unconfirmed"));
    if (state.pendingBulk) bulkFailed(t("error_offline"));
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
      case "conversation": return onConversation(f.conversation, f.from_message === true);
      case "conversation_hidden": return onConversationHidden(f.conversation);
      case "list": return onList(f);
      case "counts": return onCounts(f);
      case "history": return onHistory(f);
      case "message": return onMessage(f.conversation, f.message);
      case "activity": return onActivity(f.conversation, f.activity);
      case "ack": return onAck(f);
      case "note_ack": return onNoteAck(f);
      case "typing": return onTyping(f);
      case "receipt": return onReceipt(f);
      case "visitor": return onVisitor(f);
      case "presence": return onPresence(f);
      case "roster": return onRoster(f);
      case "labels": return onLabels(f);
      case "label_created": return onLabelCreated(f);
      case "bulk_done": return onBulkDone(f);
      case "alert": return onAlert(f);
      case "prefs": return onPrefs(f);
      case "revoked": return onRevoked(f);
      case "error": return onError(f);
      case "pong": return onPong(f);
      default: return;
    }
  }

  /** The heartbeat names the newest message of the open conversation: one this page does not
   * hold means a doorbell was lost (a server process or Redis dropped it); fetch the gap. */
  function onPong(f) {
    missedPongs = 0;
    if (typeof f.conversation !== "number" || typeof f.last_id !== "number") return;
    var th = thread(f.conversation);
    if (f.last_id > th.newest && !th.resuming) subscribe(f.conversation);
  }

  function onReady(f) {
    attempt = 0;
    missedPongs = 0;
    state.connected = true;
    state.me = f.me || state.me;
    applyRoster(f);
    if (f.team && typeof f.team.online === "number") state.teamOnline = f.team.online;
    if (state.since === null && typeof f.now === "string") state.since = f.now;
    // The list comes from the server a page at a time (requestList below); what was loaded
    // before a reconnect may be stale.
    state.conversations.clear();
    state.listMore = false;
    state.listLast = null;
    state.attention = new Set((Array.isArray(f.attention) ? f.attention : []).filter(function (n) { return typeof n === "number"; }));
    checkFilters();
    hideBanner();
    renderPresence();
    renderFilters();
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
      renderMessages(false);
    }
    // The first page of the view (and after a reconnect, everything this page missed).
    requestList();
    resendPending();
    updateComposerState();
    renderPrefsPopover();
    emit("ready", f);
  }

  /** Merge a summary: a partial one (after a message) has no `labels`: keep the ones we had. */
  function mergeSummary(c) {
    var old = state.conversations.get(c.number);
    var merged = Object.assign({ labels: [] }, old || {}, c);
    if (!Array.isArray(merged.labels)) merged.labels = old && Array.isArray(old.labels) ? old.labels : [];
    state.conversations.set(c.number, merged);
    trackAttention(merged);
    return { old: old || null, merged: merged };
  }

  /** Waiting for me: open, unassigned or mine, with unread messages or a waiting visitor
   * (selectors.attention_numbers). Every change to those fields comes as a summary. */
  function trackAttention(c) {
    var me = myId();
    var mine = c.assignee === null || c.assignee === undefined || c.assignee === me;
    if (c.status === "open" && mine && (c.unread > 0 || !!c.waiting_since)) state.attention.add(c.number);
    else state.attention.delete(c.number);
  }

  /** The tabs' counts follow a change we can see whole (we had the conversation before); any
   * other change asks the server for the counts again, at most once a second. */
  function countChange(old, now) {
    if (!state.counts) return;
    if (!old) { refreshCounts(); return; }
    ASSIGNEE_FILTERS.forEach(function (name) {
      var probe = { assignee: name, status: state.filters.status, label: state.filters.label };
      var d = (now && matchesFilters(now, probe) ? 1 : 0) - (matchesFilters(old, probe) ? 1 : 0);
      if (d && typeof state.counts[name] === "number") state.counts[name] = Math.max(0, state.counts[name] + d);
    });
  }

  function refreshCounts() {
    if (state.countsTimer) return;
    state.countsTimer = setTimeout(function () {
      state.countsTimer = null;
      if (state.connected) send({ type: "counts", filters: viewFilters() });
    }, 1000);
  }

  function onCounts(f) {
    if (JSON.stringify(f.filters || {}) !== JSON.stringify(viewFilters())) return; // another view
    state.counts = f.counts && typeof f.counts === "object" ? f.counts : null;
    renderCounts();
  }

  function onConversation(c, fromMessage) {
    if (!c || typeof c.number !== "number") return;
    // Rows of two server processes can cross on their way here, and the server holds a busy
    // workspace's message rows back for up to 20 ms. A stale row would put back an earlier
    // preview, unread count or assignee, so it is dropped: a partial row (no labels: a
    // message's or a read's) older than the row shown, and a message's row no newer than it
    // (a change of the same moment, such as a read or an assignment, came after it).
    var held = state.conversations.get(c.number);
    if (held) {
      var at = time(c.last_activity_at), shown = time(held.last_activity_at);
      if (at < shown && !Array.isArray(c.labels)) return;
      if (fromMessage && at <= shown) return;
    }
    // New to this inbox: never seen here and created since it opened (an older conversation
    // may simply be on a page not loaded yet).
    var isNew = !state.everSeen.has(c.number) && state.since !== null && time(c.created_at) > time(state.since);
    state.everSeen.add(c.number);
    var result = mergeSummary(c);
    var merged = result.merged, old = result.old;
    countChange(old, merged);
    if (c.number === state.openNumber && merged.unread && document.visibilityState === "visible") {
      // The operator is looking at it. A summary counted before our `read` reached the server
      // is stale: once everything shown is read, show it as read.
      maybeSendRead();
      var th = thread(c.number);
      if (th.loaded && th.lastReadSent && th.lastReadSent >= latestVisitorId(th)) merged.unread = 0;
    }
    renderList();
    updateTitle();
    if (c.number === state.openNumber) {
      renderConversationHeader();
      // Reopened by the visitor's message: that line is not sent live; the history has it.
      if (old && old.status !== "open" && merged.status === "open" && state.connected) subscribe(c.number);
    }
    var me = myId();
    if (isNew && isOpenStatus(merged.status) && (merged.assignee === null || merged.assignee === undefined || merged.assignee === me)) {
      notifyNewConversation(merged);
    } else if (old && me !== null && merged.assignee === me && merged.preview_sender === "visitor" &&
               (merged.unread || 0) > (old.unread || 0) && !lookingAt(merged.number)) {
      notify("mine", t("notification_message_title"),
        visitorName(merged) + (merged.preview ? ": " + str(merged.preview) : ""), merged.number);
    }
  }

  function lookingAt(number) {
    return number === state.openNumber && document.visibilityState === "visible" &&
      (typeof document.hasFocus !== "function" || document.hasFocus());
  }

  function onConversationHidden(number) {
    if (typeof number !== "number") return;
    var old = state.conversations.get(number);
    if (old) countChange(old, null);
    else refreshCounts();
    state.conversations.delete(number);
    state.attention.delete(number);
    state.selected.delete(number);
    renderList();
    updateTitle();
    if (number === state.openNumber) {
      toast(t("conversation_hidden", { number: number }));
      if (numberFromPath()) history.pushState({}, "", INBOX_BASE);
      closeConversation();
    }
  }

  function onList(f) {
    if (!f.request || f.request !== state.listPending) return; // an older request: ignore
    state.listPending = null;
    var got = new Set();
    var rows = Array.isArray(f.conversations) ? f.conversations : [];
    rows.forEach(function (c) {
      if (!c || typeof c.number !== "number") return;
      got.add(c.number);
      state.everSeen.add(c.number);
      mergeSummary(c);
    });
    var first = !f.after;
    var from = first ? null : state.listLast; // this page covers (from, its last row]
    var last = rows.length ? state.conversations.get(rows[rows.length - 1].number) : from;
    // The answer is the whole truth for the part of the view it covers: drop what we believed
    // matched there but does not.
    state.conversations.forEach(function (c, number) {
      if (got.has(number) || number === state.openNumber || !matchesFilters(c)) return;
      if (from && compareRows(c, from) <= 0) return; // an earlier page's
      if (f.more && last && compareRows(c, last) > 0) return; // a later page's
      state.conversations.delete(number);
    });
    state.listMore = !!f.more;
    state.listLast = last || null;
    state.listCursor = f.more ? f.cursor : null;
    if (first) state.counts = f.counts && typeof f.counts === "object" ? f.counts : null;
    renderList();
    updateTitle();
  }

  /** The next page of this view, when there is one and none is on its way. */
  function loadMore() {
    if (!state.listMore || state.listPending || !state.connected || !state.listCursor) return;
    requestList(state.listCursor);
  }

  function onHistory(f) {
    var number = f.conversation;
    if (typeof number !== "number") return;
    var th = thread(number);
    var resumed = th.resuming;
    th.resuming = false;
    (f.messages || []).forEach(function (m) { storeMessage(th, m); });
    // A resume that brought one page of several: the next page after it.
    if (resumed && f.more) subscribe(number);
    if (Array.isArray(f.activities)) {
      th.activities = new Map();
      f.activities.forEach(function (a) { storeActivity(th, a); });
    }
    th.loaded = true;
    if (f.visitor) th.visitor = f.visitor;
    if (f.summary && f.summary.number === number) {
      // Opened from a link or a search: its summary, though no loaded page holds it.
      var had = state.conversations.has(number);
      mergeSummary(f.summary);
      if (!had) renderList();
      updateTitle();
    }
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

  function storeActivity(th, a) {
    if (!a || !isId(a.id)) return false;
    th.activities.set(a.id, a);
    th.notes.forEach(function (p, cid) { if (p.id === a.id) th.notes.delete(cid); });
    return true;
  }

  function onActivity(number, a) {
    if (typeof number !== "number") return;
    var th = thread(number);
    if (storeActivity(th, a) && number === state.openNumber) renderMessages(false);
  }

  /** Put a server message into a thread; drop the matching pending one. */
  function storeMessage(th, m) {
    if (typeof m.id !== "number") return false;
    if (m.client_id) {
      th.clientIds.add(m.client_id);
      th.pending.delete(m.client_id);
    }
    th.messages.set(m.id, Object.assign({}, th.messages.get(m.id) || {}, m));
    // A message numbered beyond the next one means one was missed (its doorbell was lost): the
    // cursor stays before it and the gap is fetched.
    if (gapAt(th, m.seq)) resubscribe(th);
    else if (th.maxId === null || m.id > th.maxId) th.maxId = m.id;
    if (m.id > th.newest) th.newest = m.id;
    return true;
  }

  function gapAt(th, seq) {
    if (typeof seq !== "number") return false;
    var had = th.seq;
    if (seq > had) th.seq = seq;
    return had > 0 && seq > had + 1;
  }

  function resubscribe(th) {
    if (!th.resuming && th.number === state.openNumber) subscribe(th.number);
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
      }
      // The cursor (maxId) does not move on an ack: a visitor's message sent just before this
      // reply may still be on its way, and a resume after it must not skip that message.
      if (f.id > th.newest) th.newest = f.id;
      if (gapAt(th, f.seq)) resubscribe(th);
    }
    if (th.number === state.openNumber) renderMessages(false);
  }

  function onNoteAck(f) {
    var cid = f.client_id;
    if (!cid) return;
    var th = typeof f.conversation === "number" ? thread(f.conversation) : findThreadByNoteId(cid);
    if (!th) return;
    var p = th.notes.get(cid);
    if (!p) return;
    clearTimeout(p.timer);
    if (isId(f.id) && th.activities.has(f.id)) th.notes.delete(cid);
    else {
      p.id = isId(f.id) ? f.id : null;
      p.status = "saved";
    }
    if (th.number === state.openNumber) renderMessages(false);
  }

  function findThreadByClientId(cid) {
    var found = null;
    state.threads.forEach(function (th) { if (th.pending.has(cid)) found = th; });
    return found;
  }

  function findThreadByNoteId(cid) {
    var found = null;
    state.threads.forEach(function (th) { if (th.notes.has(cid)) found = th; });
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
    var member = isId(f.user) ? state.membersById.get(f.user) : null;
    if (member && f.status) member.online = f.status === "online";
    renderPresence();
  }

  function onRoster(f) {
    applyRoster(f);
    if (state.me && Array.isArray(f.me_teams)) state.me.teams = f.me_teams;
    checkFilters();
    renderFilters();
    renderList();
    renderConversationHeader();
    renderMessages(false);
  }

  function onLabels(f) {
    if (!Array.isArray(f.labels)) return;
    setLabels(f.labels);
    checkFilters();
    renderFilters();
    renderList();
    renderConversationHeader();
    renderMessages(false);
  }

  function onLabelCreated(f) {
    var label = f.label;
    if (!label || !isId(label.id)) return;
    var pending = state.pendingLabelCreate;
    var mine = pending && str(label.name).toLocaleLowerCase() === pending.name.toLocaleLowerCase();
    if (!state.labelsById.has(label.id)) {
      var full = { id: label.id, name: str(label.name), color: safeColor(label.color || (mine ? pending.color : "")) };
      setLabels(state.labels.concat([full]).sort(function (a, b) { return str(a.name).localeCompare(str(b.name)); }));
      renderFilters();
    }
    if (mine) {
      state.pendingLabelCreate = null;
      closePopover(true);
      pending.then(label);
    }
  }

  function onRevoked(f) {
    state.revokedMessage = str(f.message) || t("access_revoked");
    stop(state.revokedMessage);
  }

  var LIST_FIELDS = ["filters", "assignee", "status", "label", "team", "sort"];

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
      var nth = findThreadByNoteId(f.client_id);
      if (nth) {
        noteRefused(nth, f.client_id, text);
        return;
      }
    }
    if (state.pendingLabelCreate && (f.field === "name" || f.field === "color" || f.code === "duplicate")) {
      var pl = state.pendingLabelCreate;
      state.pendingLabelCreate = null;
      pl.fail(text);
      return;
    }
    if (state.pendingBulk) {
      bulkFailed(text);
      return;
    }
    if (state.listPending && f.field === "cursor") {
      // The page after the loaded ones could not be found from where we were: start over.
      state.listPending = null;
      requestList();
      return;
    }
    if (state.listPending && LIST_FIELDS.indexOf(f.field) >= 0) {
      // The view asked for something the server does not know (a label deleted meanwhile):
      // fall back to the widest view and say so.
      state.listPending = null;
      state.filters.label = null;
      saveFilters();
      renderFilters();
      toast(text, { kind: "error" });
      requestList();
      return;
    }
    if (f.code === "not_found" && state.openNumber !== null && !thread(state.openNumber).loaded) {
      showNotFound();
      return;
    }
    if (state.openNumber !== null) showInlineError(text);
    else toast(text, { kind: "error" });
  }

  // ---------------------------------------------------------------------------------------
  // Outgoing actions
  // ---------------------------------------------------------------------------------------
  function subscribe(number) {
    var th = thread(number);
    th.resuming = th.maxId !== null;
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

  /**
   * A private note. Unlike replies, notes are not queued while offline (the server does not
   * deduplicate them): they are refused at once and their text goes back to the composer.
   */
  function sendNote(number, body) {
    var th = thread(number);
    var p = { client_id: newClientId(), body: body, status: "sending", error: null, created_at: new Date().toISOString(), id: null };
    if (!state.connected || !send({ type: "note", conversation: number, body: body, client_id: p.client_id })) {
      return false;
    }
    th.notes.set(p.client_id, p);
    p.timer = setTimeout(function () {
      if (th.notes.get(p.client_id) !== p || p.status !== "sending") return;
      p.status = "failed";
      p.error = t("error_no_ack");
      if (number === state.openNumber) renderMessages(false);
    }, ACK_TIMEOUT_MS);
    renderMessages(false, true);
    return true;
  }

  /** The server refused a note: take the card away, give the text back, say why. */
  function noteRefused(th, cid, text) {
    var p = th.notes.get(cid);
    if (!p) return;
    clearTimeout(p.timer);
    th.notes.delete(cid);
    if (th.number === state.openNumber) {
      var current = ui.composer.value;
      ui.composer.value = current ? p.body + "\n" + current : p.body;
      setComposerMode("note");
      autoGrow();
      renderMessages(false);
      showInlineError(text);
    } else {
      drafts.set(th.number, (drafts.get(th.number) ? drafts.get(th.number) + "\n" : "") + p.body);
      toast(text, { kind: "error", number: th.number });
    }
  }

  function failPendingNotes(text) {
    state.threads.forEach(function (th) {
      th.notes.forEach(function (p, cid) {
        if (p.status === "sending") noteRefused(th, cid, text);
      });
    });
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

  function setStatus(number, status, until) {
    if (number === null || number === undefined) return false;
    var frame = { type: "status", conversation: number, status: status };
    if (until) frame.until = until.toISOString();
    return send(frame);
  }

  function assign(number, fields) {
    if (number === null || number === undefined) return false;
    return send(Object.assign({ type: "assign", conversation: number }, fields));
  }

  function changeLabels(number, add, remove) {
    if (number === null || number === undefined) return false;
    return send({ type: "label", conversation: number, add: add || [], remove: remove || [] });
  }

  // ---------------------------------------------------------------------------------------
  // Rendering: conversation list (filters, rows, selection, bulk actions)
  // ---------------------------------------------------------------------------------------
  var ui = {};

  /** The same rules the server applies to a `list` request (selectors.inbox_list). */
  function matchesFilters(c, filters) {
    var f = filters || state.filters;
    if (f.status && c.status !== f.status) return false;
    var me = myId();
    if (f.assignee === "mine" && (me === null || c.assignee !== me)) return false;
    if (f.assignee === "unassigned" && c.assignee !== null && c.assignee !== undefined) return false;
    if (f.assignee === "teams" && (!isId(c.team) || myTeams().indexOf(c.team) < 0)) return false;
    if (isId(f.label) && (!Array.isArray(c.labels) || c.labels.indexOf(f.label) < 0)) return false;
    return true;
  }

  /** Drop filter choices that no longer exist (a deleted label, teams I left). */
  function checkFilters() {
    var changed = false;
    if (state.filters.assignee === "teams" && !myTeams().length) { state.filters.assignee = "all"; changed = true; }
    if (isId(state.filters.label) && state.rosterVersion > 0 && !state.labelsById.has(state.filters.label)) {
      state.filters.label = null;
      changed = true;
    }
    if (changed) {
      saveFilters();
      if (state.connected) requestList();
    }
  }

  function viewFilters() {
    var filters = { assignee: state.filters.assignee, status: state.filters.status };
    if (isId(state.filters.label)) filters.label = state.filters.label;
    return filters;
  }

  /** Ask for the first page of the view, or with `cursor`, the page after the loaded ones. */
  function requestList(cursor) {
    state.listSeq += 1;
    var id = "list-" + state.listSeq;
    var frame = { type: "list", request: id, filters: viewFilters(), sort: state.sort };
    if (cursor) frame.cursor = cursor;
    else { state.listMore = false; state.listLast = null; }
    state.listPending = id;
    if (!send(frame)) state.listPending = null;
    if (ui.listMore) renderMore();
  }

  function setFilter(name, value) {
    if (name === "sort") state.sort = value;
    else state.filters[name] = value;
    saveFilters();
    state.selected.clear();
    renderFilters();
    renderList();
    requestList();
  }

  function time(v) {
    var d = parseTime(v);
    return d ? d.getTime() : 0;
  }

  /** The view's order (the server's, selectors.inbox_list): < 0 when a comes first. */
  function compareRows(a, b) {
    var d;
    if (state.sort === "waiting") {
      var wa = time(a.waiting_since), wb = time(b.waiting_since);
      if (!wa !== !wb) return wa ? -1 : 1; // waiting ones first, longest first
      d = wa - wb;
      if (d === 0) d = time(b.last_activity_at) - time(a.last_activity_at);
    } else if (state.sort === "newest") {
      d = time(b.created_at) - time(a.created_at);
    } else {
      d = time(b.last_activity_at) - time(a.last_activity_at);
    }
    return d !== 0 ? d : b.number - a.number;
  }

  /** What the list shows: the loaded rows that match the view, up to the last loaded row
   * while the server has more (a row known from an event but past it waits for its page). */
  function sortedConversations() {
    var last = state.listMore ? state.listLast : null;
    var list = Array.from(state.conversations.values()).filter(function (c) {
      return matchesFilters(c) && (!last || compareRows(c, last) <= 0);
    });
    list.sort(compareRows);
    return list;
  }

  /** A row's visitor: their name, or "Visitor 1a2b3c" (the start of their id) in this
   * page's language; rows carry no label of their own (payloads.summary). */
  function visitorName(c) {
    var v = c && c.visitor;
    if (str(v && v.name)) return str(v.name);
    return v && v.id ? t("visitor_short", { short: str(v.id).slice(0, 6) }) : t("visitor");
  }

  function statusLabel(status) {
    var key = "status_" + status;
    return has(STRINGS, key) ? t(key) : str(status);
  }

  /** "Snoozed until Fri 09:00" for a snoozed conversation, else the status's name. */
  function statusText(c) {
    if (c && c.status === "snoozed" && c.snoozed_until) return t("snoozed_until", { when: snoozeWhen(c.snoozed_until) });
    return statusLabel(c ? c.status : "");
  }

  function statusClass(status) {
    return "status status-" + str(status).replace(/[^a-z_-]/gi, "");
  }

  function avatar(name, extraClass) {
    return el("span", { className: "avatar" + (extraClass ? " " + extraClass : ""), "aria-hidden": "true" }, initials(name));
  }

  function labelChip(id, removable) {
    var label = state.labelsById.get(id);
    var name = label ? str(label.name) : t("unknown_label");
    var chip = el("span", { className: "chip", dataset: { label: id } },
      el("span", { className: "chip-dot", "aria-hidden": "true" }),
      el("span", { className: "chip-name" }, name));
    chip.style.setProperty("--label", safeColor(label && label.color));
    if (removable) {
      chip.appendChild(el("button", {
        type: "button", className: "chip-remove", "aria-label": t("label_remove", { name: name }), title: t("label_remove", { name: name }),
        onclick: function () { changeLabels(state.openNumber, [], [id]); },
      }, "\u00d7"));
    }
    return chip;
  }

  function emptyText() {
    var f = state.filters;
    if (isId(f.label)) return t("empty_label");
    if (f.assignee === "mine") return t("empty_mine");
    if (f.assignee === "unassigned") return t("empty_unassigned");
    if (f.assignee === "teams") return t("empty_teams");
    if (f.status === "pending") return t("empty_pending");
    if (f.status === "snoozed") return t("empty_snoozed");
    if (f.status === "resolved") return t("empty_resolved");
    return t("empty_open");
  }

  function buildRow(c) {
    var selected = c.number === state.openNumber;
    var checked = state.selected.has(c.number);
    var when = conversationWhen(c);
    var preview = str(c.preview);
    var name = visitorName(c);
    var prefix = c.preview_sender && c.preview_sender !== "visitor" && preview
      ? (c.preview_sender === "bot" ? t("preview_bot") : c.preview_sender === "system" ? "" : t("preview_team"))
      : "";
    var assigneeName = isId(c.assignee) ? memberName(c.assignee) : "";
    var meta = el("span", { className: "conv-meta" },
      el("span", { className: "conv-number" }, "#" + c.number),
      c.status !== "open" ? el("span", { className: statusClass(c.status) }, statusText(c)) : null,
      isId(c.assignee)
        ? el("span", { className: "conv-assignee", title: t("assigned_to", { name: assigneeName }) },
          avatar(assigneeName), el("span", { className: "conv-assignee-name" },
            c.assignee === myId() ? t("assignee_you") : assigneeName))
        : el("span", { className: "conv-assignee is-unassigned" }, t("unassigned")),
      isId(c.team) ? el("span", { className: "conv-team", title: t("team_label") }, teamName(c.team)) : null
    );
    var labels = Array.isArray(c.labels) && c.labels.length
      ? el("span", { className: "conv-labels" }, c.labels.map(function (id) { return labelChip(id, false); }))
      : null;
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
        el("span", { className: "conv-name" }, name),
        el("span", { className: "conv-when" + (when.waiting ? " is-waiting" : ""), dataset: { when: c.number } }, when.text)
      ),
      el("span", { className: "conv-bottom" },
        el("span", { className: "conv-preview" }, prefix ? el("span", { className: "conv-prefix" }, prefix + " ") : null, preview || "\u00a0"),
        c.unread ? el("span", { className: "unread", "aria-label": t("unread_count", { count: c.unread }) }, String(c.unread)) : null
      ),
      meta,
      labels
    );
    var box = el("input", {
      type: "checkbox", className: "conv-check",
      "aria-label": t("select_row", { number: c.number, name: name }),
      dataset: { select: c.number },
    });
    box.checked = checked;
    box.addEventListener("change", function () {
      if (box.checked) state.selected.add(c.number);
      else state.selected.delete(c.number);
      renderSelection();
      box.closest("li").classList.toggle("is-checked", box.checked);
    });
    return el("li", { className: "conv-row" + (checked ? " is-checked" : "") + (selected ? " is-selected" : "") }, box, button);
  }

  function renderList() {
    if (!ui.list) return;
    var list = ui.list;
    var active = document.activeElement;
    var hadFocus = list.contains(active) ? (active.dataset.number ? "number:" + active.dataset.number : active.dataset.select ? "select:" + active.dataset.select : null) : null;
    clear(list);
    var items = sortedConversations();
    // Only what is shown can be selected.
    var shown = new Set(items.map(function (c) { return c.number; }));
    state.selected.forEach(function (n) { if (!shown.has(n)) state.selected.delete(n); });
    var loading = items.length === 0 && (!!state.listPending || !state.readyOnce);
    ui.listEmpty.hidden = items.length > 0 || !state.readyOnce;
    ui.listEmpty.textContent = loading ? t("loading") : emptyText();
    items.forEach(function (c) { list.appendChild(buildRow(c)); });
    if (state.listMore) list.appendChild(ui.listMoreItem); // only while there is more
    renderMore();
    if (hadFocus) {
      var parts = hadFocus.split(":");
      var again = parts[0] === "number"
        ? list.querySelector('button[data-number="' + CSS.escape(parts[1]) + '"]')
        : list.querySelector('input[data-select="' + CSS.escape(parts[1]) + '"]');
      if (again) again.focus();
    }
    renderCounts();
    renderSelection();
  }

  function renderMore() {
    ui.listMore.disabled = !!state.listPending;
    ui.listMore.textContent = state.listPending && state.listMore ? t("loading") : t("show_more");
  }

  function renderCounts() {
    var f = state.filters;
    ASSIGNEE_FILTERS.forEach(function (name) {
      var node = ui.counts[name];
      if (!node) return;
      if (f.status === "resolved") {
        // Resolved conversations are not all on the page: no count rather than a wrong one.
        node.textContent = "";
        node.hidden = true;
        return;
      }
      var n = state.counts ? state.counts[name] : null;
      node.textContent = typeof n === "number" ? String(n) : "";
      node.hidden = typeof n !== "number";
    });
  }

  function renderFilters() {
    if (!ui.assigneeTabs) return;
    var f = state.filters;
    var teamsTab = ui.assigneeTabs.querySelector('[data-assignee="teams"]');
    if (teamsTab) teamsTab.hidden = !myTeams().length;
    ui.assigneeTabs.querySelectorAll("[data-assignee]").forEach(function (tab) {
      var on = tab.dataset.assignee === f.assignee;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
    });
    ui.statusFilter.value = f.status;
    ui.sortFilter.value = state.sort;
    // Label choices: "Any label" and every workspace label.
    var select = ui.labelFilter;
    clear(select);
    select.appendChild(el("option", { value: "" }, t("filter_any_label")));
    state.labels.forEach(function (l) {
      select.appendChild(el("option", { value: String(l.id) }, str(l.name)));
    });
    select.value = isId(f.label) ? String(f.label) : "";
    select.disabled = !state.labels.length && !isId(f.label);
  }

  function renderSelection() {
    if (!ui.bulk) return;
    var shown = ui.list.querySelectorAll("input[data-select]").length;
    var n = state.selected.size;
    ui.selectAll.checked = n > 0 && n === shown;
    ui.selectAll.indeterminate = n > 0 && n < shown;
    ui.selectAll.disabled = shown === 0;
    ui.bulk.hidden = n === 0;
    ui.bulkCount.textContent = t("selected_count", { count: n });
    var busy = !!state.pendingBulk || !state.connected;
    [ui.bulkResolve, ui.bulkAssign, ui.bulkLabel].forEach(function (b) { b.disabled = busy; });
    ui.bulkLabel.hidden = !state.labels.length;
    if (n === 0) hideBulkError();
  }

  function selectAll(on) {
    state.selected.clear();
    if (on) sortedConversations().forEach(function (c) { state.selected.add(c.number); });
    renderList();
  }

  function sendBulk(action, value) {
    var numbers = Array.from(state.selected);
    if (!numbers.length) return;
    hideBulkError();
    if (!send({ type: "bulk", conversations: numbers, action: action, value: value === undefined ? null : value })) {
      showBulkError(t("error_offline"));
      return;
    }
    state.pendingBulk = { action: action };
    renderSelection();
  }

  function onBulkDone(f) {
    state.pendingBulk = null;
    state.selected.clear();
    renderList();
    var changed = Array.isArray(f.changed) ? f.changed.length : 0;
    toast(t("bulk_done", { count: changed }));
    if (ui.selectAll) ui.selectAll.focus();
  }

  function bulkFailed(text) {
    state.pendingBulk = null;
    showBulkError(text);
    renderSelection();
  }

  function showBulkError(text) {
    ui.bulkError.textContent = text;
    ui.bulkError.hidden = false;
  }

  function hideBulkError() {
    if (!ui.bulkError) return;
    ui.bulkError.hidden = true;
    ui.bulkError.textContent = "";
  }

  function conversationWhen(c) {
    // Pending and snoozed conversations wait on the visitor or a time, not on us.
    var waiting = c.status === "open" ? parseTime(c.waiting_since) : null;
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

  /**
   * "(3) Inbox": open conversations that are mine or nobody's yet and need an answer (unread
   * or waiting). Colleagues' conversations do not nag everyone's tab.
   */
  function attentionCount() {
    return state.attention.size;
  }

  function updateTitle() {
    var n = attentionCount();
    document.title = n > 0 ? "(" + n + ") " + ui.baseTitle : ui.baseTitle;
  }

  // ---------------------------------------------------------------------------------------
  // Popovers and menus (assignee, team, snooze, labels, bulk, preferences)
  // ---------------------------------------------------------------------------------------
  var popover = null; // {box, anchor}

  /** Open a popover under `anchor`, filled by build(box). One at a time. */
  function openPopover(anchor, build, opts) {
    closePopover(false);
    opts = opts || {};
    var box = el("div", {
      className: "popover" + (opts.className ? " " + opts.className : ""),
      id: "inbox-popover",
      role: opts.role || null,
      "aria-label": opts.label || null,
    });
    popover = { box: box, anchor: anchor || null };
    build(box);
    ui.root.appendChild(box);
    if (anchor) anchor.setAttribute("aria-expanded", "true");
    placePopover();
    box.addEventListener("keydown", popoverKeys);
    box.addEventListener("focusout", function (e) {
      if (popover && popover.box === box && e.relatedTarget && !box.contains(e.relatedTarget) &&
          !(popover.anchor && popover.anchor.contains(e.relatedTarget))) {
        closePopover(false);
      }
    });
    var first = box.querySelector('[role^="menuitem"][aria-checked="true"]:not([disabled])') ||
      box.querySelector('[role^="menuitem"]:not([disabled]), input, select, textarea, button:not([disabled])');
    if (first) first.focus();
    return box;
  }

  function placePopover() {
    if (!popover) return;
    var box = popover.box;
    var a = popover.anchor;
    var r = a && a.isConnected && a.offsetParent !== null ? a.getBoundingClientRect() : null;
    var vw = document.documentElement.clientWidth, vh = window.innerHeight;
    box.style.maxHeight = Math.max(160, vh - 16) + "px";
    var w = box.offsetWidth, h = box.offsetHeight;
    var left, top;
    if (!r) {
      left = (vw - w) / 2;
      top = Math.max(8, (vh - h) / 3);
    } else {
      left = r.left;
      top = r.bottom + 4;
      if (top + h > vh - 8) top = r.top - h - 4 >= 8 ? r.top - h - 4 : Math.max(8, vh - h - 8);
    }
    left = Math.min(Math.max(8, left), Math.max(8, vw - w - 8));
    box.style.left = Math.round(left) + "px";
    box.style.top = Math.round(top) + "px";
  }

  function closePopover(returnFocus) {
    if (!popover) return;
    var p = popover;
    popover = null;
    if (p.box.parentNode) p.box.parentNode.removeChild(p.box);
    if (p.anchor) {
      p.anchor.setAttribute("aria-expanded", "false");
      if (returnFocus && p.anchor.isConnected && p.anchor.offsetParent !== null) p.anchor.focus();
    }
  }

  function togglePopover(anchor, build, opts) {
    if (popover && popover.anchor === anchor) {
      closePopover(true);
      return null;
    }
    return openPopover(anchor, build, opts);
  }

  function popoverKeys(e) {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      closePopover(true);
      return;
    }
    var items = Array.from(popover ? popover.box.querySelectorAll('[role^="menuitem"]:not([disabled])') : []);
    var i = items.indexOf(document.activeElement);
    if (i < 0) return;
    var next = null;
    if (e.key === "ArrowDown") next = items[(i + 1) % items.length];
    else if (e.key === "ArrowUp") next = items[(i - 1 + items.length) % items.length];
    else if (e.key === "Home") next = items[0];
    else if (e.key === "End") next = items[items.length - 1];
    if (next) {
      e.preventDefault();
      next.focus();
    }
  }

  /**
   * A list of menu items: {label, onSelect, checked?, icon?, hint?, hiddenHint?, keepOpen?,
   * disabled?} or {separator: true} or {note: "text"} (a line that is not an item).
   */
  function menuList(label, items) {
    var list = el("div", { role: "menu", "aria-label": label, className: "menu-list" });
    items.forEach(function (it) {
      if (it.separator) {
        list.appendChild(el("div", { role: "separator", className: "menu-sep" }));
        return;
      }
      if (it.note) {
        list.appendChild(el("p", { className: "menu-note muted" }, it.note));
        return;
      }
      var radio = it.checked !== undefined;
      var b = el("button", {
        type: "button",
        role: radio ? "menuitemradio" : "menuitem",
        "aria-checked": radio ? String(!!it.checked) : null,
        tabindex: "-1",
        className: "menu-item" + (it.checked ? " is-checked" : ""),
        disabled: it.disabled || null,
      },
        el("span", { className: "menu-check", "aria-hidden": "true" }, radio && it.checked ? "\u2713" : ""),
        it.icon || null,
        el("span", { className: "menu-label" }, it.label,
          it.hiddenHint ? el("span", { className: "visually-hidden" }, " (" + it.hiddenHint + ")") : null),
        it.hint ? el("span", { className: "menu-hint" }, it.hint) : null
      );
      b.addEventListener("click", function () {
        if (!it.keepOpen) closePopover(true);
        it.onSelect(b);
      });
      list.appendChild(b);
    });
    return list;
  }

  function onlineDot(member) {
    return el("span", { className: "dot " + (member.online ? "dot-online" : "dot-offline"), "aria-hidden": "true" });
  }

  /** Members to assign to: "Unassigned" first, then everyone (online dot, "(you)"). */
  function memberItems(current, onPick, radio) {
    var me = myId();
    var items = [{
      label: t("unassigned"), checked: radio ? current === null || current === undefined : undefined,
      onSelect: function () { onPick(null); },
    }];
    state.members.forEach(function (m) {
      items.push({
        label: (str(m.name) || t("member_unnamed")) + (m.id === me ? " " + t("you_suffix") : ""),
        checked: radio ? current === m.id : undefined,
        icon: onlineDot(m),
        hiddenHint: m.online ? t("member_online") : t("member_offline"),
        onSelect: function () { onPick(m.id); },
      });
    });
    return items;
  }

  function openAssigneeMenu(anchor) {
    var number = state.openNumber;
    var c = state.conversations.get(number);
    if (!c) return;
    togglePopover(anchor, function (box) {
      var items = [];
      if (c.assignee !== myId()) {
        items.push({ label: t("assign_to_me"), hint: "a", onSelect: function () { assign(number, { assignee: myId() }); } });
        items.push({ separator: true });
      }
      items = items.concat(memberItems(c.assignee, function (id) { assign(number, { assignee: id }); }, true));
      box.appendChild(menuList(t("assignee_label"), items));
    });
  }

  function openTeamMenu(anchor) {
    var number = state.openNumber;
    var c = state.conversations.get(number);
    if (!c) return;
    togglePopover(anchor, function (box) {
      var items = [{ label: t("no_team"), checked: !isId(c.team), onSelect: function () { assign(number, { team: null }); } }];
      state.teams.forEach(function (team) {
        items.push({ label: str(team.name), checked: c.team === team.id, onSelect: function () { assign(number, { team: team.id }); } });
      });
      box.appendChild(menuList(t("team_label"), items));
    });
  }

  function snoozeChoices() {
    var now = new Date();
    var inHour = new Date(now.getTime() + 3600000);
    var tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0, 0, 0);
    var toMonday = ((8 - now.getDay()) % 7) || 7;
    var monday = new Date(now.getFullYear(), now.getMonth(), now.getDate() + toMonday, 9, 0, 0, 0);
    return [[t("snooze_hour"), inHour], [t("snooze_tomorrow"), tomorrow], [t("snooze_monday"), monday]];
  }

  function openSnoozeMenu(anchor) {
    var number = state.openNumber;
    if (number === null) return;
    togglePopover(anchor, function (box) {
      box.appendChild(menuList(t("snooze_menu"), snoozeChoices().map(function (choice) {
        return {
          label: choice[0], hint: snoozeWhen(choice[1]),
          onSelect: function () { setStatus(number, "snoozed", choice[1]); },
        };
      })));
      var input = el("input", { type: "datetime-local", id: "inbox-snooze-custom", required: true, min: localInputValue(new Date()) });
      var error = el("p", { className: "form-error", role: "alert", hidden: true });
      var form = el("form", { className: "popover-form", novalidate: true },
        el("label", { for: "inbox-snooze-custom" }, t("snooze_custom")),
        el("div", { className: "popover-inline" }, input,
          el("button", { type: "submit", className: "small" }, t("snooze_submit"))),
        error);
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var when = input.value ? new Date(input.value) : null;
        if (!when || isNaN(when.getTime()) || when.getTime() <= Date.now()) {
          error.textContent = t("snooze_future");
          error.hidden = false;
          input.focus();
          return;
        }
        closePopover(true);
        setStatus(number, "snoozed", when);
      });
      box.appendChild(el("div", { role: "separator", className: "menu-sep" }));
      box.appendChild(form);
    }, { className: "popover-snooze" });
  }

  function openLabelMenu(anchor) {
    var number = state.openNumber;
    var c = state.conversations.get(number);
    if (!c) return;
    togglePopover(anchor, function (box) {
      var applied = Array.isArray(c.labels) ? c.labels : [];
      var items = state.labels.filter(function (l) { return applied.indexOf(l.id) < 0; }).map(function (l) {
        return {
          label: str(l.name), icon: swatch(l.color),
          onSelect: function () { changeLabels(number, [l.id], []); },
        };
      });
      if (!items.length) items.push({ note: state.labels.length ? t("labels_all_applied") : t("labels_none") });
      items.push({ separator: true });
      items.push({
        label: t("label_new"), keepOpen: true,
        onSelect: function () {
          showNewLabelForm(box, function (label) { changeLabels(number, [label.id], []); });
        },
      });
      box.appendChild(menuList(t("labels_add"), items));
    });
  }

  function swatch(color) {
    var s = el("span", { className: "chip-dot", "aria-hidden": "true" });
    s.style.setProperty("--label", safeColor(color));
    return s;
  }

  /** "New label…": name and colour; label_create, then `then(label)` applies it. */
  function showNewLabelForm(box, then) {
    clear(box);
    var name = el("input", { type: "text", id: "inbox-new-label-name", maxlength: "40", required: true, autocomplete: "off" });
    var color = el("input", { type: "color", id: "inbox-new-label-color", value: LABEL_COLORS[state.labels.length % LABEL_COLORS.length] });
    var error = el("p", { className: "form-error", role: "alert", hidden: true });
    var submit = el("button", { type: "submit", className: "small" }, t("label_create"));
    var form = el("form", { className: "popover-form", novalidate: true },
      el("h3", { className: "popover-title" }, t("label_new_title")),
      el("label", { for: "inbox-new-label-name" }, t("label_name")), name,
      el("label", { for: "inbox-new-label-color" }, t("label_color")), color,
      error,
      el("div", { className: "popover-actions" }, submit,
        el("button", { type: "button", className: "small secondary", onclick: function () { closePopover(true); } }, t("cancel"))));
    function fail(text) {
      error.textContent = text;
      error.hidden = false;
      submit.disabled = false;
      name.focus();
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var value = name.value.replace(/\s+/g, " ").trim();
      if (!value) {
        fail(t("label_name_needed"));
        return;
      }
      error.hidden = true;
      if (!send({ type: "label_create", name: value, color: color.value })) {
        fail(t("error_offline"));
        return;
      }
      submit.disabled = true;
      state.pendingLabelCreate = { name: value, color: color.value, then: then, fail: fail };
    });
    box.appendChild(form);
    name.focus();
    placePopover();
  }

  function openBulkAssignMenu(anchor) {
    togglePopover(anchor, function (box) {
      box.appendChild(menuList(t("bulk_assign"), memberItems(null, function (id) { sendBulk("assign", id); }, false)));
    });
  }

  function openBulkLabelMenu(anchor) {
    togglePopover(anchor, function (box) {
      box.appendChild(menuList(t("bulk_label"), state.labels.map(function (l) {
        return { label: str(l.name), icon: swatch(l.color), onSelect: function () { sendBulk("label", [l.id]); } };
      })));
    });
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
    closePopover(false);
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
    closePopover(false);
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
    if (state.openNumber === null || !ui.convName) return;
    var c = state.conversations.get(state.openNumber);
    var th = thread(state.openNumber);
    var name = (th.visitor && th.visitor.name) || visitorName(c);
    ui.convName.textContent = name;
    ui.convNumber.textContent = "#" + state.openNumber;
    var status = c ? c.status : "";
    ui.convStatus.textContent = status ? statusText(c) : "";
    ui.convStatus.className = statusClass(status);
    ui.convStatus.hidden = !status;
    var resolved = status === "resolved";
    var live = !!c && state.connected;
    ui.resolveBtn.textContent = resolved ? t("reopen") : t("resolve");
    ui.resolveBtn.dataset.action = resolved ? "reopen" : "resolve";
    ui.resolveBtn.disabled = !live;
    ui.pendingBtn.hidden = resolved || !c;
    ui.pendingBtn.textContent = status === "open" ? t("mark_pending") : t("mark_open");
    ui.pendingBtn.dataset.status = status === "open" ? "pending" : "open";
    ui.pendingBtn.disabled = !live;
    ui.snoozeBtn.hidden = resolved || !c;
    ui.snoozeBtn.disabled = !live;

    // Assignee picker
    clear(ui.assigneeBtn);
    var assigneeName = c && isId(c.assignee) ? memberName(c.assignee) : "";
    append(ui.assigneeBtn, [
      el("span", { className: "picker-label" }, t("assignee_label")),
      c && isId(c.assignee) ? avatar(assigneeName) : el("span", { className: "avatar is-empty", "aria-hidden": "true" }, "?"),
      el("span", { className: "picker-value" }, c && isId(c.assignee)
        ? (c.assignee === myId() ? assigneeName + " " + t("you_suffix") : assigneeName) : t("unassigned")),
      el("span", { className: "caret", "aria-hidden": "true" }, "\u25be"),
    ]);
    ui.assigneeBtn.disabled = !live;

    // Team picker (only when the workspace has teams, or the conversation still names one)
    clear(ui.teamBtn);
    append(ui.teamBtn, [
      el("span", { className: "picker-label" }, t("team_label")),
      el("span", { className: "picker-value" }, c && isId(c.team) ? teamName(c.team) : t("no_team")),
      el("span", { className: "caret", "aria-hidden": "true" }, "\u25be"),
    ]);
    ui.teamBtn.hidden = !state.teams.length && !(c && isId(c.team));
    ui.teamBtn.disabled = !live;

    // Labels: chips with ×, then "+ Label"
    clear(ui.convLabels);
    (c && Array.isArray(c.labels) ? c.labels : []).forEach(function (id) { ui.convLabels.appendChild(labelChip(id, live)); });
    ui.labelAddBtn.disabled = !live;
    if (popover && popover.anchor && !popover.anchor.isConnected) closePopover(false);
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

  /** What an activity line says ("Ayşe assigned this to Mehmet", "Labels: +VIP −Refund"). */
  function activityText(a) {
    var d = a.data && typeof a.data === "object" ? a.data : {};
    var actor = isId(a.actor) ? memberName(a.actor) : "";
    switch (a.kind) {
      case "assigned":
        if (d.auto || !actor) return t("activity_assigned_auto", { name: memberName(d.assignee) });
        if (a.actor === d.assignee) return t("activity_assigned_self", { actor: actor });
        return t("activity_assigned", { actor: actor, name: memberName(d.assignee) });
      case "unassigned":
        if (!actor) return t("activity_unassigned_auto", { name: memberName(d.previous) });
        return t("activity_unassigned", { actor: actor, name: memberName(d.previous) });
      case "team":
        if (!isId(d.team)) return actor ? t("activity_team_removed", { actor: actor }) : t("activity_team_removed_auto");
        return actor ? t("activity_team", { team: teamName(d.team), actor: actor }) : t("activity_team_auto", { team: teamName(d.team) });
      case "status":
        if (d.status === "open") {
          if (d.by === "visitor") return t("activity_reopened_visitor");
          if (d.by === "snooze") return t("activity_snooze_ended");
          return actor ? t("activity_reopened", { actor: actor }) : t("activity_reopened_auto");
        }
        if (d.status === "pending") return actor ? t("activity_pending", { actor: actor }) : t("activity_pending_auto");
        if (d.status === "snoozed") {
          return actor ? t("activity_snoozed", { when: snoozeWhen(d.until), actor: actor }) : t("activity_snoozed_auto", { when: snoozeWhen(d.until) });
        }
        if (d.status === "resolved") return actor ? t("activity_resolved", { actor: actor }) : t("activity_resolved_auto");
        return t("activity_status", { status: statusLabel(d.status) });
      case "labels": {
        var parts = [];
        (Array.isArray(d.added) ? d.added : []).forEach(function (id) { parts.push("+" + labelName(id)); });
        (Array.isArray(d.removed) ? d.removed : []).forEach(function (id) { parts.push("\u2212" + labelName(id)); });
        return actor ? t("activity_labels", { changes: parts.join(" "), actor: actor }) : t("activity_labels_auto", { changes: parts.join(" ") });
      }
      case "queued":
        return t("activity_queued");
      default:
        return t("activity_other");
    }
  }

  function buildActivity(a) {
    var created = parseTime(a.created_at);
    var node = el("div", { className: "msg msg-center msg-activity activity-" + str(a.kind).replace(/[^a-z_]/g, ""), dataset: { key: "a" + a.id } },
      el("p", { className: "msg-body" }, activityText(a)),
      created ? el("time", { className: "msg-time", datetime: created.toISOString(), title: fullTime(created) }, clockTime(created)) : null);
    return node;
  }

  var mentionPattern = null;
  var mentionPatternVersion = -1;

  /** A regexp of "@Full Name" / "@First" for every member (longest first), or null. */
  function mentionRegExp() {
    if (mentionPatternVersion === state.rosterVersion) return mentionPattern;
    mentionPatternVersion = state.rosterVersion;
    var names = [];
    state.members.forEach(function (m) {
      var full = str(m.name).trim().replace(/\s+/g, " ");
      if (!full) return;
      names.push(full);
      var first = full.split(" ")[0];
      if (first !== full) names.push(first);
    });
    names.sort(function (a, b) { return b.length - a.length; });
    if (!names.length) {
      mentionPattern = null;
      return null;
    }
    var escaped = names.map(function (n) { return n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
    try {
      mentionPattern = new RegExp("(^|[^\\p{L}\\p{N}_@])(@(?:" + escaped.join("|") + "))(?![\\p{L}\\p{N}_])", "giu");
    } catch (e) {
      mentionPattern = null;
    }
    return mentionPattern;
  }

  /** Note text with @mentions of members wrapped in <mark> (text nodes only). */
  function noteBody(text) {
    var p = el("p", { className: "msg-body" });
    var re = mentionRegExp();
    if (!re) {
      p.textContent = text;
      return p;
    }
    re.lastIndex = 0;
    var last = 0, m;
    while ((m = re.exec(text)) !== null) {
      var start = m.index + m[1].length;
      if (start > last) p.appendChild(document.createTextNode(text.slice(last, start)));
      p.appendChild(el("mark", { className: "mention" }, m[2]));
      last = start + m[2].length;
      if (m[0].length === 0) re.lastIndex += 1;
    }
    if (last < text.length) p.appendChild(document.createTextNode(text.slice(last)));
    return p;
  }

  /** A private note: a yellow card with a lock, "Private note", author, time. */
  function buildNote(note, pending) {
    var created = parseTime(note.created_at);
    var author = pending ? (state.me && state.me.name) || t("you") : memberName(note.actor) || t("former_member");
    var card = el("div", {
      className: "msg msg-note" + (pending ? " is-" + note.status : ""),
      dataset: { key: pending ? "n" + note.client_id : "a" + note.id },
      role: "article",
      "aria-label": t("private_note_by", { name: author }),
    },
      el("div", { className: "note-head" },
        el("span", { className: "lock-icon", "aria-hidden": "true" }),
        el("span", { className: "note-kind" }, t("private_note")),
        el("span", { className: "msg-author" }, author),
        created ? el("time", { className: "msg-time", datetime: created.toISOString(), title: fullTime(created) }, clockTime(created)) : null
      ),
      noteBody(str(note.body))
    );
    if (pending && note.status === "sending") card.appendChild(el("div", { className: "msg-mark" }, t("note_saving")));
    if (pending && note.status === "failed") {
      card.appendChild(el("div", { className: "msg-error", role: "alert" },
        el("span", null, note.error || t("error_generic")),
        el("button", { type: "button", className: "small link", onclick: function () { editNote(note.client_id); } }, t("edit"))
      ));
    }
    return card;
  }

  function editNote(cid) {
    var th = thread(state.openNumber);
    var p = th.notes.get(cid);
    if (!p) return;
    th.notes.delete(cid);
    var current = ui.composer.value;
    ui.composer.value = current ? current + "\n" + p.body : p.body;
    setComposerMode("note");
    renderMessages(false);
    ui.composer.focus();
  }

  /**
   * The open thread in display order: stored messages and activities merged by time (each in
   * its own id order), then pending replies and pending notes in the order they were typed.
   */
  function orderedTimeline(th) {
    var messages = Array.from(th.messages.values()).sort(function (a, b) { return a.id - b.id; });
    var activities = Array.from(th.activities.values()).sort(function (a, b) { return a.id - b.id; });
    var out = [];
    var i = 0, j = 0;
    while (i < messages.length || j < activities.length) {
      var takeActivity = j < activities.length &&
        (i >= messages.length || time(activities[j].created_at) < time(messages[i].created_at));
      if (takeActivity) out.push({ kind: "activity", item: activities[j++] });
      else out.push({ kind: "message", item: messages[i++] });
    }
    var pendingItems = [];
    th.pending.forEach(function (p) {
      pendingItems.push({ kind: "message", item: {
        client_id: p.client_id, sender: "operator", body: p.body, created_at: p.created_at,
        author: { name: state.me && state.me.name ? state.me.name : t("you") },
        status: p.status, error: p.error,
      } });
    });
    th.notes.forEach(function (p) {
      if (isId(p.id) && th.activities.has(p.id)) return;
      pendingItems.push({ kind: "pending-note", item: p });
    });
    pendingItems.sort(function (a, b) { return time(a.item.created_at) - time(b.item.created_at); });
    return out.concat(pendingItems);
  }

  function entryKey(entry) {
    if (entry.kind === "activity") return "a" + entry.item.id;
    if (entry.kind === "pending-note") return "n" + entry.item.client_id;
    return messageKey(entry.item);
  }

  function entrySignature(th, entry) {
    var m = entry.item;
    if (entry.kind === "activity") return [m.kind, m.body, JSON.stringify(m.data || {}), m.created_at, state.rosterVersion].join("\u0000");
    if (entry.kind === "pending-note") return [m.body, m.status, m.error, state.rosterVersion].join("\u0000");
    return [m.body, m.status, m.error, m.sender === "operator" ? markFor(th, m) : "", m.created_at].join("\u0000");
  }

  function buildEntry(th, entry) {
    if (entry.kind === "pending-note") return buildNote(entry.item, true);
    if (entry.kind === "activity") return entry.item.kind === "note" ? buildNote(entry.item, false) : buildActivity(entry.item);
    return buildMessage(th, entry.item);
  }

  /**
   * Bring the timeline in line with the thread without rebuilding what is already shown
   * (so the live region only announces what is new). `forceBottom` scrolls to the end.
   */
  function renderMessages(forceBottom, mine) {
    if (state.openNumber === null || !ui.messages) return;
    var th = thread(state.openNumber);
    var box = ui.messagesScroll;
    var nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    var wanted = orderedTimeline(th);
    var keys = new Set(wanted.map(entryKey));
    // Drop elements that no longer belong (e.g. a pending message now stored under its id).
    Array.from(ui.messages.children).forEach(function (child) {
      if (!keys.has(child.dataset.key)) ui.messages.removeChild(child);
    });
    var existingByKey = new Map();
    Array.from(ui.messages.children).forEach(function (child) { existingByKey.set(child.dataset.key, child); });
    var cursor = null;
    wanted.forEach(function (entry) {
      var key = entryKey(entry);
      var existing = existingByKey.get(key);
      var signature = entrySignature(th, entry);
      var node = existing;
      if (!existing || existing.dataset.sig !== signature) {
        node = buildEntry(th, entry);
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
    closeMentions();
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
  // Presence, banner, inline errors
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
    renderSelection();
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

  // ---------------------------------------------------------------------------------------
  // Toasts, alerts, desktop notifications, sound, preferences
  // ---------------------------------------------------------------------------------------
  /** A short message in the corner; `number` adds an "Open" button. */
  function toast(text, opts) {
    opts = opts || {};
    if (!ui.toasts) return null;
    var node = el("div", { className: "toast" + (opts.kind ? " toast-" + opts.kind : ""), role: opts.kind === "error" ? "alert" : null },
      el("div", { className: "toast-body" },
        el("p", { className: "toast-text" }, text),
        opts.detail ? el("p", { className: "toast-detail" }, opts.detail) : null),
      el("div", { className: "toast-actions" },
        typeof opts.number === "number"
          ? el("button", { type: "button", className: "small link", onclick: function () { dismiss(); openConversation(opts.number, { push: true, focus: true }); } }, t("toast_open"))
          : null,
        el("button", { type: "button", className: "toast-close", "aria-label": t("dismiss"), title: t("dismiss"), onclick: function () { dismiss(); } }, "\u00d7"))
    );
    function dismiss() {
      clearTimeout(timer);
      if (node.parentNode) node.parentNode.removeChild(node);
    }
    var timer;
    function later() {
      timer = setTimeout(function () {
        // Not while the operator is reading or using it.
        if (node.matches(":hover") || node.contains(document.activeElement)) later();
        else dismiss();
      }, TOAST_MS);
    }
    later();
    ui.toasts.appendChild(node);
    while (ui.toasts.children.length > 4) ui.toasts.removeChild(ui.toasts.firstChild);
    return node;
  }

  function onAlert(f) {
    var number = f.conversation;
    if (typeof number !== "number") return;
    var by = isId(f.by) ? memberName(f.by) : "";
    var text, kind;
    if (f.kind === "mention") {
      kind = "mention";
      text = by ? t("alert_mention", { name: by, number: number }) : t("alert_mention_anon", { number: number });
    } else if (f.kind === "assigned") {
      kind = "mine";
      text = by ? t("alert_assigned", { name: by, number: number }) : t("alert_assigned_auto", { number: number });
    } else if (f.kind === "snooze_ended") {
      kind = "mine";
      text = t("alert_snooze_ended", { number: number });
    } else {
      return;
    }
    var preview = str(f.preview);
    toast(text, { detail: preview, number: number, kind: f.kind === "mention" ? "mention" : null });
    notify(kind, text, preview, number);
  }

  function onPrefs(f) {
    if (state.me && f.notify && typeof f.notify === "object") state.me.notify = f.notify;
    renderPrefsPopover();
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

  function prefFor(kind) {
    var all = state.me && state.me.notify && typeof state.me.notify === "object" ? state.me.notify : {};
    var p = all[kind] && typeof all[kind] === "object" ? all[kind] : {};
    return { desktop: p.desktop !== false, sound: p.sound !== false };
  }

  /**
   * Sound and desktop notification for `kind` (new_conversation | mine | mention), as this
   * operator chose, once notifications are on in this browser. One per conversation per few
   * seconds (a new chat that is also assigned to me beeps once).
   */
  function notify(kind, title, body, number) {
    if (!notificationsWanted()) return;
    var last = state.notified.get(number);
    if (last && Date.now() - last < NOTIFY_DEDUPE_MS) return;
    var pref = prefFor(kind);
    if (!pref.sound && !pref.desktop) return;
    state.notified.set(number, Date.now());
    if (pref.sound) beep();
    if (!pref.desktop || !("Notification" in window) || Notification.permission !== "granted") return;
    try {
      var n = new Notification(title, { body: body, tag: "sohbet-" + kind + "-" + number });
      n.onclick = function () {
        window.focus();
        openConversation(number, { push: true, focus: true });
        n.close();
      };
    } catch (e) { /* some browsers only allow notifications from a service worker */ }
  }

  function notifyNewConversation(c) {
    notify("new_conversation", t("notification_title"), visitorName(c) + (c.preview ? ": " + str(c.preview) : ""), c.number);
  }

  function renderNotifyButton() {
    var wanted = notificationsWanted();
    var supported = "Notification" in window;
    var denied = supported && Notification.permission === "denied";
    ui.notifyBtn.setAttribute("aria-pressed", String(wanted && !denied));
    ui.notifyBtn.textContent = denied ? t("notifications_blocked") : wanted ? t("notifications_on") : t("notifications_enable");
    ui.notifyBtn.title = wanted ? t("notifications_settings") : "";
  }

  function setNotificationsWanted(on) {
    try { localStorage.setItem(STORAGE_NOTIFY, on ? "on" : "off"); } catch (e) { /* private mode */ }
    renderNotifyButton();
    renderPrefsPopover();
  }

  function askPermission() {
    if ("Notification" in window && Notification.permission === "default") {
      Promise.resolve(Notification.requestPermission()).then(function () {
        renderNotifyButton();
        renderPrefsPopover();
      }, renderNotifyButton);
    }
  }

  /** The notifications button: the first click turns them on; then it opens the preferences. */
  function onNotifyButton() {
    if (!notificationsWanted()) {
      unlockAudio();
      setNotificationsWanted(true);
      askPermission();
      if (!popover || popover.anchor !== ui.notifyBtn) openPrefsPopover();
      return;
    }
    togglePopover(ui.notifyBtn, buildPrefs, { role: "dialog", label: t("prefs_title"), className: "popover-prefs" });
  }

  function openPrefsPopover() {
    openPopover(ui.notifyBtn, buildPrefs, { role: "dialog", label: t("prefs_title"), className: "popover-prefs" });
  }

  function renderPrefsPopover() {
    if (!popover || popover.anchor !== ui.notifyBtn) return;
    var box = popover.box;
    var focusedId = document.activeElement && box.contains(document.activeElement) ? document.activeElement.id : null;
    clear(box);
    buildPrefs(box);
    if (focusedId && $(focusedId)) $(focusedId).focus();
  }

  function buildPrefs(box) {
    var wanted = notificationsWanted();
    var supported = "Notification" in window;
    var permission = supported ? Notification.permission : "unsupported";
    box.appendChild(el("h3", { className: "popover-title" }, t("prefs_title")));
    if (!wanted) {
      box.appendChild(el("p", { className: "muted small-text" }, t("prefs_off_here")));
    } else if (permission === "default") {
      box.appendChild(el("p", { className: "small-text" }, t("prefs_permission_needed"), " ",
        el("button", { type: "button", className: "small link", id: "inbox-prefs-allow", onclick: askPermission }, t("prefs_allow"))));
    } else if (permission === "denied") {
      box.appendChild(el("p", { className: "small-text warning-text" }, t("notifications_blocked")));
    } else if (permission === "unsupported") {
      box.appendChild(el("p", { className: "small-text muted" }, t("prefs_unsupported")));
    }
    var kinds = [
      ["new_conversation", t("prefs_new_conversation")],
      ["mine", t("prefs_mine")],
      ["mention", t("prefs_mention")],
    ];
    var table = el("table", { className: "prefs-table" },
      el("thead", null, el("tr", null,
        el("th", { scope: "col" }, el("span", { className: "visually-hidden" }, t("prefs_event"))),
        el("th", { scope: "col" }, t("prefs_desktop")),
        el("th", { scope: "col" }, t("prefs_sound")))));
    var tbody = el("tbody");
    kinds.forEach(function (k) {
      var pref = prefFor(k[0]);
      var tr = el("tr", null, el("th", { scope: "row" }, k[1]));
      ["desktop", "sound"].forEach(function (channel) {
        var box2 = el("input", {
          type: "checkbox", id: "inbox-pref-" + k[0] + "-" + channel,
          "aria-label": (channel === "desktop" ? t("prefs_desktop") : t("prefs_sound")) + ": " + k[1],
          disabled: !state.connected || null,
        });
        box2.checked = pref[channel];
        box2.addEventListener("change", function () {
          var change = {};
          change[k[0]] = {};
          change[k[0]][channel] = box2.checked;
          if (send({ type: "prefs", notify: change })) {
            if (state.me) {
              state.me.notify = Object.assign({}, state.me.notify || {});
              state.me.notify[k[0]] = Object.assign({}, prefFor(k[0]));
              state.me.notify[k[0]][channel] = box2.checked;
            }
          } else {
            box2.checked = !box2.checked;
          }
        });
        tr.appendChild(el("td", null, box2));
      });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    box.appendChild(table);
    box.appendChild(el("p", { className: "help small-text" }, t("prefs_help")));
    box.appendChild(el("div", { className: "popover-actions" },
      el("button", {
        type: "button", className: "small secondary", id: "inbox-prefs-toggle",
        onclick: function () {
          if (!notificationsWanted()) {
            unlockAudio();
            askPermission();
          }
          setNotificationsWanted(!notificationsWanted());
        },
      }, wanted ? t("notifications_turn_off_here") : t("notifications_turn_on_here")),
      el("button", { type: "button", className: "small", onclick: function () { closePopover(true); } }, t("close"))));
  }

  // ---------------------------------------------------------------------------------------
  // Composer: reply or private note, @mentions
  // ---------------------------------------------------------------------------------------
  var lastTypingSent = 0;
  var typingActive = false;
  var typingIdleTimer = null;

  function sendTyping(number, typing) {
    if (number === null) return;
    if (typing) {
      if (state.composerMode === "note") return; // a note is not something the visitor awaits
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
    closeMentions();
    if (state.composerMode === "note") {
      if (!sendNote(state.openNumber, body)) {
        showInlineError(t("note_offline"));
        return; // the draft stays in the composer
      }
    } else {
      sendTyping(state.openNumber, false);
      sendMessage(state.openNumber, body);
    }
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
    var note = state.composerMode === "note";
    ui.composerHint.textContent = !state.connected
      ? (state.stopped ? "" : note ? t("note_offline_hint") : t("composer_offline_hint"))
      : note ? t("note_hint") : t("composer_hint");
    ui.composer.disabled = state.stopped;
    ui.sendBtn.disabled = state.stopped;
  }

  function setComposerMode(mode) {
    mode = mode === "note" ? "note" : "reply";
    if (mode === "note" && state.openNumber !== null) sendTyping(state.openNumber, false);
    state.composerMode = mode;
    var note = mode === "note";
    ui.form.classList.toggle("is-note", note);
    ui.modeReply.setAttribute("aria-checked", String(!note));
    ui.modeNote.setAttribute("aria-checked", String(note));
    ui.modeReply.tabIndex = note ? -1 : 0;
    ui.modeNote.tabIndex = note ? 0 : -1;
    ui.composerLabel.textContent = note ? t("note_label") : t("reply_label");
    ui.composer.placeholder = note ? t("note_placeholder") : t("reply_placeholder");
    ui.sendBtn.textContent = note ? t("add_note") : t("send");
    if (!note) closeMentions();
    var box = ui.messagesScroll;
    var atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    updateComposerState();
    if (atBottom) box.scrollTop = box.scrollHeight; // the hint may have grown the composer
  }

  var mentionState = { open: false, items: [], active: 0, start: 0 };

  /** "@que" right before the caret (at a word start): {start, query}, else null. */
  function mentionQuery() {
    var c = ui.composer;
    var pos = c.selectionStart;
    if (pos !== c.selectionEnd) return null;
    var m = /(^|[\s(])@([^\s@]{0,30})$/.exec(c.value.slice(0, pos));
    return m ? { start: pos - m[2].length - 1, query: m[2] } : null;
  }

  function updateMentions() {
    if (state.composerMode !== "note") return closeMentions();
    var q = mentionQuery();
    if (!q) return closeMentions();
    var needle = q.query.toLocaleLowerCase(LANG);
    var me = myId();
    var found = state.members.filter(function (m) {
      if (m.id === me || !str(m.name)) return false;
      if (!needle) return true;
      var name = str(m.name).toLocaleLowerCase(LANG);
      return name.split(/\s+/).some(function (w) { return w.indexOf(needle) === 0; }) || name.indexOf(needle) === 0;
    }).slice(0, 8);
    if (!found.length) return closeMentions();
    var keep = mentionState.open && mentionState.items[mentionState.active];
    mentionState = { open: true, items: found, active: 0, start: q.start };
    if (keep) {
      var again = found.indexOf(keep);
      if (again >= 0) mentionState.active = again;
    }
    renderMentions();
  }

  function renderMentions() {
    var list = ui.mentions;
    clear(list);
    mentionState.items.forEach(function (m, i) {
      var option = el("li", {
        role: "option", id: "inbox-mention-" + m.id, className: "mention-option" + (i === mentionState.active ? " is-active" : ""),
        "aria-selected": String(i === mentionState.active),
      }, onlineDot(m), avatar(m.name), el("span", null, str(m.name)));
      option.addEventListener("mousedown", function (e) {
        e.preventDefault(); // keep the caret in the composer
        chooseMention(m);
      });
      list.appendChild(option);
    });
    list.hidden = false;
    ui.composer.setAttribute("aria-expanded", "true");
    var active = mentionState.items[mentionState.active];
    ui.composer.setAttribute("aria-activedescendant", active ? "inbox-mention-" + active.id : "");
  }

  function closeMentions() {
    if (!ui.mentions) return;
    mentionState.open = false;
    ui.mentions.hidden = true;
    clear(ui.mentions);
    ui.composer.setAttribute("aria-expanded", "false");
    ui.composer.removeAttribute("aria-activedescendant");
  }

  function chooseMention(member) {
    var c = ui.composer;
    var caret = c.selectionStart;
    var text = "@" + str(member.name).trim().replace(/\s+/g, " ") + " ";
    c.value = c.value.slice(0, mentionState.start) + text + c.value.slice(caret);
    var pos = mentionState.start + text.length;
    c.setSelectionRange(pos, pos);
    c.focus();
    closeMentions();
    autoGrow();
  }

  /** Keys while the @mention list is open; true when the key was used. */
  function mentionKeys(e) {
    if (!mentionState.open) return false;
    var n = mentionState.items.length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      mentionState.active = (mentionState.active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
      renderMentions();
      return true;
    }
    if (e.key === "Enter" || e.key === "Tab") {
      chooseMention(mentionState.items[mentionState.active]);
      return true;
    }
    if (e.key === "Escape") {
      closeMentions();
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------
  // Keyboard shortcuts and their help overlay
  // ---------------------------------------------------------------------------------------
  function isTypingTarget(node) {
    if (!node || node === document.body) return false;
    if (node.isContentEditable) return true;
    var tag = node.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag === "INPUT") {
      var type = (node.getAttribute("type") || "text").toLowerCase();
      return ["checkbox", "radio", "button", "submit", "reset", "color", "range"].indexOf(type) < 0;
    }
    return false;
  }

  function listButtons() {
    return Array.from(ui.list.querySelectorAll("button.conv"));
  }

  /** j/k: move the focus to the next/previous conversation in the list (Enter opens it). */
  function moveInList(delta) {
    var rows = listButtons();
    if (!rows.length) return;
    if (ui.root.dataset.view !== "list" && window.matchMedia("(max-width: 700px)").matches) setMobileView("list");
    var current = rows.indexOf(document.activeElement);
    if (current < 0 && document.activeElement && document.activeElement.dataset && document.activeElement.dataset.select) {
      current = rows.findIndex(function (b) { return b.dataset.number === document.activeElement.dataset.select; });
    }
    if (current < 0 && state.openNumber !== null) {
      current = rows.findIndex(function (b) { return Number(b.dataset.number) === state.openNumber; });
    }
    var next = current < 0 ? (delta > 0 ? 0 : rows.length - 1) : Math.max(0, Math.min(rows.length - 1, current + delta));
    rows[next].focus();
    rows[next].scrollIntoView({ block: "nearest" });
  }

  function shortcutList() {
    var list = [
      [["j", "\u2193"], t("shortcut_next")],
      [["k", "\u2191"], t("shortcut_previous")],
      [["Enter"], t("shortcut_open")],
      [["r"], t("shortcut_reply")],
      [["n"], t("shortcut_note")],
      [["Ctrl", "Alt", "N"], t("shortcut_toggle_note")],
      [["e"], t("shortcut_resolve")],
      [["s"], t("shortcut_snooze")],
      [["a"], t("shortcut_assign_me")],
      [["l"], t("shortcut_labels")],
    ];
    if (window.SohbetSearch) list.push([["/"], t("shortcut_search")]);
    list.push([["?"], t("shortcut_help")]);
    list.push([["Esc"], t("shortcut_close")]);
    return list;
  }

  var helpReturnFocus = null;

  function openHelp() {
    closePopover(false);
    helpReturnFocus = document.activeElement;
    var body = ui.helpBody;
    clear(body);
    var dl = el("dl", { className: "shortcuts" });
    shortcutList().forEach(function (s) {
      var keys = el("dt", null);
      s[0].forEach(function (k, i) {
        if (i > 0) keys.appendChild(document.createTextNode(s[0].length === 2 && s[0][0].length === 1 ? " / " : " + "));
        keys.appendChild(el("kbd", null, k));
      });
      dl.appendChild(keys);
      dl.appendChild(el("dd", null, s[1]));
    });
    body.appendChild(dl);
    ui.help.hidden = false;
    ui.helpClose.focus();
  }

  function closeHelp() {
    if (ui.help.hidden) return;
    ui.help.hidden = true;
    if (helpReturnFocus && helpReturnFocus.isConnected) helpReturnFocus.focus();
    helpReturnFocus = null;
  }

  function focusComposer(mode) {
    if (state.openNumber === null) return;
    setMobileView("conversation");
    setComposerMode(mode);
    ui.composer.focus();
  }

  function onGlobalKey(e) {
    if (e.defaultPrevented || e.isComposing) return;
    if (e.key === "Escape") {
      if (!ui.help.hidden) { e.preventDefault(); closeHelp(); return; }
      if (popover) { e.preventDefault(); closePopover(true); return; }
      return;
    }
    if (!ui.help.hidden) {
      if (e.key === "Tab") { e.preventDefault(); ui.helpClose.focus(); } // the dialog's only control
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (isTypingTarget(e.target)) return;
    if (popover && popover.box.contains(e.target)) return;
    var inList = ui.list.contains(e.target);
    var onPage = e.target === document.body || e.target === document.documentElement;
    var open = state.openNumber;
    var c = open !== null ? state.conversations.get(open) : null;
    var handled = true;
    switch (e.key) {
      case "?": openHelp(); break;
      case "j": moveInList(1); break;
      case "k": moveInList(-1); break;
      case "ArrowDown": if (inList || onPage) moveInList(1); else handled = false; break;
      case "ArrowUp": if (inList || onPage) moveInList(-1); else handled = false; break;
      case "r": if (open !== null) focusComposer("reply"); else handled = false; break;
      case "n": if (open !== null) focusComposer("note"); else handled = false; break;
      case "e":
        if (c && c.status !== "resolved") setStatus(open, "resolved");
        else handled = false;
        break;
      case "s":
        if (c && c.status !== "resolved" && !ui.snoozeBtn.disabled) { setMobileView("conversation"); openSnoozeMenu(ui.snoozeBtn); } else handled = false;
        break;
      case "a":
        if (c && c.assignee !== myId()) assign(open, { assignee: myId() });
        else handled = false;
        break;
      case "l":
        if (c && !ui.labelAddBtn.disabled) { setMobileView("conversation"); openLabelMenu(ui.labelAddBtn); } else handled = false;
        break;
      case "/":
        if (window.SohbetSearch && typeof window.SohbetSearch.focus === "function") window.SohbetSearch.focus();
        else handled = false;
        break;
      default: handled = false;
    }
    if (handled) e.preventDefault();
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
    // The end of the list (inside its scrolling box): scrolled into sight, it brings the next
    // page; it is also a button, for keyboards and for browsers without the observer.
    ui.listMore = el("button", { type: "button", id: "inbox-list-more", className: "small secondary" }, t("show_more"));
    ui.listMoreItem = el("li", { className: "list-more" }, ui.listMore);
    ui.listMore.addEventListener("click", loadMore);
    if (typeof IntersectionObserver === "function") {
      new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) loadMore();
      }).observe(ui.listMoreItem);
    }
    ui.assigneeTabs = $("inbox-assignee-tabs");
    ui.counts = {};
    ASSIGNEE_FILTERS.forEach(function (name) { ui.counts[name] = $("inbox-count-" + name); });
    ui.statusFilter = $("inbox-filter-status");
    ui.labelFilter = $("inbox-filter-label");
    ui.sortFilter = $("inbox-filter-sort");
    ui.selectAll = $("inbox-select-all");
    ui.bulk = $("inbox-bulk");
    ui.bulkCount = $("inbox-bulk-count");
    ui.bulkResolve = $("inbox-bulk-resolve");
    ui.bulkAssign = $("inbox-bulk-assign");
    ui.bulkLabel = $("inbox-bulk-label");
    ui.bulkClear = $("inbox-bulk-clear");
    ui.bulkError = $("inbox-bulk-error");
    ui.placeholder = $("inbox-placeholder");
    ui.notFound = $("inbox-not-found");
    ui.conversation = $("inbox-conversation");
    ui.convName = $("inbox-conv-name");
    ui.convNumber = $("inbox-conv-number");
    ui.convStatus = $("inbox-conv-status");
    ui.resolveBtn = $("inbox-resolve");
    ui.pendingBtn = $("inbox-pending");
    ui.snoozeBtn = $("inbox-snooze");
    ui.assigneeBtn = $("inbox-assignee");
    ui.teamBtn = $("inbox-team-picker");
    ui.convLabels = $("inbox-conv-labels");
    ui.labelAddBtn = $("inbox-label-add");
    ui.messagesScroll = $("inbox-messages-scroll");
    ui.messages = $("inbox-messages");
    ui.messagesEmpty = $("inbox-messages-empty");
    ui.messagesLoading = $("inbox-messages-loading");
    ui.typing = $("inbox-typing");
    ui.form = $("inbox-composer");
    ui.composer = $("inbox-composer-text");
    ui.composerLabel = $("inbox-composer-label");
    ui.composerHint = $("inbox-composer-hint");
    ui.modeReply = $("inbox-mode-reply");
    ui.modeNote = $("inbox-mode-note");
    ui.mentions = $("inbox-mentions");
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
    ui.toasts = $("inbox-toasts");
    ui.help = $("inbox-help");
    ui.helpBody = $("inbox-help-body");
    ui.helpClose = $("inbox-help-close");

    loadFilters();

    // List pane: filters, selection, bulk actions
    var tabs = Array.from(ui.assigneeTabs.querySelectorAll("[data-assignee]"));
    tabs.forEach(function (tab) {
      tab.addEventListener("click", function () { setFilter("assignee", tab.dataset.assignee); });
      tab.addEventListener("keydown", function (e) {
        if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
        e.preventDefault();
        var shown = tabs.filter(function (x) { return !x.hidden; });
        var i = shown.indexOf(tab);
        var next = shown[(i + (e.key === "ArrowRight" ? 1 : shown.length - 1)) % shown.length];
        next.focus();
        next.click();
      });
    });
    ui.statusFilter.addEventListener("change", function () { setFilter("status", ui.statusFilter.value); });
    ui.labelFilter.addEventListener("change", function () {
      setFilter("label", ui.labelFilter.value ? Number(ui.labelFilter.value) : null);
    });
    ui.sortFilter.addEventListener("change", function () { setFilter("sort", ui.sortFilter.value); });
    ui.selectAll.addEventListener("change", function () { selectAll(ui.selectAll.checked); });
    ui.bulkResolve.addEventListener("click", function () { sendBulk("resolve", null); });
    ui.bulkAssign.addEventListener("click", function () { openBulkAssignMenu(ui.bulkAssign); });
    ui.bulkLabel.addEventListener("click", function () { openBulkLabelMenu(ui.bulkLabel); });
    ui.bulkClear.addEventListener("click", function () {
      state.selected.clear();
      renderList();
      ui.selectAll.focus();
    });

    // Conversation header
    ui.resolveBtn.addEventListener("click", function () {
      if (state.openNumber === null) return;
      var status = ui.resolveBtn.dataset.action === "reopen" ? "open" : "resolved";
      if (setStatus(state.openNumber, status)) {
        ui.resolveBtn.disabled = true;
        setTimeout(renderConversationHeader, 5000);
      }
    });
    ui.pendingBtn.addEventListener("click", function () {
      if (setStatus(state.openNumber, ui.pendingBtn.dataset.status === "pending" ? "pending" : "open")) {
        ui.pendingBtn.disabled = true;
        setTimeout(renderConversationHeader, 5000);
      }
    });
    ui.snoozeBtn.addEventListener("click", function () { openSnoozeMenu(ui.snoozeBtn); });
    ui.assigneeBtn.addEventListener("click", function () { openAssigneeMenu(ui.assigneeBtn); });
    ui.teamBtn.addEventListener("click", function () { openTeamMenu(ui.teamBtn); });
    ui.labelAddBtn.addEventListener("click", function () { openLabelMenu(ui.labelAddBtn); });

    // Composer
    ui.form.addEventListener("submit", function (e) {
      e.preventDefault();
      submitComposer();
      ui.composer.focus();
    });
    ui.composer.addEventListener("keydown", function (e) {
      if (e.defaultPrevented) return; // another script's picker (canned responses) used the key
      if ((e.ctrlKey || e.metaKey) && e.altKey && e.code === "KeyN") {
        e.preventDefault();
        setComposerMode(state.composerMode === "note" ? "reply" : "note");
        return;
      }
      if (mentionKeys(e)) {
        e.preventDefault();
        e.stopPropagation();
        return;
      }
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        submitComposer();
      }
    });
    ui.composer.addEventListener("input", function () {
      autoGrow();
      updateMentions();
      if (state.openNumber !== null) sendTyping(state.openNumber, ui.composer.value.trim() !== "");
    });
    ui.composer.addEventListener("click", updateMentions);
    ui.composer.addEventListener("blur", function () {
      sendTyping(state.openNumber, false);
      setTimeout(function () { if (document.activeElement !== ui.composer) closeMentions(); }, 150);
    });
    [ui.modeReply, ui.modeNote].forEach(function (b) {
      b.addEventListener("click", function () {
        setComposerMode(b === ui.modeNote ? "note" : "reply");
        ui.composer.focus();
      });
      b.addEventListener("keydown", function (e) {
        if (["ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown"].indexOf(e.key) < 0) return;
        e.preventDefault();
        var note = state.composerMode !== "note";
        setComposerMode(note ? "note" : "reply");
        (note ? ui.modeNote : ui.modeReply).focus();
      });
    });

    ui.presenceOnline.addEventListener("click", function () { setPresence("online"); });
    ui.presenceAway.addEventListener("click", function () { setPresence("away"); });
    ui.bannerRetry.addEventListener("click", function () { attempt = 0; reconnectNow(); });
    ui.notifyBtn.addEventListener("click", onNotifyButton);
    ui.helpClose.addEventListener("click", closeHelp);
    ui.help.addEventListener("click", function (e) { if (e.target === ui.help) closeHelp(); });
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

    document.addEventListener("keydown", onGlobalKey);
    document.addEventListener("pointerdown", function (e) {
      if (popover && !popover.box.contains(e.target) && !(popover.anchor && popover.anchor.contains(e.target))) closePopover(false);
    }, true);
    window.addEventListener("popstate", onPopState);
    window.addEventListener("resize", function () {
      fitHeight();
      placePopover();
    });
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
    setComposerMode("reply");
    renderFilters();
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
    /** The other modules' page data: readJSON("canned-config"), strings("search-strings"). */
    readJSON: function (id) { return readJSON(id, {}) || {}; },
    /** Small helpers for the other modules: text of a value, a safe http(s) href or null, and
     * emptying a node. */
    str: str,
    safeHttpUrl: safeHttpUrl,
    clear: clear,
    strings: function (id) { return translator(readJSON(id, {}) || {}); },
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
    /** Workspace members [{id, name, role, capacity, teams, online}], teams, labels. */
    members: function () { return state.members.slice(); },
    teams: function () { return state.teams.slice(); },
    labels: function () { return state.labels.slice(); },
    /** "reply" or "note": what Enter in the composer sends. */
    composerMode: function () { return state.composerMode; },
    setComposerMode: function (mode) { setComposerMode(mode); },
    /** A short message in the corner of the inbox. */
    toast: function (text) { toast(str(text)); },
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

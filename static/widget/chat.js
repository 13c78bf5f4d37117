/*! Sohbet chat window: the widget iframe (?embed=1) and the hosted chat page.
 * Speaks docs/widget-protocol.md over the visitor WebSocket; talks to the loader on the host
 * page with postMessage {sohbet: 1, type, data}. Every visitor/operator text is rendered with
 * text nodes only; the only markup we build is links for http(s) URLs, via DOM APIs.
 */
import { botChoices, botLearning, botName, botParts, botPressed, welcomeFlows } from './bot.js';
import { cards } from './cards.js';
import {
  $, avatar, brand, chars, durationText, el, fillText, fmt, local, readJSON, session, uuid, when, whenText,
} from './dom.js';

// UI strings. The view passes these keys, translated, as {{ strings|json_script:"sohbet-strings" }}
// (see templates/widget/STRINGS.md); the English here is only a fallback for a missing key.
const STRINGS = {
  online: 'Online',
  away: 'Away. Leave a message and we will reply here.',
  closed_until: 'We are closed now and back {when}. Leave a message and we will reply.',
  closed: 'We are closed now. Leave a message and we will reply.',
  away_reply: 'Away. We usually reply within {duration}.',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  unavailable: 'Chat is not available right now.',
  close: 'Close chat',
  send: 'Send',
  message_label: 'Message',
  placeholder: 'Type your message…',
  log_label: 'Conversation',
  you: 'You',
  sending: 'Sending…',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  typing: '{name} is typing…',
  too_long: '{count} characters over the limit',
  rate_limited: 'You are sending messages too fast. Please wait a moment.',
  error: 'Something went wrong. Please try again.',
  bot_label: 'Automated',
  bot_helpful: 'That answered it',
  bot_person: 'Talk to a person',
  bot_thanks: 'Thanks for letting us know.',
  bot_from: 'From: {question}',
  bot_learning: 'Let this chat help improve the automated answers.',
  resolved: 'This conversation was closed. Send a message to start a new one.',
  queue: 'You are number {position} in line. An operator will be with you shortly.',
  typing_preview_note: 'Our team may see your message as you type it, before you send it.',
  form_title: 'Before we start',
  form_intro: 'Tell us a little about you, so that we can help.',
  form_away_title: 'Get the reply by email',
  form_away_intro: 'Leave your email address and we will reply there if you have left.',
  form_start: 'Start the chat',
  form_save: 'Email me the reply',
  form_thanks: 'Thanks! If you leave, we will reply by email.',
  field_name: 'Name',
  field_email: 'Email',
  field_phone: 'Phone',
  optional: '(optional)',
  privacy: 'Privacy notice',
  rating_ask: 'How was this conversation?',
  rating_star: '{n} of 5',
  rating_up: 'Good',
  rating_down: 'Bad',
  rating_comment: 'Anything to add? (optional)',
  rating_send: 'Send feedback',
  rating_thanks: 'Thank you for your feedback!',
  transcript_ask: 'Email me this conversation',
  transcript_title: 'Email this conversation',
  transcript_sent: 'We sent this conversation to {address}.',
};

const W = readJSON('sohbet-widget');
const T = Object.assign({}, STRINGS, readJSON('sohbet-strings'));
const K_BOT = `sohbet:${W.key}:bot`; // the bot's answers whose buttons it pressed
const EMBED = document.body.dataset.embed === '1';

const K_TOKEN = `sohbet:vt:${W.key}`; // the hosted page's token (Sohbet's origin)
const K_CACHE = `sohbet:${W.key}:cache`; // {token, messages}: what this tab has shown
const K_OUTBOX = `sohbet:${W.key}:outbox`; // typed, not yet acknowledged

// --- where we are: token and parent origin from the fragment the loader wrote -------------
const frag = new URLSearchParams(location.hash.slice(1));
let token = frag.get('vt') || local.get(K_TOKEN) || null;
// The loader tells us its origin; the browser's own answer wins where there is one.
const ancestors = location.ancestorOrigins;
const parentOrigin = EMBED && window.parent !== window
  ? (ancestors && ancestors.length ? ancestors[0] : frag.get('o')) : null;
if (location.hash) history.replaceState(null, '', location.pathname + location.search);

const toParent = (type, data) => {
  if (parentOrigin && parentOrigin !== 'null') {
    window.parent.postMessage({ sohbet: 1, type, data }, parentOrigin);
  }
};

// --- elements --------------------------------------------------------------------------------
const log = $('log');
const input = $('input');
const sendBtn = $('send');
const form = $('composer');
const notice = $('notice');
const count = $('count');
const typingEl = $('typing');
const banner = $('banner');
const queueEl = $('queue');

// --- state -----------------------------------------------------------------------------------
let ws = null;
let ready = false; // hello answered on the current socket
let everReady = false;
let fatal = false;
let attempt = 0;
let retryTimer = 0;
let pingTimer = 0;
let missed = 0;
let isOpen = !EMBED; // the iframe starts hidden until the loader says "open"
let unread = 0;
let maxLen = 5000;
let lastId = 0; // highest message id received from the server (sent as last_id)
let lastOther = 0; // highest id of a message from the other side (for receipts)
let newest = 0; // highest id this window holds, its own acknowledged messages included
let resumeFrom = null; // the last_id the latest hello sent
const seqs = new Map(); // conversation id -> highest seq held (messages are 1, 2, 3… in each)
let resuming = false; // a resume is on its way

// A message numbered beyond the next one of its conversation means one was missed (its
// doorbell was lost): ask for everything after lastId, which then stays where it is.
const gapAt = (conversation, seq) => {
  if (typeof seq !== 'number' || !conversation) return false;
  const had = seqs.get(conversation) || 0;
  if (seq > had) seqs.set(conversation, seq);
  return had > 0 && seq > had + 1;
};
const resume = () => {
  if (resuming) return;
  resuming = true;
  send({ type: 'resume', last_id: lastId });
};
let sentDelivered = 0;
let sentRead = 0;
const receiptUpTo = { delivered: 0, read: 0 };
const rows = new Map(); // "id:812" / "cid:6b0e…" -> row element
const cache = new Map(); // id -> message, for the tab's cache
const waiting = {}; // identify / attributes / page frames waiting for "ready"
let outbox = session.get(K_OUTBOX) || [];

const send = (frame) => {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
};
const visible = () => isOpen && document.visibilityState === 'visible';

// --- header ----------------------------------------------------------------------------------
const setTeam = (team) => {
  const name = team.name || W.display_name || W.workspace || '';
  $('name').textContent = name;
  const av = $('avatar');
  av.textContent = '';
  avatar(name, team.avatar_url, av);
  $('status').textContent = team.online ? T.online : awayText(W.hours);
  document.body.classList.toggle('online', !!team.online);
  toParent('team', { online: !!team.online });
};
let team = { online: W.team_online, name: W.display_name, avatar_url: W.avatar_url };

// --- business hours: what "nobody is online" means right now ------------------------------------
// W.hours (docs/widget-protocol.md): {state: "always" | "open" | "closed", next_open, closes_at,
// reply_minutes}. Times are shown in the visitor's own time zone and language.
const awayText = (hours) => {
  if (!hours || hours.state === 'always' || hours.state === 'open') {
    return hours && hours.reply_minutes > 0 ? fmt(T.away_reply, { duration: durationText(hours.reply_minutes) }) : T.away;
  }
  const when = hours.next_open ? whenText(hours.next_open) : '';
  return when ? fmt(T.closed_until, { when: when }) : T.closed;
};
// The hours open or close while the window is open: read them again then.
const hoursChange = () => {
  const h = W.hours || {};
  const next = Date.parse(h.state === 'closed' ? h.next_open : h.closes_at);
  if (!next || !W.config_url) return;
  setTimeout(() => {
    fetch(W.config_url, { credentials: 'omit' }).then((r) => r.json()).then((config) => {
      W.hours = config.hours;
      setTeam(team);
      hoursChange();
    }).catch(() => {});
  }, Math.min(Math.max(next - Date.now(), 0) + 1000, 2147483000));
};
hoursChange();

brand(W.color);

// --- banner and notices ----------------------------------------------------------------------
let bannerTimer = 0;
const showBanner = (text, now) => {
  clearTimeout(bannerTimer);
  if (!text) { banner.hidden = true; return; }
  // A quick connect should not flash the banner; a lost connection shows at once.
  bannerTimer = setTimeout(() => { banner.textContent = text; banner.hidden = false; }, now ? 0 : 400);
};
let noticeTimer = 0;
const showNotice = (text) => {
  notice.textContent = text;
  notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { notice.hidden = true; }, 8000);
};

// --- place in the queue (when every operator is busy) ---------------------------------------
const setQueue = (position) => {
  if (!queueEl) return;
  const on = typeof position === 'number' && position > 0;
  queueEl.textContent = on ? fmt(T.queue, { position }) : '';
  queueEl.hidden = !on;
};

// --- the message list ------------------------------------------------------------------------
// Rows are kept sorted by data-sort: the welcome 0, messages their id, notices just after
// the message they follow, messages not yet stored Infinity (at the end, in typing order).
const place = (row) => {
  const sort = Number(row.dataset.sort);
  let before = null;
  for (let r = log.lastElementChild; r && Number(r.dataset.sort) > sort; r = r.previousElementSibling) before = r;
  log.insertBefore(row, before);
  group(row);
  if (row.nextElementSibling) group(row.nextElementSibling);
};

// Consecutive messages from the same author share one name and avatar.
const group = (row) => {
  const prev = row.previousElementSibling;
  row.classList.toggle('cont', !!prev && prev.dataset.who === row.dataset.who && row.dataset.who !== 'sys');
};

const nearBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < 80;
const toBottom = () => { log.scrollTop = log.scrollHeight; };
// The log keeps to its end when the space around it changes (a card opens above the composer,
// the composer grows, a banner shows) if it was at its end. A scroll event that comes after
// such a change but before the observer tells nothing about where the reader was.
let atEnd = true;
let seenHeight = log.clientHeight;
log.addEventListener('scroll', () => {
  if (log.clientHeight === seenHeight) atEnd = nearBottom();
}, { passive: true });
if (window.ResizeObserver) {
  new ResizeObserver(() => { seenHeight = log.clientHeight; if (atEnd) toBottom(); }).observe(log);
}

const statusOf = (row) => {
  const id = Number(row.dataset.id);
  if (!id) return T.sending;
  if (id <= receiptUpTo.read || row.dataset.state === 'read') return T.read;
  if (id <= receiptUpTo.delivered || row.dataset.state === 'delivered') return T.delivered;
  return T.sent;
};
const refreshStatus = (row) => {
  const st = row.querySelector('.st');
  if (st) st.textContent = statusOf(row);
};

const buildRow = (m) => {
  const mine = m.sender === 'visitor';
  const sys = m.sender === 'system';
  const author = m.author || {};
  const bot = m.sender === 'bot' ? W.bot || {} : null; // automated, always said so
  const name = mine ? T.you : author.name || (bot && bot.name) || team.name || W.display_name || '';
  const row = el('div', `row ${mine ? 'me' : sys ? 'sys' : 'op'}`);
  row.dataset.who = mine ? 'me' : sys ? 'sys' : `${m.sender}:${name}`;
  if (!mine && !sys) avatar(team.name || W.display_name || name, author.avatar_url || (m.sender === 'bot' ? team.avatar_url : null), row);
  const col = el('div', 'col', row);
  const nameEl = el('span', mine ? 'name sr' : 'name', col, name);
  if (bot) botName(nameEl, name, T.bot_label);
  fillText(el('div', 'bubble', col), m.body || '');
  if (m.sender === 'bot') {
    botParts(m, col, T, (action, id, entry) => send({ type: 'bot', action, message: id, ...(entry ? { entry } : {}) }), local.get(K_BOT) || [],
      (choice, id) => send({ type: 'choice', choice, message: id }));
  }
  const meta = el('div', 'meta', col);
  const t = el('time', '', meta, when(m.created_at));
  t.dateTime = m.created_at || '';
  if (mine) {
    el('span', 'st', meta);
    if (m.read_at) row.dataset.state = 'read';
    else if (m.delivered_at) row.dataset.state = 'delivered';
  }
  return row;
};

const setId = (row, id) => {
  row.dataset.id = id;
  row.dataset.sort = id;
  rows.set(`id:${id}`, row);
};

// Show a message from the server once, whatever way it came (history, live, another tab,
// the tab's cache). Returns true when it was not on screen before.
const show = (m) => {
  if (typeof m.id !== 'number') return false;
  if (gapAt(m.conversation, m.seq)) resume();
  else if (m.id > lastId && !m.acked) lastId = m.id;
  if (m.id > newest) newest = m.id;
  if (m.sender !== 'visitor' && m.id > lastOther) lastOther = m.id;
  cache.set(m.id, m);
  if (rows.has(`id:${m.id}`)) return false;
  const stick = nearBottom();
  let row = m.client_id && rows.get(`cid:${m.client_id}`);
  const known = !!row;
  if (row) { // our pending bubble: now stored
    dropFromOutbox(m.client_id);
    row.remove();
  } else {
    row = buildRow(m);
    if (m.client_id) rows.set(`cid:${m.client_id}`, row);
  }
  setId(row, m.id);
  place(row);
  refreshStatus(row);
  botChoices(log, !!(conversation && conversation.bot));
  if (stick || m.sender === 'visitor') toBottom();
  return !known;
};

const addNotice = (text, after = lastId) => {
  const row = el('div', 'row sys');
  row.dataset.who = 'sys';
  row.dataset.sort = after + 0.5;
  el('div', 'bubble', el('div', 'col', row), text);
  place(row);
  toBottom();
};

const showWelcome = () => {
  const flows = Array.isArray(W.flows) && W.flows.length;
  if (!W.welcome_title && !W.welcome_message && !flows) return;
  const name = team.name || W.display_name || '';
  const row = el('div', 'row op welcome');
  row.dataset.sort = 0;
  row.dataset.who = 'welcome';
  avatar(name, team.avatar_url, row);
  const col = el('div', 'col', row);
  el('span', 'name', col, name);
  if (W.welcome_title || W.welcome_message) {
    const bubble = el('div', 'bubble', col);
    if (W.welcome_title) el('strong', '', bubble, W.welcome_title);
    if (W.welcome_message) fillText(el('p', '', bubble), W.welcome_message);
  }
  welcomeFlows(col, W.flows, (key) => sendWhenReady('flow', { start: key }));
  place(row);
};

// A rule's greeting (docs/widget-protocol.md, "open"): shown in place of the welcome.
const showGreeting = (text) => {
  if (typeof text !== 'string' || !text) return;
  W.welcome_title = '';
  W.welcome_message = text.slice(0, 2000);
  const old = log.querySelector('.row.welcome');
  if (old) old.remove();
  showWelcome();
  toBottom();
};

const saveCache = () => {
  const messages = [...cache.values()].sort((a, b) => a.id - b.id).slice(-100);
  session.set(K_CACHE, { token, messages });
};

const clearLog = () => {
  [...log.querySelectorAll('.row:not(.welcome)')].forEach((r) => r.remove());
  rows.clear();
  cache.clear();
  lastId = lastOther = newest = sentDelivered = sentRead = 0;
  seqs.clear();
  outbox.forEach(pendingRow);
};

// --- receiving -------------------------------------------------------------------------------
// A message from the other side that was not on screen: tell the host page.
const incoming = (m, notify) => {
  if (!show(m) || m.sender === 'visitor') return;
  setTyping(false);
  if (!notify) return;
  toParent('message', { id: m.id, sender: m.sender, body: m.body, created_at: m.created_at });
  if (!visible()) {
    unread += 1;
    toParent('unread', { count: unread });
  }
};

const receipts = () => {
  if (!ready || !lastOther) return;
  if (lastOther > sentDelivered) { send({ type: 'delivered', up_to: lastOther }); sentDelivered = lastOther; }
  if (visible() && lastOther > sentRead) { send({ type: 'read', up_to: lastOther }); sentRead = lastOther; }
};

let typingHide = 0;
const setTyping = (on, name) => {
  clearTimeout(typingHide);
  typingEl.textContent = on ? fmt(T.typing, { name: name || team.name || '' }) : '';
  // A lost "typing: false" must not leave the indicator up for ever.
  if (on) typingHide = setTimeout(() => setTyping(false), 8000);
};

const onReady = (f) => {
  resuming = false; // a resume asked on an earlier socket died with it
  ready = true;
  attempt = 0;
  showBanner(null);
  const v = f.visitor || {};
  if (v.token) { // newly issued: this is a new visitor
    if (token && token !== v.token) clearLog(); // what we showed belonged to someone else
    token = v.token;
    if (!EMBED) local.set(K_TOKEN, token);
    toParent('token', { token });
  }
  if (f.limits && f.limits.max_length) maxLen = f.limits.max_length;
  if (f.team) { team = Object.assign({}, team, f.team); setTeam(team); }
  setQueue(f.queue);
  // The first history of a fresh page is old news; later ones (reconnect, cached page)
  // hold messages this visitor has not seen yet.
  const notify = everReady || lastId > 0;
  // ...and so is anything the team sent that never reached any of this visitor's windows
  // (e.g. a proactive message that arrived while they were between two pages).
  (f.messages || []).forEach((m) => incoming(m, notify || (m.sender !== 'visitor' && !m.delivered_at)));
  everReady = true;
  // More than one page was missed: fetch the rest after what came.
  if (f.more && resumeFrom) send({ type: 'resume', last_id: lastId });
  if (f.conversation && f.conversation.status === 'resolved' && lastId) addNotice(T.resolved);
  cardUi.ready(v);
  conversation = f.conversation;
  botChoices(log, !!(conversation && conversation.bot));
  if (setLearning) send({ type: 'consent', purpose: 'learning' });
  showCard();
  outbox.forEach((item) => send({ type: 'message', client_id: item.client_id, body: item.body }));
  for (const type of Object.keys(waiting)) { send(Object.assign({ type }, waiting[type])); delete waiting[type]; }
  receipts();
  saveCache();
  updateComposer();
  toParent('connected');
};

const onError = (f) => {
  if (cardUi.owns(f.frame)) return cardUi.error(f);
  const item = f.client_id && outbox.find((i) => i.client_id === f.client_id);
  if (item) {
    // Not stored: take the bubble back and give the text back to the composer.
    dropFromOutbox(item.client_id);
    const row = rows.get(`cid:${item.client_id}`);
    if (row) row.remove();
    rows.delete(`cid:${item.client_id}`);
    input.value = input.value ? `${item.body}\n${input.value}` : item.body;
    updateComposer();
  }
  if (f.code === 'identity_invalid') { // the integrator's mistake, not the visitor's
    console.warn('Sohbet: identify was rejected (user_hash does not match user_id).');
    return;
  }
  showNotice(f.message || T[f.code] || T.error);
};

const handle = (f) => {
  switch (f.type) {
    case 'ready': return onReady(f);
    case 'message':
      if (f.message) incoming(f.message, true);
      receipts();
      return saveCache();
    case 'ack': {
      const row = rows.get(`cid:${f.client_id}`);
      const item = outbox.find((i) => i.client_id === f.client_id);
      dropFromOutbox(f.client_id);
      if (typeof f.id === 'number' && f.id > newest) newest = f.id;
      if (gapAt(f.conversation, f.seq)) resume();
      // lastId is deliberately not moved by acks: an earlier message from the operator may
      // still be on its way, and last_id must not skip it after a reconnect.
      if (f.conversation) conversation = { id: f.conversation, status: 'open', bot: !!f.bot };
      botChoices(log, !!f.bot);
      showCard();
      if (row && typeof f.id === 'number' && !rows.has(`id:${f.id}`)) {
        setId(row, f.id);
        place(row);
        refreshStatus(row);
      }
      // The socket that sent a message gets no copy of it (other tabs do): the tab's cache
      // keeps it from here, marked so that it does not move last_id either.
      if (item && typeof f.id === 'number' && !cache.has(f.id)) {
        cache.set(f.id, {
          id: f.id, conversation: f.conversation, client_id: f.client_id, sender: 'visitor',
          body: item.body, created_at: f.created_at, delivered_at: null, read_at: null, acked: true,
        });
        saveCache();
      }
      return;
    }
    case 'typing': return setTyping(!!f.typing, f.author && f.author.name);
    case 'receipt':
      if (f.up_to > (receiptUpTo[f.state] || 0)) receiptUpTo[f.state] = f.up_to;
      if (f.state === 'read' && f.up_to > receiptUpTo.delivered) receiptUpTo.delivered = f.up_to;
      log.querySelectorAll('.me').forEach(refreshStatus);
      return;
    case 'conversation':
      if (f.conversation && f.conversation.status === 'resolved') {
        addNotice(T.resolved);
        setQueue(null);
      }
      conversation = f.conversation;
      botChoices(log, !!(conversation && conversation.bot));
      return showCard();
    case 'bot':
    case 'choice':
      // Remembered in this browser: the buttons stay gone after a reload.
      local.set(K_BOT, [...(local.get(K_BOT) || []), f.message].slice(-50));
      return botPressed(log, f, T);
    case 'flow': return;
    case 'consent': return setLearning && setLearning(f.given);
    case 'contact':
      cardUi.contact(f);
      if (!input.disabled) input.focus();
      return;
    case 'rating': return cardUi.rated(f);
    case 'transcript': return cardUi.transcript(f);
    case 'queue': return setQueue(f.position);
    case 'open': // the team wrote first, or a rule greets: ask the host page to show the window
      showGreeting(f.greeting);
      if (!isOpen) toParent('proactive', { message: f.message });
      return;
    case 'team':
      team.online = !!f.online;
      setTeam(team);
      return showCard();
    case 'error': return onError(f);
    case 'pong':
      // The heartbeat names the newest message of our conversations: one we do not hold
      // means a doorbell was lost (a server process or Redis dropped it). Fetch the gap.
      if (typeof f.last_id === 'number' && f.last_id > newest) resume();
      return;
    case 'messages':
      resuming = false;
      (f.messages || []).forEach((m) => incoming(m, true));
      if (f.more) resume();
      receipts();
      return saveCache();
    default: // anything newer than this script
  }
};

// --- the cards over the composer (cards.js): form, email ask, rating, transcript -------------
let conversation = null;
const learnTools = W.bot && $('transcript-ask') ? $('transcript-ask').parentNode : null;
const setLearning = learnTools ? botLearning(learnTools, T, (f) => send(f)) : null;
const card = $('card');
const cardUi = cards({
  W, T, card, send, showNotice,
  addNotice: (text) => addNotice(text, Math.max(newest, lastId)),
  changed: () => updateComposer(),
  state: { ready: () => ready, conversation: () => conversation, team: () => team },
});
const showCard = cardUi.show;
const formFirst = cardUi.formFirst;

// --- the socket ------------------------------------------------------------------------------
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${document.body.dataset.ws}`;

const hello = () => {
  const f = {
    type: 'hello', token, last_id: lastId || null, language: navigator.language,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  };
  resumeFrom = f.last_id;
  if (!EMBED) f.page = { url: location.href, title: document.title, referrer: document.referrer };
  else if (waiting.page) { f.page = waiting.page; delete waiting.page; }
  send(f);
};

const connect = () => {
  clearTimeout(retryTimer);
  if (fatal || (ws && ws.readyState <= WebSocket.OPEN)) return;
  showBanner(everReady ? T.reconnecting : T.connecting, everReady);
  const sock = new WebSocket(wsUrl);
  ws = sock;
  sock.onopen = () => {
    missed = 0;
    hello();
    clearInterval(pingTimer);
    // Two pings without an answer: the socket is dead even if the browser has not noticed.
    pingTimer = setInterval(() => {
      if (missed >= 2) return drop(sock);
      missed += 1;
      send({ type: 'ping' });
    }, 25000);
  };
  sock.onmessage = (e) => {
    missed = 0; // any frame proves the socket is alive
    let f;
    try { f = JSON.parse(e.data); } catch (err) { return; }
    if (f && typeof f === 'object') handle(f);
  };
  sock.onclose = (e) => {
    if (ws !== sock) return;
    if (e.code === 4404 || e.code === 4403) { // no such widget / suspended: do not retry
      fatal = true;
      showBanner(T.unavailable, true);
      updateComposer();
    }
    drop(sock, e.code === 4429);
  };
};

// Forget a socket and come back later: 1 s doubling to 30 s, with jitter so that many
// visitors of a restarted server do not all return in the same second.
const drop = (sock, slow) => {
  if (ws !== sock) return;
  sock.onopen = sock.onmessage = sock.onclose = null;
  try { sock.close(); } catch (e) { /* already closed */ }
  ws = null;
  ready = false;
  clearInterval(pingTimer);
  setTyping(false);
  if (fatal) return;
  if (everReady) showBanner(T.reconnecting, true);
  const delay = Math.min(30000, 1000 * 2 ** (slow ? 5 : attempt));
  attempt += 1;
  retryTimer = setTimeout(connect, delay / 2 + Math.random() * delay / 2);
};

// Back online or back in view: no need to wait for the backoff timer.
const hurry = () => { if (!ws && !fatal) connect(); };
window.addEventListener('online', hurry);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') { hurry(); receipts(); }
});

// --- sending ---------------------------------------------------------------------------------
const saveOutbox = () => session.set(K_OUTBOX, outbox);
const dropFromOutbox = (cid) => {
  const before = outbox.length;
  outbox = outbox.filter((i) => i.client_id !== cid);
  if (outbox.length !== before) saveOutbox();
};

const pendingRow = (item) => {
  const row = buildRow({ sender: 'visitor', body: item.body, created_at: item.created_at });
  row.dataset.sort = Infinity;
  rows.set(`cid:${item.client_id}`, row);
  place(row);
  refreshStatus(row);
  toBottom();
};

// Frames that must wait for "ready" (the parent may send them before the socket is up).
const sendWhenReady = (type, fields) => {
  if (ready) send(Object.assign({ type }, fields));
  else waiting[type] = fields;
};

// "typing" frames while the visitor types: at most one per 2 s, which keeps the operator's
// indicator up. When the workspace lets operators see the text before it is sent
// (W.typing_preview, and the window says so) each frame carries it: at most one per 400 ms,
// and one more with the final text. "typing: false" when they stop, send or leave the box.
const PREVIEW = !!W.typing_preview;
const TYPING_EVERY = PREVIEW ? 400 : 2000;
const PREVIEW_MAX = 1000; // characters
let typingOn = false;
let typingSentAt = 0;
let typingIdle = 0;
let typingTrail = 0;
const sendTyping = () => {
  clearTimeout(typingTrail);
  typingTrail = 0;
  if (!ready) return;
  const f = { type: 'typing', typing: true };
  if (PREVIEW) f.text = [...input.value].slice(0, PREVIEW_MAX).join('');
  send(f);
  typingOn = true;
  typingSentAt = Date.now();
};
const stopTyping = () => {
  clearTimeout(typingIdle);
  clearTimeout(typingTrail);
  typingTrail = 0;
  if (typingOn && ready) send({ type: 'typing', typing: false });
  typingOn = false;
};
const typing = () => {
  if (!input.value.trim()) return stopTyping();
  const wait = typingSentAt + TYPING_EVERY - Date.now();
  if (!typingOn || wait <= 0) sendTyping();
  else if (PREVIEW && !typingTrail) typingTrail = setTimeout(sendTyping, wait);
  clearTimeout(typingIdle);
  typingIdle = setTimeout(stopTyping, 5000);
};

const updateComposer = () => {
  const over = chars(input.value.trim()) - maxLen;
  count.textContent = over > 0 ? fmt(T.too_long, { count: over }) : '';
  input.setAttribute('aria-invalid', over > 0 ? 'true' : 'false');
  const held = fatal || formFirst();
  sendBtn.disabled = held || over > 0 || !input.value.trim();
  input.disabled = held;
  form.hidden = formFirst();
  card.classList.toggle('first', form.hidden);
  // Grow with the text, up to the CSS max-height.
  input.style.height = 'auto';
  input.style.height = `${input.scrollHeight}px`;
};

const submit = () => {
  const body = input.value.trim();
  if (!body || fatal || chars(body) > maxLen) return;
  const item = { client_id: uuid(), body, created_at: new Date().toISOString() };
  outbox.push(item);
  saveOutbox();
  pendingRow(item);
  input.value = '';
  stopTyping();
  updateComposer();
  notice.hidden = true;
  if (ready) send({ type: 'message', client_id: item.client_id, body });
  else if (!ws) connect(); // queued; sent after "ready"
};

form.addEventListener('submit', (e) => { e.preventDefault(); submit(); input.focus(); });
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
});
input.addEventListener('input', () => { updateComposer(); typing(); });
input.addEventListener('blur', stopTyping);

// --- the host page ---------------------------------------------------------------------------
const askClose = () => toParent('close');
if (EMBED) {
  const closeBtn = $('close');
  if (closeBtn) closeBtn.addEventListener('click', askClose);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') askClose(); });
}

const pick = (obj, keys) => {
  const out = {};
  for (const k of keys) if (obj[k] != null) out[k] = String(obj[k]);
  return out;
};

window.addEventListener('message', (e) => {
  // Commands only from the page that embeds us, at the origin we were told.
  if (!parentOrigin || e.source !== window.parent || e.origin !== parentOrigin) return;
  const m = e.data;
  if (!m || m.sohbet !== 1) return;
  const data = m.data && typeof m.data === 'object' ? m.data : {};
  switch (m.type) {
    case 'open':
      isOpen = true;
      unread = 0;
      if (data.focus !== false) input.focus(); // opened by itself (proactive): leave focus be
      toBottom();
      receipts();
      break;
    case 'close':
      isOpen = false;
      break;
    case 'identify':
      sendWhenReady('identify', pick(data, ['user_id', 'user_hash', 'email', 'email_hash', 'name', 'name_hash']));
      break;
    case 'attributes': {
      const attributes = Object.assign({}, waiting.attributes && waiting.attributes.attributes);
      for (const [k, v] of Object.entries(data).slice(0, 50)) {
        if (['string', 'number', 'boolean'].includes(typeof v)) attributes[k] = v;
      }
      sendWhenReady('attributes', { attributes });
      break;
    }
    case 'page':
      sendWhenReady('page', pick(data, ['url', 'title', 'referrer']));
      break;
    case 'greeting':
      showGreeting(data.text);
      break;
    case 'flow':
      if (typeof data.key === 'string') sendWhenReady('flow', { start: data.key });
      break;
    default:
  }
});

// --- start -----------------------------------------------------------------------------------
// The template writes these labels from the same strings; fill any the view left empty.
[['close', 'aria-label', 'close'], ['close', 'title', 'close'], ['send', 'aria-label', 'send'],
  ['send', 'title', 'send'], ['input', 'placeholder', 'placeholder'], ['log', 'aria-label', 'log_label'],
].forEach(([id, attr, k]) => { const e = $(id); if (e && !e.getAttribute(attr)) e.setAttribute(attr, T[k]); });
const label = document.querySelector('label[for="input"]');
if (!label.textContent.trim()) label.textContent = T.message_label;
setTeam(team);
showWelcome();
const cached = session.get(K_CACHE);
if (cached && token && cached.token === token && Array.isArray(cached.messages)) {
  cached.messages.forEach((m) => show(m));
}
outbox.forEach(pendingRow);
updateComposer();
toBottom();
toParent('ready');
connect();
if (!EMBED) input.focus();

import { editNote, editPending } from "./composer.js";
import { appendLinkified, el, isId, str } from "./dom.js";
import { clockTime, fullTime, parseTime, snoozeWhen, statusLabel, time, visitorName } from "./format.js";
import { retryMessage } from "./outbox.js";
import { t } from "./page.js";
import { labelName, memberName, state, teamName } from "./store.js";

export function messageKey(m) {
  return typeof m.id === "number" ? "m" + m.id : "c" + m.client_id;
}

/** Operator message mark: sending | queued | failed | sent | delivered | read */
export function markFor(th, m) {
  if (m.status) return m.status;
  if (m.read_at || (th.read && m.id <= th.read)) return "read";
  if (m.delivered_at || (th.delivered && m.id <= th.delivered)) return "delivered";
  return "sent";
}

export function buildMessage(th, m) {
  const sender = m.sender || "operator";
  const side = sender === "visitor" ? "left" : sender === "system" ? "center" : "right";
  const created = parseTime(m.created_at);
  const li = el("div", {
    className: "msg msg-" + side + " msg-" + sender.replace(/[^a-z]/g, "") + (m.status ? " is-" + m.status : ""),
    dataset: { key: messageKey(m) },
  });
  if (sender === "system") {
    li.appendChild(el("p", { className: "msg-body" }, str(m.body)));
    if (created) li.appendChild(el("time", { className: "msg-time", datetime: created.toISOString(), title: fullTime(created) }, clockTime(created)));
    return li;
  }
  let author;
  if (sender === "visitor") {
    author = str(m.author && m.author.name) || (th.visitor && th.visitor.name) || visitorName(state.conversations.get(th.number));
  } else if (sender === "bot") {
    author = str(m.author && m.author.name) || t("bot");
  } else {
    author = str(m.author && m.author.name) || t("you");
  }
  const meta = el("div", { className: "msg-meta" },
    el("span", { className: "msg-author" }, author),
    created ? el("time", { className: "msg-time", datetime: created.toISOString(), title: fullTime(created) }, clockTime(created)) : null
  );
  const bubble = el("div", { className: "msg-bubble" }, appendLinkified(el("p", { className: "msg-body" }), m.body));
  const email = m.content && typeof m.content.email === "object" && m.content.email ? m.content.email : null;
  if (email) {
    // Came in as an email: marked, its attachments named, a stranger's address flagged.
    meta.appendChild(el("span", { className: "msg-via" }, el("span", { className: "envelope-icon", "aria-hidden": "true" }), t("via_email")));
    const files = Array.isArray(email.attachments) ? email.attachments.filter(function (n) { return typeof n === "string"; }) : [];
    if (files.length) bubble.appendChild(el("p", { className: "msg-files" }, t("email_attachments", { names: files.join(", ") })));
  }
  const bot = sender === "bot" && m.content && typeof m.content.bot === "object" && m.content.bot ? m.content.bot : null;
  if (bot && bot.entry && typeof bot.entry.question === "string") {
    // The bot's answer: which knowledge-base entry it used (or the visitor chose).
    const from = bot.chosen ? "bot_answer_chosen" : "bot_answer_from";
    bubble.appendChild(el("p", { className: "msg-files" }, t(from, { question: bot.entry.question })));
  }
  const suggested = bot && Array.isArray(bot.suggestions) ? bot.suggestions.map(function (s) { return str(s && s.question); }).filter(Boolean) : [];
  if (suggested.length) {
    // Not sure: the entries it offered the visitor to choose from.
    bubble.appendChild(el("p", { className: "msg-files", dataset: { suggested: "" } }, t("bot_suggested", { entries: suggested.join(" · ") })));
  }
  const flow = sender === "bot" && m.content && typeof m.content.flow === "object" && m.content.flow ? m.content.flow : null;
  const offered = flow && Array.isArray(flow.choices) ? flow.choices.map(function (c) { return str(c && c.label); }).filter(Boolean) : [];
  if (offered.length) {
    // A flow's question: the buttons the visitor was offered (their press is their message).
    bubble.appendChild(el("p", { className: "msg-files", dataset: { offered: "" } }, t("flow_offered", { choices: offered.join(" · ") })));
  }
  li.appendChild(meta);
  li.appendChild(bubble);
  if (email && email.from_mismatch) {
    li.appendChild(el("p", { className: "msg-warning", role: "note" }, t("email_from_other")));
  }
  if (sender === "operator") {
    const mark = markFor(th, m);
    li.appendChild(buildMark(mark));
    li.dataset.mark = mark;
  }
  if (m.status === "failed") {
    li.appendChild(el("div", { className: "msg-error", role: "alert" },
      el("span", null, m.error || t("error_generic")),
      el("button", { type: "button", className: "small link", onclick: function () { retryMessage(th, m.client_id); } }, t("retry")),
      el("button", { type: "button", className: "small link", onclick: function () { editPending(th, m.client_id); } }, t("edit"))
    ));
  }
  return li;
}

export function buildMark(mark) {
  const symbols = { sending: "\u25cb", queued: "\u25cb", failed: "!", sent: "\u2713", delivered: "\u2713\u2713", read: "\u2713\u2713" };
  return el("div", { className: "msg-mark mark-" + mark },
    el("span", { "aria-hidden": "true" }, symbols[mark] || ""),
    el("span", { className: "mark-label" }, t("mark_" + mark))
  );
}

/** What an activity line says ("Ayşe assigned this to Mehmet", "Labels: +VIP −Refund"). */
export function activityText(a) {
  const d = a.data && typeof a.data === "object" ? a.data : {};
  const actor = isId(a.actor) ? memberName(a.actor) : "";
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
      if (d.status === "resolved" && d.by === "bot") return t("activity_resolved_bot");
      if (d.status === "resolved") return actor ? t("activity_resolved", { actor: actor }) : t("activity_resolved_auto");
      return t("activity_status", { status: statusLabel(d.status) });
    case "labels": {
      const parts = [];
      (Array.isArray(d.added) ? d.added : []).forEach(function (id) { parts.push("+" + labelName(id)); });
      (Array.isArray(d.removed) ? d.removed : []).forEach(function (id) { parts.push("\u2212" + labelName(id)); });
      return actor ? t("activity_labels", { changes: parts.join(" "), actor: actor }) : t("activity_labels_auto", { changes: parts.join(" ") });
    }
    case "queued":
      return t("activity_queued");
    case "rated":
      return t("activity_rated", { score: Number(d.score) || 0 });
    case "handoff":
      return ["asked", "button", "no_answer", "bot_off", "flow"].includes(d.reason) ? t("activity_handoff_" + d.reason) : t("activity_handoff");
    case "bot":
      if (d.flow) return t("activity_bot_flow", { name: str(d.flow) });
      return actor ? t("activity_bot", { actor: actor }) : t("activity_bot_auto");
    default:
      return t("activity_other");
  }
}

/** Under a handoff: the knowledge-base questions the bot answered with. */
function triedLine(d) {
  const tried = d && Array.isArray(d.tried) ? d.tried.map(function (x) { return str(x && x.question); }).filter(Boolean) : [];
  return tried.length ? el("p", { className: "msg-tried" }, t("activity_handoff_tried", { entries: tried.join(" · ") })) : null;
}

export function buildActivity(a) {
  const created = parseTime(a.created_at);
  const node = el("div", { className: "msg msg-center msg-activity activity-" + str(a.kind).replace(/[^a-z_]/g, ""), dataset: { key: "a" + a.id } },
    el("p", { className: "msg-body" }, activityText(a)),
    a.kind === "rated" && a.body ? el("blockquote", { className: "msg-comment" }, str(a.body)) : null,
    a.kind === "handoff" ? triedLine(a.data) : null,
    created ? el("time", { className: "msg-time", datetime: created.toISOString(), title: fullTime(created) }, clockTime(created)) : null);
  return node;
}

let mentionPattern = null;

let mentionPatternVersion = -1;

/** A regexp of "@Full Name" / "@First" for every member (longest first), or null. */
export function mentionRegExp() {
  if (mentionPatternVersion === state.rosterVersion) return mentionPattern;
  mentionPatternVersion = state.rosterVersion;
  const names = [];
  state.members.forEach(function (m) {
    const full = str(m.name).trim().replace(/\s+/g, " ");
    if (!full) return;
    names.push(full);
    const first = full.split(" ")[0];
    if (first !== full) names.push(first);
  });
  names.sort(function (a, b) { return b.length - a.length; });
  if (!names.length) {
    mentionPattern = null;
    return null;
  }
  const escaped = names.map(function (n) { return n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
  try {
    mentionPattern = new RegExp("(^|[^\\p{L}\\p{N}_@])(@(?:" + escaped.join("|") + "))(?![\\p{L}\\p{N}_])", "giu");
  } catch (e) {
    mentionPattern = null;
  }
  return mentionPattern;
}

/** Note text with @mentions of members wrapped in <mark> (text nodes only). */
export function noteBody(text) {
  const p = el("p", { className: "msg-body" });
  const re = mentionRegExp();
  if (!re) {
    p.textContent = text;
    return p;
  }
  re.lastIndex = 0;
  let last = 0, m;
  while ((m = re.exec(text)) !== null) {
    const start = m.index + m[1].length;
    if (start > last) p.appendChild(document.createTextNode(text.slice(last, start)));
    p.appendChild(el("mark", { className: "mention" }, m[2]));
    last = start + m[2].length;
    if (m[0].length === 0) re.lastIndex += 1;
  }
  if (last < text.length) p.appendChild(document.createTextNode(text.slice(last)));
  return p;
}

/** A private note: a yellow card with a lock, "Private note", author, time. */
export function buildNote(note, pending) {
  const created = parseTime(note.created_at);
  const byRule = note.data && typeof note.data.by === "string" ? t("note_by_rule", { rule: note.data.by }) : "";
  const author = pending ? (state.me && state.me.name) || t("you") : memberName(note.actor) || byRule || t("former_member");
  const card = el("div", {
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

/**
 * The open thread in display order: stored messages and activities merged by time (each in
 * its own id order), then pending replies and pending notes in the order they were typed.
 */
export function orderedTimeline(th) {
  const messages = Array.from(th.messages.values()).sort(function (a, b) { return a.id - b.id; });
  const activities = Array.from(th.activities.values()).sort(function (a, b) { return a.id - b.id; });
  const out = [];
  let i = 0, j = 0;
  while (i < messages.length || j < activities.length) {
    const takeActivity = j < activities.length &&
      (i >= messages.length || time(activities[j].created_at) < time(messages[i].created_at));
    if (takeActivity) out.push({ kind: "activity", item: activities[j++] });
    else out.push({ kind: "message", item: messages[i++] });
  }
  const pendingItems = [];
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

export function entryKey(entry) {
  if (entry.kind === "activity") return "a" + entry.item.id;
  if (entry.kind === "pending-note") return "n" + entry.item.client_id;
  return messageKey(entry.item);
}

export function entrySignature(th, entry) {
  const m = entry.item;
  if (entry.kind === "activity") return [m.kind, m.body, JSON.stringify(m.data || {}), m.created_at, state.rosterVersion].join("\u0000");
  if (entry.kind === "pending-note") return [m.body, m.status, m.error, state.rosterVersion].join("\u0000");
  return [m.body, m.status, m.error, m.sender === "operator" ? markFor(th, m) : "", m.created_at].join("\u0000");
}

export function buildEntry(th, entry) {
  if (entry.kind === "pending-note") return buildNote(entry.item, true);
  if (entry.kind === "activity") return entry.item.kind === "note" ? buildNote(entry.item, false) : buildActivity(entry.item);
  return buildMessage(th, entry.item);
}

/*
 * The inbox's events: the lowest module, imported by every other one that says or hears what
 * happened. Imports go one way (docs/architecture.md, "Front end"): the connection, the
 * frames and the outbox never import the page's parts; they emit a name here, and inbox.js
 * wires each name to what redraws.
 *
 * For the inbox's other scripts (canned responses, search, live visitors, contact; through
 * api.js): "frame" (every incoming frame), "ready", "open" (a conversation opened).
 *
 * The inbox's own, with what their detail is:
 *   redraws: "list", "title", "filters", "counts", "more", "conversation", "header",
 *     "messages" ({bottom, mine} or none), "typing", "visitor", "presence", "composer",
 *     "prefs", "banner" ({kind, text}, or null to hide it)
 *   requests: "navigate" ({number, push, focus}: open a conversation), "close" (close it),
 *     "not_found", "inline_error" (text), "toast" ({text, kind}), "notify" ({kind, title,
 *     body, number})
 *   happenings: "down" (the socket dropped), "note_refused" ({number, body, text}),
 *     "bulk_done" (the frame), "bulk_failed" (text), "alert" (the frame)
 */
const listeners = new Map(); // name -> [fn]

export function on(name, fn) {
  if (!listeners.has(name)) listeners.set(name, []);
  listeners.get(name).push(fn);
}

export function emit(name, detail) {
  (listeners.get(name) || []).forEach(function (fn) {
    try {
      fn(detail);
    } catch (e) {
      if (window.console) console.error(e);
    }
  });
}

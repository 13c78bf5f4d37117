/*
 * Events for the inbox's other scripts (canned responses, search, live visitors, contact):
 * "frame" (every incoming frame), "ready", "open" (a conversation opened).
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

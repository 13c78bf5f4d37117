/*
 * Inbox search: the field at the top of the conversation list (docs/search.md).
 *
 * Typing (debounced) asks GET <inbox>/search/?q=… and, while a query is active, the results
 * replace the conversation list. Matched words are wrapped in <mark> elements built with DOM
 * APIs; every piece of text (names, emails, message snippets) goes in through textContent /
 * text nodes only. Escape clears the search; a click opens the conversation through
 * the inbox's api.js, which also gets the field's focus for the "/" shortcut. The search
 * looks in every conversation the operator may see, whatever the list's filters: while it is
 * active the filters step aside (a line says so) and come back unchanged when it is cleared.
 */
import * as inbox from "./api.js";

const DEBOUNCE_MS = 250;
const MIN_LENGTH = 2;

const t = inbox.strings("search-strings");
const str = inbox.str;


/**
 * A span holding ``text`` with each [start, end) range (in code points, as the server counts)
 * wrapped in <mark>. Text nodes only: nothing here is parsed as markup.
 */
function marked(text, ranges, className) {
  const chars = Array.from(str(text));
  const span = document.createElement("span");
  if (className) span.className = className;
  const spans = (Array.isArray(ranges) ? ranges : [])
    .filter(function (r) {
      return Array.isArray(r) && r.length === 2 && r[0] < r[1];
    })
    .map(function (r) {
      return [Math.max(0, Number(r[0]) || 0), Math.min(chars.length, Number(r[1]) || 0)];
    })
    .sort(function (a, b) { return a[0] - b[0]; });
  let at = 0;
  spans.forEach(function (r) {
    const start = Math.max(r[0], at);
    if (start >= r[1]) return;
    if (start > at) span.appendChild(document.createTextNode(chars.slice(at, start).join("")));
    const mark = document.createElement("mark");
    mark.textContent = chars.slice(start, r[1]).join("");
    span.appendChild(mark);
    at = r[1];
  });
  if (at < chars.length) span.appendChild(document.createTextNode(chars.slice(at).join("")));
  return span;
}

function init() {
  const input = document.getElementById("inbox-search");
  const results = document.getElementById("inbox-search-results");
  const status = document.getElementById("inbox-search-status");
  const clearButton = document.getElementById("inbox-search-clear");
  const scope = document.getElementById("inbox-search-scope");
  const pane = input ? input.closest(".pane-list") : null;
  if (!inbox || !input || !results || !status || !pane) return;

  const base = String((inbox.config && inbox.config.inbox_url) || "");
  let timer = null;
  let controller = null;
  let seq = 0;
  let active = "";      // the query whose results are shown (or being fetched)
  let selected = null;  // number of the open conversation

  function el() {
    return inbox.el.apply(null, arguments);
  }

  function setActive(on) {
    if (on) pane.setAttribute("data-searching", "true");
    else pane.removeAttribute("data-searching");
    results.hidden = !on;
    // The search looks in every conversation the operator may see: it says so, and the
    // filters wait, as they were, for the search to be cleared.
    if (scope) scope.hidden = !on;
    clearButton.hidden = !input.value;
  }

  function showStatus(message, isError) {
    status.textContent = message || "";
    status.hidden = !message;
    status.classList.toggle("is-error", !!isError);
  }

  function clearSearch() {
    clearTimeout(timer);
    if (controller) controller.abort();
    controller = null;
    seq += 1;
    active = "";
    input.value = "";
    while (results.firstChild) results.removeChild(results.firstChild);
    showStatus("");
    setActive(false);
  }

  function senderPrefix(sender) {
    if (sender === "operator") return inbox.t("preview_team");
    if (sender === "bot") return inbox.t("preview_bot");
    return "";
  }

  function statusLabel(value) {
    const key = "status_" + value;
    const label = inbox.t(key);
    return label === key ? str(value) : label;
  }

  function when(iso) {
    const date = iso ? new Date(iso) : null;
    if (!date || isNaN(date.getTime())) return "";
    const lang = document.documentElement.lang || undefined;
    const today = date.toDateString() === new Date().toDateString();
    try {
      return new Intl.DateTimeFormat(lang, today
        ? { hour: "2-digit", minute: "2-digit" }
        : { day: "numeric", month: "short", year: date.getFullYear() === new Date().getFullYear() ? undefined : "numeric" }
      ).format(date);
    } catch (e) {
      return date.toISOString().slice(0, 10);
    }
  }

  function renderResults(query, items) {
    while (results.firstChild) results.removeChild(results.firstChild);
    if (!items.length) {
      showStatus(t("no_results", { query: query }));
      return;
    }
    showStatus(t("results_count", { count: items.length }));
    items.forEach(function (r) {
      const visitor = r.visitor || {};
      const number = Number(r.number);
      const isSelected = number === selected;
      const snippets = (Array.isArray(r.snippets) ? r.snippets : []).map(function (s) {
        const prefix = senderPrefix(s.sender);
        return el("span", { className: "search-snippet" },
          prefix ? el("span", { className: "conv-prefix" }, prefix + " ") : null,
          marked(s.text, s.highlights)
        );
      });
      const matched = r.matched || {};
      const button = el("button", {
        type: "button",
        className: "conv search-hit" + (isSelected ? " is-selected" : ""),
        "aria-current": isSelected ? "true" : null,
        dataset: { number: number },
        onclick: function (e) {
          e.preventDefault();
          selected = number;
          markSelected();
          inbox.openConversation(number);
        },
      },
        el("span", { className: "conv-top" },
          marked(visitor.name || inbox.t("visitor"), visitor.name_highlights, "conv-name"),
          el("span", { className: "conv-when" }, when(r.last_activity_at))
        ),
        visitor.email
          ? el("span", { className: "search-email", title: t("matched_email") },
              marked(visitor.email, visitor.email_highlights))
          : null,
        snippets,
        el("span", { className: "conv-meta" },
          el("span", { className: "conv-number" }, "#" + number),
          el("span", { className: "status status-" + str(r.status).replace(/[^a-z_-]/gi, "") }, statusLabel(r.status)),
          matched.name ? el("span", { className: "search-tag" }, t("matched_name")) : null,
          matched.email ? el("span", { className: "search-tag" }, t("matched_email")) : null
        )
      );
      results.appendChild(el("li", null, button));
    });
  }

  function markSelected() {
    results.querySelectorAll("button[data-number]").forEach(function (b) {
      const on = Number(b.dataset.number) === selected;
      b.classList.toggle("is-selected", on);
      if (on) b.setAttribute("aria-current", "true");
      else b.removeAttribute("aria-current");
    });
  }

  function run(query) {
    if (controller) controller.abort();
    controller = typeof AbortController === "function" ? new AbortController() : null;
    const mine = ++seq;
    active = query;
    showStatus(t("searching"));
    fetch(base + "search/?q=" + encodeURIComponent(query), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        return response.json().then(
          function (body) { return { ok: response.ok, body: body }; },
          function () { return { ok: false, body: null }; }
        );
      })
      .then(function (answer) {
        if (mine !== seq) return;
        if (!answer.ok) {
          const err = answer.body && answer.body.error;
          while (results.firstChild) results.removeChild(results.firstChild);
          showStatus((err && err.message) || t("error"), true);
          return;
        }
        renderResults(query, (answer.body && answer.body.results) || []);
      })
      .catch(function (e) {
        if (mine !== seq || (e && e.name === "AbortError")) return;
        showStatus(t("error"), true);
      });
  }

  function onInput() {
    clearTimeout(timer);
    const query = input.value.trim();
    clearButton.hidden = !input.value;
    if (!query) {
      clearSearch();
      return;
    }
    setActive(true);
    if (query.length < MIN_LENGTH) {
      seq += 1;
      if (controller) controller.abort();
      active = "";
      while (results.firstChild) results.removeChild(results.firstChild);
      showStatus(t("too_short"));
      return;
    }
    if (query === active) return;
    timer = setTimeout(function () { run(query); }, DEBOUNCE_MS);
  }

  function focusResult(delta) {
    const buttons = Array.from(results.querySelectorAll("button[data-number]"));
    if (!buttons.length) return;
    const index = buttons.indexOf(document.activeElement);
    const next = index === -1 ? (delta > 0 ? 0 : buttons.length - 1) : index + delta;
    if (next < 0) {
      input.focus();
      return;
    }
    if (next < buttons.length) buttons[next].focus();
  }

  input.addEventListener("input", onInput);
  input.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      if (input.value) {
        e.preventDefault();
        e.stopPropagation();
        clearSearch();
      } else {
        input.blur();
      }
    } else if (e.key === "ArrowDown") {
      e.preventDefault();
      focusResult(1);
    } else if (e.key === "Enter") {
      e.preventDefault();
      clearTimeout(timer);
      const query = input.value.trim();
      if (query.length >= MIN_LENGTH) run(query);
    }
  });
  results.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      focusResult(e.key === "ArrowDown" ? 1 : -1);
    } else if (e.key === "Escape") {
      e.preventDefault();
      clearSearch();
      input.focus();
    }
  });
  clearButton.addEventListener("click", function () {
    clearSearch();
    input.focus();
  });
  inbox.on("open", function (number) {
    selected = Number(number);
    markSelected();
  });

  // The "/" shortcut: the caret in the search field, its text selected.
  inbox.provideSearch(function () {
    input.focus();
    input.select();
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();

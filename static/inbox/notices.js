/* Presence, the connection banner, inline errors and toasts. */
import { el } from "./dom.js";
import { emit } from "./hooks.js";
import { t, TOAST_MS } from "./page.js";
import { send } from "./socket.js";
import { setMyStatus, state } from "./store.js";
import { ui } from "./ui.js";

export function renderPresence() {
  const status = state.me && state.me.status === "away" ? "away" : "online";
  ui.presenceOnline.setAttribute("aria-pressed", String(status === "online"));
  ui.presenceAway.setAttribute("aria-pressed", String(status === "away"));
  ui.presenceOnline.disabled = !state.connected;
  ui.presenceAway.disabled = !state.connected;
  ui.team.textContent = typeof state.teamOnline === "number" ? t("team_online", { count: state.teamOnline }) : "";
}

export function setPresence(status) {
  if (!state.me) return;
  if (send({ type: "presence", status: status })) {
    setMyStatus(status);
    renderPresence();
  }
}

export function showBanner(kind, text) {
  ui.banner.hidden = false;
  ui.banner.dataset.kind = kind;
  ui.bannerText.textContent = text;
  ui.bannerRetry.hidden = kind !== "reconnecting";
}

export function hideBanner() {
  ui.banner.hidden = true;
  ui.bannerText.textContent = "";
}

let inlineErrorTimer = null;

export function showInlineError(text) {
  ui.inlineError.textContent = text;
  ui.inlineError.hidden = false;
  clearTimeout(inlineErrorTimer);
  inlineErrorTimer = setTimeout(hideInlineError, 10000);
}

export function hideInlineError() {
  ui.inlineError.hidden = true;
  ui.inlineError.textContent = "";
}

/** A short message in the corner; `number` adds an "Open" button. */
export function toast(text, opts) {
  opts = opts || {};
  if (!ui.toasts) return null;
  const node = el("div", {
    className: "toast" + (opts.kind ? " toast-" + opts.kind : ""),
    role: opts.kind === "error" ? "alert" : null,
    dataset: typeof opts.number === "number" && opts.kind !== "error" ? { opens: String(opts.number) } : {},
  },
    el("div", { className: "toast-body" },
      el("p", { className: "toast-text" }, text),
      opts.detail ? el("p", { className: "toast-detail" }, opts.detail) : null),
    el("div", { className: "toast-actions" },
      typeof opts.number === "number"
        ? el("button", { type: "button", className: "small link", onclick: function () { dismiss(); emit("navigate", { number: opts.number, push: true, focus: true }); } }, t("toast_open"))
        : null,
      el("button", { type: "button", className: "toast-close", "aria-label": t("dismiss"), title: t("dismiss"), onclick: function () { dismiss(); } }, "\u00d7"))
  );
  function dismiss() {
    clearTimeout(timer);
    if (node.parentNode) node.parentNode.removeChild(node);
  }
  let timer;
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

/** The conversation is open: its news toasts ("assigned to you", a new reply) have done their
 * work. An error about it stays until dismissed. */
export function dismissToastsFor(number) {
  if (!ui.toasts) return;
  ui.toasts.querySelectorAll('.toast[data-opens="' + Number(number) + '"]').forEach(function (node) { node.remove(); });
}

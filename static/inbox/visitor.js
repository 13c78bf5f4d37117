/* The visitor panel of the open conversation. */
import { append, clear, el, externalLink, hostOf, str } from "./dom.js";
import { fullTime, localTimeIn, parseTime, shortWhen, statusLabel, visitorName } from "./format.js";
import { emit } from "./hooks.js";
import { INBOX_BASE, STRINGS, t } from "./page.js";
import { state, thread } from "./store.js";
import { ui } from "./ui.js";

export function row(label, value) {
  if (value === null || value === undefined || value === "") return null;
  return [el("dt", null, label), el("dd", null, value)];
}

export function renderVisitor() {
  const box = ui.visitorBody;
  clear(box);
  if (state.openNumber === null) {
    box.appendChild(el("p", { className: "muted" }, t("visitor_none")));
    return;
  }
  const th = thread(state.openNumber);
  const v = th.visitor;
  if (!v) {
    box.appendChild(el("p", { className: "muted" }, t("loading")));
    return;
  }

  const identity = el("div", { className: "vp-identity" },
    el("p", { className: "vp-name" }, str(v.name) || visitorName(state.conversations.get(th.number))),
    v.email ? el("p", { className: "vp-email" }, str(v.email)) : null,
    el("p", { className: "vp-badges" },
      v.verified ? el("span", { className: "badge badge-verified", title: t("verified_help") }, "\u2713 " + t("verified")) : null,
      el("span", { className: "badge" }, v.returning ? t("returning_visitor") : t("new_visitor"))
    )
  );
  box.appendChild(identity);

  const unverified = v.unverified && typeof v.unverified === "object" ? Object.keys(v.unverified) : [];
  if (unverified.length) {
    const dlU = el("dl", { className: "vp-dl" });
    unverified.forEach(function (k) {
      dlU.appendChild(el("dt", null, fieldLabel(k)));
      dlU.appendChild(el("dd", null, str(v.unverified[k]), " ", el("span", { className: "badge badge-unverified" }, t("unverified"))));
    });
    box.appendChild(section(t("unverified_claims"), dlU, t("unverified_help")));
  }

  if (v.current_page && (v.current_page.url || v.current_page.title)) {
    const cp = v.current_page;
    box.appendChild(section(t("current_page"), el("p", { className: "vp-page" },
      externalLink(cp.url, str(cp.title) || str(cp.url)),
      cp.title && cp.url ? el("span", { className: "vp-url" }, str(cp.url)) : null
    )));
  }

  if (typeof v.came_from === "string" && v.came_from) {
    // The site the visitor came from on this visit (the first page's referrer).
    box.appendChild(section(t("came_from"), el("p", { className: "vp-came-from" },
      externalLink(v.came_from, hostOf(v.came_from) || v.came_from)
    )));
  }

  const pages = Array.isArray(v.pages) ? v.pages : [];
  if (pages.length) {
    const ol = el("ol", { className: "vp-pages" });
    pages.forEach(function (p) {
      if (!p) return;
      const at = parseTime(p.at);
      ol.appendChild(el("li", null,
        at ? el("time", { datetime: at.toISOString(), title: fullTime(at) }, shortWhen(at)) : null,
        " ",
        externalLink(p.url, str(p.title) || str(p.url))
      ));
    });
    box.appendChild(section(t("pages_visited"), ol));
  }

  const prev = Array.isArray(v.previous_conversations) ? v.previous_conversations : [];
  if (prev.length) {
    const ul = el("ul", { className: "vp-prev" });
    prev.forEach(function (pc) {
      if (!pc || typeof pc.number !== "number") return;
      const created = parseTime(pc.created_at);
      const a = el("a", {
        href: INBOX_BASE + pc.number + "/",
        onclick: function (e) {
          if (e.metaKey || e.ctrlKey || e.shiftKey || e.button === 1) return;
          e.preventDefault();
          emit("navigate", { number: pc.number, push: true, focus: false });
        },
      }, "#" + pc.number);
      ul.appendChild(el("li", null, a, " ", el("span", { className: "muted" },
        statusLabel(pc.status) + (created ? " · " + shortWhen(created) : ""))));
    });
    box.appendChild(section(t("previous_conversations"), ul));
  }

  const ratings = Array.isArray(v.ratings) ? v.ratings : [];
  if (ratings.length) {
    // The visitor's ratings after their chats, newest first.
    const ul = el("ul", { className: "vp-ratings" });
    ratings.forEach(function (r) {
      if (!r || typeof r.score !== "number") return;
      const stars = "\u2605".repeat(r.score) + "\u2606".repeat(Math.max(0, 5 - r.score));
      ul.appendChild(el("li", null,
        el("span", { className: "vp-stars", "aria-hidden": "true" }, stars),
        el("span", { className: "visually-hidden" }, t("rating_of_5", { score: r.score })),
        " #" + r.number,
        r.comment ? el("q", { className: "vp-rating-comment" }, str(r.comment)) : null));
    });
    box.appendChild(section(t("ratings"), ul));
  }

  const dl = el("dl", { className: "vp-dl" });
  const lt = localTimeIn(v.timezone);
  [
    row(t("browser"), str(v.browser)),
    row(t("os"), str(v.os)),
    row(t("language"), str(v.language)),
    lt ? [el("dt", null, t("local_time")), el("dd", null,
      el("span", { dataset: { localTime: v.timezone } }, lt),
      " ", el("span", { className: "muted" }, "(" + str(v.timezone) + ")"))] : null,
  ].forEach(function (pair) { if (pair) append(dl, pair); });
  if (dl.firstChild) box.appendChild(section(t("device"), dl));

  const attrs = v.attributes && typeof v.attributes === "object" ? Object.keys(v.attributes) : [];
  if (attrs.length) {
    const table = el("table", { className: "table vp-attrs" },
      el("thead", null, el("tr", null, el("th", { scope: "col" }, t("attribute")), el("th", { scope: "col" }, t("value")))));
    const tbody = el("tbody");
    attrs.forEach(function (k) {
      tbody.appendChild(el("tr", null, el("th", { scope: "row" }, k), el("td", null, str(v.attributes[k]))));
    });
    table.appendChild(tbody);
    box.appendChild(section(t("attributes"), table));
  }
}

export function fieldLabel(k) {
  const key = "field_" + k;
  return Object.prototype.hasOwnProperty.call(STRINGS, key) ? t(key) : k;
}

export function section(title, body, help) {
  return el("section", { className: "vp-section" },
    el("h3", null, title),
    help ? el("p", { className: "help small-text" }, help) : null,
    body);
}

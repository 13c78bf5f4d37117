/*
 * Actions on the open conversation that feature apps add (apps/conversations/inbox_extras.py),
 * e.g. "Email transcript": a button each beside the status buttons; a click posts {} to the
 * action's URL for the conversation and shows the outcome as a toast.
 */
import { clear, el } from "./dom.js";
import { postJSON } from "./http.js";
import { toast } from "./notices.js";
import { CONFIG, t } from "./page.js";
import { state } from "./store.js";
import { ui } from "./ui.js";

const ACTIONS = Array.isArray(CONFIG.actions) ? CONFIG.actions : [];
let shownFor = null;

/** "%(address)s" and the like from the answer's fields; unknown names stay as they are. */
function fill(text, data) {
  return String(text || "").replace(/%\((\w+)\)s/g, function (m, k) {
    return data && typeof data[k] === "string" ? data[k] : m;
  });
}

function run(action, number, button) {
  button.disabled = true;
  const url = String(action.url).replace("{number}", encodeURIComponent(number));
  postJSON(url, {}, CONFIG.csrf_token)
    .then(function (res) {
      if (res.ok) toast(res.data.message ? String(res.data.message) : fill(action.done, res.data));
      else toast(res.data.message ? String(res.data.message) : t("error_generic"), { kind: "error" });
    })
    .catch(function () { toast(t("error_generic"), { kind: "error" }); })
    .then(function () { button.disabled = false; });
}

/** An action whose ``hidden_if`` names a field of the conversation's row that is true now
 * (e.g. "bot": the bot has it) is not shown. */
function wanted(row) {
  return ACTIONS.filter(function (a) { return !(a.hidden_if && row && row[a.hidden_if]); });
}

export function renderActions() {
  if (!ui.convActions) return;
  const row = state.openNumber === null ? null : state.conversations.get(state.openNumber);
  const actions = wanted(row);
  const key = state.openNumber + ":" + actions.map(function (a) { return a.key; }).join(",");
  if (shownFor === key) return;
  shownFor = key;
  clear(ui.convActions);
  if (state.openNumber === null) return;
  const number = state.openNumber;
  actions.forEach(function (action) {
    const button = el("button", { type: "button", className: "small secondary", dataset: { action: action.key } }, String(action.label));
    button.addEventListener("click", function () { run(action, number, button); });
    ui.convActions.appendChild(button);
  });
}

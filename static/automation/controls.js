// The rule editor's building blocks: elements, labelled selects and inputs, and the value
// control each kind of condition or action needs. Text is always set as text, never as HTML.

let uid = 0;

/** el("div", {className: "x", dataset: {a: 1}}, child, "text") */
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "className") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

/** A control with a visible label: <span class="control"><label>…</label>{control}</span>. */
export function labelled(text, control) {
  uid += 1;
  control.id = control.id || "rule-control-" + uid;
  return el("span", { className: "control" }, el("label", { for: control.id, text: text }), control);
}

export function select(options, value, props) {
  const node = el("select", props);
  for (const option of options) {
    const item = el("option", { value: String(option.value), text: option.label });
    if (String(option.value) === String(value)) item.selected = true;
    node.append(item);
  }
  return node;
}

export function input(value, props) {
  const node = el("input", props);
  node.value = value === null || value === undefined ? "" : String(value);
  return node;
}

export function textarea(value, props) {
  const node = el("textarea", Object.assign({ rows: 2 }, props));
  node.value = value || "";
  return node;
}

/** The options a value of ``kind`` chooses from, or null for typed values. */
export function optionsFor(kind, catalogue, strings, name) {
  const yesNo = [{ value: "true", label: strings.yes }, { value: "false", label: strings.no }];
  switch (kind) {
    case "bool": return yesNo;
    case "language": return catalogue.languages;
    case "label": return catalogue.labels;
    case "team": return [{ value: "", label: strings.no_team }].concat(catalogue.teams);
    case "member": return [{ value: "", label: strings.nobody }].concat(catalogue.members);
    case "choice": return catalogue[name] || [];
    default: return null;
  }
}

/** The control for a value of ``kind``; ``read()`` on it gives the JSON value back. */
export function valueControl(kind, value, catalogue, strings, name) {
  const options = optionsFor(kind, catalogue, strings, name);
  let node;
  if (options) {
    const current = value === null || value === undefined ? "" : value;
    node = select(options, current, { dataset: { role: "value" } });
  } else if (kind === "number") {
    node = input(value, { type: "number", step: "1", dataset: { role: "value" } });
  } else {
    node = input(value, { type: "text", maxlength: "500", dataset: { role: "value" } });
  }
  node.read = () => {
    const raw = node.value;
    if (kind === "bool") return raw === "true";
    if (kind === "number") return raw === "" ? null : Number(raw);
    if (["label", "team", "member"].includes(kind)) return raw === "" ? null : Number(raw);
    return raw;
  };
  return labelled(strings.value, node);
}

// Building the DOM without ever parsing markup: every string a server sends ends up as a text node
// (or an attribute value set through the DOM), so a VM named "<img onerror=…>" shows as those
// characters. Nothing in the console parses markup from a string.

/**
 * h("a", {href: "#/vms", class: "x", onclick: fn}, "text", node, [more], null)
 * Attributes: "class", "for" and data-/aria- names are set as attributes; on* are listeners;
 * `hidden`, `disabled`, `value`, `checked` are properties. Children: strings (text), numbers, nodes,
 * arrays of them, and null/undefined/false (skipped).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name in PROPERTIES) {
      el[PROPERTIES[name]] = value;
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

const PROPERTIES = { hidden: "hidden", disabled: "disabled", value: "value", checked: "checked", text: "textContent" };

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** "#/vms/<uuid>" with each path segment encoded. */
export function route(...segments) {
  return "#/" + segments.map((s) => encodeURIComponent(String(s))).join("/");
}

export function link(text, ...segments) {
  return h("a", { href: route(...segments) }, text);
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

export function bytes(n) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return "—";
  let value = Number(n);
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return (unit === 0 ? String(value) : value.toFixed(value >= 100 ? 0 : 1)) + " " + UNITS[unit];
}

/** A state or status as a badge; anything but the healthy values is highlighted. */
const HEALTHY = new Set(["Enabled", "Connected", "Ready", "Running", "Succeeded"]);
// a fleet plan's resting states (SPEC §11): nothing wrong, nothing under way
const NEUTRAL = new Set(["Stopped", "Created", "Planned", "WillChange", "Pending", "Skipped"]);
// under way: a VM the plan is stopping, changing or starting again
const BUSY = new Set(["Stopping", "Changing", "Starting"]);

export function badge(value) {
  if (value === null || value === undefined) return h("span", { class: "muted" }, "—");
  const kind = HEALTHY.has(value) ? "ok" : NEUTRAL.has(value) ? "neutral" : BUSY.has(value) ? "busy" : "warn";
  return h("span", { class: `badge badge-${kind}` }, value);
}

/** A capacity bar: used of total, with the numbers in words for screen readers and small screens. */
export function capacityBar(label, used, total, format = bytes) {
  const share = total > 0 ? Math.min(1, Math.max(0, used / total)) : 0;
  const percent = Math.round(share * 100);
  const level = percent >= 90 ? "high" : percent >= 70 ? "mid" : "low";
  const text = `${format(used)} of ${format(total)} used (${percent}%)`;
  const fill = h("div", { class: "bar-fill" });
  fill.style.width = `${percent}%`; // through the CSSOM: the page's CSP forbids style attributes
  return h("div", { class: "capacity" },
    h("div", { class: "capacity-label" }, h("span", {}, label), h("span", { class: "muted" }, text)),
    h("div", { class: `bar bar-${level}`, role: "meter", "aria-valuemin": 0, "aria-valuemax": 100,
      "aria-valuenow": percent, "aria-label": `${label}: ${text}` },
      fill));
}

/** A definition list from [label, value] pairs (values may be nodes). */
export function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(Boolean).map(([label, value]) => [
    h("dt", {}, label),
    h("dd", {}, value === null || value === undefined || value === "" ? h("span", { class: "muted" }, "—") : value),
  ]));
}

/** A table cell with its column's name (shown beside the value when tables stack on a phone). */
export function cell(label, ...content) {
  return h("td", { "data-label": label }, h("div", { class: "cell" }, content));
}

export function uuidText(uuid) {
  return h("code", { class: "uuid" }, uuid);
}

// A list page over a Query API: search, filters, sort and paging are the server's (q=, sort=,
// limit, start, replyWithCount=true); the browser holds one page. The list's state lives in the
// URL's hash (#/images?search=tiny&sort=-size&start=40), so every view is bookmarkable.

import { h, replace, cell } from "./dom.js";
import * as api from "./api.js";
import { errorBox, loading } from "./ui.js";

const UUID = /^[0-9a-f]{32}$/i;
const PAGE_SIZES = [20, 50, 100];

/** Conditions for the query from the list's parameters. */
export function conditions(config, params) {
  const q = [...(config.fixed || [])];
  const search = (params.get("search") || "").trim();
  if (search) q.push(UUID.test(search) ? `uuid=${search.toLowerCase()}` : `name~=%${search}%`);
  for (const filter of config.filters || []) {
    const value = params.get(filter.param);
    if (value) q.push(`${filter.field}=${value}`);
  }
  return q;
}

function hashWith(base, params, changes) {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === "") next.delete(key);
    else next.set(key, String(value));
  }
  const text = next.toString();
  return base + (text ? "?" + text : "");
}

/**
 * config: {title, path, base ("#/vms"), columns: [{label, sort?, cell(inv, related)}], filters:
 * [{param, label, field, options}], defaultSort ("+name"), related(inventories) → lookups,
 * searchLabel, empty}
 */
export function listView(config, params) {
  const sort = params.get("sort") || config.defaultSort || "+name";
  const limit = PAGE_SIZES.includes(Number(params.get("limit"))) ? Number(params.get("limit")) : PAGE_SIZES[0];
  const start = Math.max(0, Number.parseInt(params.get("start") || "0", 10) || 0);
  const go = (changes) => { window.location.hash = hashWith(config.base, params, changes); };

  const searchInput = h("input", { type: "search", name: "search", id: `${config.id}-search`,
    value: params.get("search") || "", placeholder: "name or uuid", autocomplete: "off" });
  const filterSelects = (config.filters || []).map((filter) => {
    const select = h("select", { name: filter.param, id: `${config.id}-${filter.param}` },
      h("option", { value: "" }, `any ${filter.label.toLowerCase()}`),
      filter.options.map((option) => h("option", { value: option }, option)));
    select.value = params.get(filter.param) || "";
    return h("label", { class: "filter", for: `${config.id}-${filter.param}` },
      h("span", {}, filter.label), select);
  });
  const form = h("form", { class: "list-search", role: "search", "aria-label": `Search ${config.title}` },
    h("label", { for: `${config.id}-search` }, h("span", {}, config.searchLabel || "Search"), searchInput),
    filterSelects,
    h("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const changes = { search: searchInput.value.trim(), start: null };
    (config.filters || []).forEach((filter, i) => { changes[filter.param] = filterSelects[i].querySelector("select").value; });
    go(changes);
  });

  const status = h("div", { class: "list-status" });
  const body = h("div", { class: "list-body" }, loading());
  const root = h("div", { class: "list", "data-list": config.id }, config.intro || null, form, status, body);

  const load = async () => {
    let page;
    const q = conditions(config, params);
    try {
      page = await api.query(config.path, { q, sort, limit, start, fields: config.fields });
    } catch (error) {
      if (error.code !== "ID.1001") replace(body, errorBox(error, "The query failed"));
      return;
    }
    const related = config.related ? await config.related(page.inventories).catch(() => ({})) : {};
    replace(body, table(config, page, related, sort, go, reload), pager(page, start, limit, go));
  };
  const reload = () => load();
  config.status = status;
  load();
  return root;
}

function table(config, page, related, sort, go, reload) {
  if (!page.inventories.length) {
    return h("p", { class: "empty" }, config.empty || "Nothing matches.");
  }
  const sortField = sort.replace(/^[+-]/, "");
  const descending = sort.startsWith("-");
  const head = h("tr", {}, config.columns.map((column) => {
    if (!column.sort) return h("th", { scope: "col" }, column.label);
    const active = sortField === column.sort;
    const next = active && !descending ? `-${column.sort}` : `+${column.sort}`;
    return h("th", { scope: "col", "aria-sort": active ? (descending ? "descending" : "ascending") : "none" },
      h("button", { type: "button", class: "sort", "aria-label": `Sort by ${column.label}`,
        onclick: () => go({ sort: next, start: null }) },
      column.label, h("span", { class: "sort-mark", "aria-hidden": "true" }, active ? (descending ? " ▼" : " ▲") : "")));
  }));
  const rows = page.inventories.map((inv) => h("tr", { "data-uuid": inv.uuid },
    config.columns.map((column) => cell(column.label, column.cell(inv, related, { reload, status: config.status })))));
  return h("div", { class: "table-wrap" },
    h("table", { class: "data" }, h("caption", { class: "visually-hidden" }, config.title), h("thead", {}, head),
      h("tbody", {}, rows)));
}

function pager(page, start, limit, go) {
  const first = page.total === 0 ? 0 : start + 1;
  const last = start + page.inventories.length;
  const sizes = h("select", { id: "page-size", "aria-label": "Rows per page" },
    PAGE_SIZES.map((size) => h("option", { value: size }, `${size} per page`)));
  sizes.value = String(limit);
  sizes.addEventListener("change", () => go({ limit: sizes.value, start: null }));
  return h("nav", { class: "pager", "aria-label": "Pages" },
    h("span", { class: "pager-count", "data-total": page.total }, `${first}–${last} of ${page.total}`),
    h("button", { type: "button", disabled: start <= 0, onclick: () => go({ start: Math.max(0, start - limit) || null }) },
      "‹ Previous"),
    h("button", { type: "button", disabled: last >= page.total, onclick: () => go({ start: start + limit }) }, "Next ›"),
    sizes);
}

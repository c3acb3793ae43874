// The cloud at a glance: counts per resource (count=true), capacity of hosts and primary storage
// as bars, and whatever is not Enabled/Connected. A handful of small queries, whatever the size.

import { h, replace, badge, capacityBar, route, cell } from "./dom.js";
import * as api from "./api.js";
import { errorBox, loading, page } from "./ui.js";

const COUNTS = [
  { label: "VMs", path: "/vm-instances", href: "#/vms", sub: { q: ["state=Running"], text: "running" } },
  { label: "Images", path: "/images", href: "#/images", sub: { q: ["state=Disabled"], text: "disabled" } },
  { label: "Volumes", path: "/volumes", href: "#/volumes" },
  { label: "Zones", path: "/zones", href: "#/infra/zones" },
  { label: "Clusters", path: "/clusters", href: "#/infra/clusters" },
  { label: "Hosts", path: "/hosts", href: "#/infra/hosts", admin: true },
  { label: "Primary storage", path: "/primary-storage", href: "#/infra/primary-storage", admin: true },
  { label: "Backup storage", path: "/backup-storage", href: "#/infra/backup-storage", admin: true },
];

// What is not Enabled / Connected: each a query with its own condition (the API ANDs conditions).
const ATTENTION = [
  { kind: "Host", path: "/hosts", href: "#/infra/hosts", admin: true, checks: ["state!=Enabled", "status!=Connected"] },
  { kind: "Primary storage", path: "/primary-storage", href: "#/infra/primary-storage", admin: true,
    checks: ["state!=Enabled", "status!=Connected"] },
  { kind: "Backup storage", path: "/backup-storage", href: "#/infra/backup-storage", admin: true,
    checks: ["state!=Enabled", "status!=Connected"] },
  { kind: "Zone", path: "/zones", href: "#/infra/zones", checks: ["state!=Enabled"] },
  { kind: "Cluster", path: "/clusters", href: "#/infra/clusters", checks: ["state!=Enabled"] },
  { kind: "Image", path: "/images", href: "#/images", detail: "images", checks: ["state!=Enabled"] },
];

const SHOWN = 5;

export function overview() {
  const admin = api.session.isAdmin;
  const counts = h("div", { class: "cards" }, loading());
  const capacity = h("div", { class: "capacity-panels" });
  const attention = h("div", { class: "attention" }, loading());
  const root = page("Overview",
    h("section", { "aria-labelledby": "counts-title" }, h("h2", { id: "counts-title", class: "visually-hidden" }, "Counts"), counts),
    h("section", { "aria-labelledby": "attention-title" }, h("h2", { id: "attention-title" }, "Needs attention"), attention),
    capacity);

  (async () => {
    try {
      const shown = COUNTS.filter((c) => admin || !c.admin);
      const values = await Promise.all(shown.map(async (c) => [await api.count(c.path),
        c.sub ? await api.count(c.path, c.sub.q) : null]));
      replace(counts, shown.map((c, i) => h("a", { class: "card", href: c.href, "data-count": c.label },
        h("span", { class: "card-value" }, String(values[i][0])),
        h("span", { class: "card-label" }, c.label),
        c.sub ? h("span", { class: "card-sub muted" }, `${values[i][1]} ${c.sub.text}`) : null)));
    } catch (error) {
      if (error.code !== "ID.1001") replace(counts, errorBox(error, "Counts failed"));
    }
  })();

  (async () => {
    try {
      const checks = ATTENTION.filter((a) => admin || !a.admin).flatMap((a) => a.checks.map((q) => ({ ...a, q })));
      const pages = await Promise.all(checks.map((c) => api.query(c.path, { q: [c.q], limit: SHOWN, sort: "+name" })));
      const seen = new Set();
      const rows = [];
      let more = 0;
      pages.forEach((p, i) => {
        more += Math.max(0, p.total - p.inventories.length);
        for (const inv of p.inventories) {
          if (seen.has(inv.uuid)) continue;
          seen.add(inv.uuid);
          const c = checks[i];
          rows.push(h("tr", { class: "warn-row", "data-uuid": inv.uuid },
            cell("Kind", c.kind),
            cell("Name", c.detail ? h("a", { href: route(c.detail, inv.uuid) }, inv.name) : h("a", { href: c.href }, inv.name)),
            cell("State", badge(inv.state)),
            cell("Status", badge(inv.status))));
        }
      });
      replace(attention, rows.length
        ? [h("div", { class: "table-wrap" }, h("table", { class: "data" },
          h("thead", {}, h("tr", {}, ["Kind", "Name", "State", "Status"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, rows))),
        more ? h("p", { class: "muted" }, `…and ${more} more: filter the lists by state or status.`) : null]
        : h("p", { class: "all-well" }, "Everything you can see is Enabled and Connected."));
    } catch (error) {
      if (error.code !== "ID.1001") replace(attention, errorBox(error, "The checks failed"));
    }
  })();

  if (admin) {
    (async () => {
      try {
        const [hosts, storages] = await Promise.all([
          api.query("/hosts", { sort: "+name", limit: SHOWN }),
          api.query("/primary-storage", { sort: "+name", limit: SHOWN }),
        ]);
        replace(capacity,
          h("section", { class: "panel", "aria-labelledby": "host-capacity" },
            h("h2", { id: "host-capacity" }, "Host capacity"),
            hosts.inventories.map((x) => h("div", { class: "capacity-item" },
              h("h3", {}, x.name, " ", badge(x.state), " ", badge(x.status)),
              capacityBar("CPU", x.totalCpuCapacity - x.availableCpuCapacity, x.totalCpuCapacity, (n) => `${n} vCPU`),
              capacityBar("Memory", x.totalMemoryCapacity - x.availableMemoryCapacity, x.totalMemoryCapacity))),
            more(hosts, "#/infra/hosts", "hosts")),
          h("section", { class: "panel", "aria-labelledby": "ps-capacity" },
            h("h2", { id: "ps-capacity" }, "Primary storage capacity"),
            storages.inventories.map((x) => h("div", { class: "capacity-item" },
              h("h3", {}, x.name, " ", h("span", { class: "muted" }, x.type), " ", badge(x.state), " ", badge(x.status)),
              capacityBar("Space", x.totalCapacity - x.availableCapacity, x.totalCapacity))),
            more(storages, "#/infra/primary-storage", "primary storages")));
      } catch (error) {
        if (error.code !== "ID.1001") replace(capacity, errorBox(error, "Capacity failed"));
      }
    })();
  }
  return root;
}

function more(result, href, noun) {
  if (!result.inventories.length) return h("p", { class: "muted" }, `No ${noun}.`);
  return result.total > result.inventories.length
    ? h("p", {}, h("a", { href }, `All ${result.total} ${noun} →`)) : null;
}

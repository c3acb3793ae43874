// Fleet image change plans (SPEC §11): the list (QueryImageChangePlan: search, sort and paging by
// the server) and a plan's page — its dry-run table (every VM WillChange or Refused, and why), then
// its live progress (QueryImageChangePlan polled every second while the plan can still move), with
// Start / Pause / Resume / Cancel / Delete offered only where the plan's state allows them.

import { h, replace, link, badge, facts, uuidText, route, cell } from "./dom.js";
import * as api from "./api.js";
import { errorBox, loading, runAction, reasonList, serverError } from "./ui.js";
import { lookups, named, short } from "./resources.js";

export const PATH = "/image-change-plans";
const POLL_MS = 1000;
const PER_PAGE = 50;

export const PLAN_STATES = ["Planned", "Running", "Paused", "Succeeded", "Failed", "Cancelled"];
const VM_STATES = ["WillChange", "Refused", "Pending", "Stopping", "Changing", "Starting", "Succeeded", "Failed",
  "Skipped"];

// What each plan state allows (SPEC §11; rules/states.py's "imageChangePlan" table). A Planned plan
// (a dry run) is started by resumeImageChangePlan, exactly as it was checked. Delete is for a plan
// that has ended and has no change under way (the server refuses it otherwise: "cancel it first").
const ACTIONS = {
  Planned: ["start", "delete"],
  Running: ["pause", "cancel"],
  Paused: ["resume", "cancel"],
  Succeeded: ["delete"],
  Failed: ["delete"],
  Cancelled: ["delete"],
};

/** The plan can still move on its own (or changes under way are finishing): keep polling it. */
const live = (plan) => plan.state === "Running" || plan.state === "Paused" || plan.running > 0;

const plural = (n, word, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;
const done = (plan) => plan.succeeded + plan.failed + plan.skipped + plan.refused;

/** The counts of a plan in words: "3 changed · 1 failed · 2 refused" (non-zero ones only). */
function countsText(plan) {
  const parts = plan.state === "Planned"
    ? [[plan.pending, "will change"], [plan.refused, "refused"]]
    : [[plan.succeeded, "changed"], [plan.running, "under way"], [plan.pending, "pending"], [plan.failed, "failed"],
      [plan.skipped, "skipped"], [plan.refused, "refused"]];
  const text = parts.filter(([n]) => n > 0).map(([n, word]) => `${n} ${word}`).join(" · ");
  return text || "no VM";
}

/** A bar of `value` out of `total`, with its numbers in words (and for screen readers). */
function countBar(label, value, total, kind) {
  const percent = total > 0 ? Math.round((100 * value) / total) : 0;
  const fill = h("div", { class: "bar-fill" });
  fill.style.width = `${percent}%`; // through the CSSOM: the page's CSP forbids style attributes
  return h("div", { class: `bar bar-plan bar-${kind}`, role: "meter", "aria-valuemin": 0, "aria-valuemax": total,
    "aria-valuenow": value, "aria-label": `${label}: ${value} of ${total}` }, fill);
}

// ---- the list ------------------------------------------------------------------------------------

export function plans() {
  return {
    id: "plans", title: "Image change plans", path: PATH, base: "#/plans", defaultSort: "-createDate",
    // the counts, never the VMs: a plan of 10,000 VMs lists as fast as one of two
    fields: ["uuid", "name", "state", "imageUuid", "total", "pending", "running", "succeeded", "failed", "refused",
      "skipped", "createDate"],
    filters: [{ param: "state", label: "State", field: "state", options: PLAN_STATES }],
    searchLabel: "Search plans",
    empty: "No plan matches. A plan changes the image of many VMs at once: start one with New plan.",
    intro: h("div", { class: "list-intro" },
      h("a", { class: "button-link primary", href: route("plans", "new") }, "New plan…"),
      h("p", { class: "muted" }, "A plan changes the image of every VM it selects, a few at a time. It is checked "
        + "first (a dry run that shows which VMs can change, and why not), and runs only when you start it.")),
    related: (invs) => lookups({ images: ["/images", invs.map((p) => p.imageUuid)] }),
    columns: [
      { label: "Name", sort: "name", cell: (inv) => h("span", { class: "name-cell" }, link(inv.name, "plans", inv.uuid)) },
      { label: "State", sort: "state", cell: (inv) => badge(inv.state) },
      { label: "Target image", cell: (inv, r) => named(r.images, inv.imageUuid, "images") },
      { label: "VMs", cell: (inv) => String(inv.total) },
      { label: "Progress", cell: (inv) => h("div", { class: "plan-mini" },
        h("span", { class: "plan-mini-text" }, countsText(inv)),
        inv.state === "Planned" ? null : countBar("Done", done(inv), inv.total, "done")) },
      { label: "Created", sort: "createDate", cell: (inv) => h("span", { class: "nowrap" }, inv.createDate || "—") },
    ],
  };
}

// ---- a plan's page -------------------------------------------------------------------------------

export function planPage(uuid) {
  const title = h("h1", { tabindex: "-1" }, "Plan");
  const stateBadge = h("span", { class: "title-badge" });
  const summary = h("div", { class: "plan-summary", role: "status" }, loading());
  const loadError = h("div", { class: "load-error" });
  const actions = h("div", { class: "actions plan-actions" });
  const actionStatus = h("div", { class: "action-status", "aria-live": "polite" });
  const progress = h("section", { class: "panel", id: "plan-progress", "aria-labelledby": "progress-title",
    hidden: true });
  const vmsPanel = h("section", { class: "panel", id: "plan-vms", "aria-labelledby": "plan-vms-title", hidden: true });
  const details = h("div", { class: "plan-facts" });
  const about = h("section", { class: "panel", id: "plan-about", "aria-labelledby": "plan-about-title", hidden: true },
    h("h2", { id: "plan-about-title" }, "About this plan"), details);
  // what moves first (the verdicts or the progress, then the VMs), what stays after
  const root = h("section", { class: "page plan-page" },
    h("p", { class: "crumbs" }, h("a", { href: "#/plans" }, "Image change plans"), " / "),
    h("div", { class: "title-row" }, title, stateBadge), summary, actions, actionStatus, loadError, progress, vmsPanel,
    about);

  let plan = null;
  let timer = null;
  const images = new Map();  // image uuid → inventory (null: not visible), looked up once
  const shown = {};          // what is on screen, so a poll redraws only what changed

  const redraw = (key, signature, draw) => {
    if (shown[key] === signature) return;
    shown[key] = signature;
    draw();
  };

  async function lookUpImages(uuids) {
    const wanted = [...new Set(uuids.filter((u) => u && !images.has(u)))];
    for (let i = 0; i < wanted.length; i += 100) {
      const chunk = wanted.slice(i, i + 100);
      const found = await api.byUuid("/images", chunk).catch(() => new Map());
      for (const u of chunk) images.set(u, found.get(u) || null);
    }
  }

  /**
   * Fetch the plan and show it. Answers whether to go on polling: not once it is gone or the session
   * has ended; yes after a failed poll (the server may be back next time: the error shows meanwhile).
   */
  async function load() {
    let found;
    try {
      found = await api.one(PATH, uuid);
    } catch (error) {
      if (error.code === "ID.1001") return false;
      replace(loadError, errorBox(error, "Could not load the plan"));
      if (!plan) replace(summary);
      return plan !== null;
    }
    replace(loadError);
    if (!found) {
      // an unknown uuid and another tenant's plan look the same: the API shows neither
      plan = null;
      replace(title, "Plan not found");
      replace(stateBadge);
      replace(actions);
      progress.hidden = true;
      vmsPanel.hidden = true;
      about.hidden = true;
      replace(summary, h("p", { class: "alert alert-error", role: "alert", "data-code": "not-found" },
        "No image change plan with uuid ", uuidText(uuid), " exists, or it is not visible to your account."));
      return false;
    }
    await lookUpImages([found.imageUuid, ...(found.vms || []).map((v) => v.oldImageUuid)]);
    plan = found;
    show();
    return true;
  }

  function schedule() {
    clearTimeout(timer);
    timer = plan && live(plan) ? setTimeout(tick, POLL_MS) : null;
  }

  async function tick() {
    timer = null;
    if (!root.isConnected) return; // the page was left: stop polling
    if (await load() && root.isConnected) schedule();
  }

  function show() {
    // "Starting …: done." says what the user did; once the plan has moved on by itself, it goes
    if (actionStatus.querySelector(".alert-ok") && root.dataset.state && root.dataset.state !== plan.state
        && Date.now() - actedAt > 2 * POLL_MS) replace(actionStatus);
    root.dataset.state = plan.state;
    root.dataset.live = live(plan) ? "true" : "false";
    redraw("title", `${plan.name}|${plan.state}`, () => {
      replace(title, plan.name);
      replace(stateBadge, badge(plan.state));
    });
    redraw("summary", summaryText(plan), () => replace(summary, summaryText(plan)));
    renderActions();
    redraw("details", `${plan.state}|${plan.lastOpDate}`, renderDetails);
    redraw("progress", JSON.stringify([plan.state, plan.total, plan.pending, plan.running, plan.succeeded,
      plan.failed, plan.skipped, plan.refused]), renderProgress);
    renderVms();
  }

  function summaryText(p) {
    const all = plural(p.total, "VM");
    switch (p.state) {
      case "Planned":
        return `Dry run of ${all}: ${p.pending} will change, ${p.refused} refused. Nothing has changed yet: `
          + (p.pending ? "Start runs the plan as it was checked." : "no VM can change with this plan.");
      case "Running":
        return `Running: ${done(p)} of ${all} done, ${p.running} under way (at most ${p.maxConcurrency} at once).`;
      case "Paused":
        return `Paused: ${done(p)} of ${all} done`
          + (p.failed > p.maxFailures ? `; it paused because ${plural(p.failed, "VM")} failed` : "")
          + (p.running ? `; ${p.running} under way finishing` : "")
          + ". No new change starts until you resume it.";
      case "Succeeded":
        return `Succeeded: ${plural(p.succeeded, "VM")} changed` + (p.refused ? `, ${p.refused} refused` : "") + ".";
      case "Failed":
        return `Failed: ${plural(p.failed, "VM")} failed, ${p.succeeded} changed`
          + (p.refused ? `, ${p.refused} refused` : "") + ".";
      case "Cancelled":
        return `Cancelled: ${p.succeeded} changed, ${p.skipped} skipped`
          + (p.failed ? `, ${p.failed} failed` : "")
          + (p.running ? `; ${p.running} under way finishing` : "") + ".";
      default:
        return `${p.state}: ${countsText(p)}.`;
    }
  }

  // ---- actions --------------------------------------------------------------------------------

  function renderActions() {
    // a dry run where no VM can change has nothing to start; a plan with changes under way cannot go yet
    const allowed = (ACTIONS[plan.state] || []).filter((a) => (a !== "delete" || plan.running === 0)
      && (a !== "start" || plan.pending > 0));
    const signature = allowed.join(",");
    if (shown.actions === signature) return; // never redraw a button under the user's focus
    // after the user's own action (its button is gone), the focus goes to the first new one
    const keepFocus = focusActions || actions.contains(document.activeElement)
      || actionStatus.contains(document.activeElement);
    focusActions = false;
    shown.actions = signature;
    if (actionStatus.querySelector(".confirm")) replace(actionStatus); // it asked about what no longer applies
    const buttons = allowed.map(actionButton);
    replace(actions, buttons);
    if (keepFocus && buttons.length) buttons[0].focus({ preventScroll: true });
  }

  let focusActions = false;
  let actedAt = 0;
  const act = (button, label, body) => {
    focusActions = true;
    actedAt = Date.now();
    return runAction(button, actionStatus, label,
      () => api.job("PUT", `${PATH}/${encodeURIComponent(uuid)}/actions`, body),
      async () => { if (await load()) schedule(); });
  };

  // the actions that go at once: label, primary?, what is under way, the API's body key
  const DIRECT = {
    start: ["Start", true, "Starting", "resumeImageChangePlan"],
    pause: ["Pause", false, "Pausing", "pauseImageChangePlan"],
    resume: ["Resume", true, "Resuming", "resumeImageChangePlan"],
  };

  function actionButton(action) {
    const name = plan.name;
    if (DIRECT[action]) {
      const [label, primary, doing, key] = DIRECT[action];
      const b = h("button", { type: "button", class: primary ? "primary" : null, "data-action": action }, label);
      b.addEventListener("click", () => act(b, `${doing} ${name}`, { [key]: {} }));
      return b;
    }
    switch (action) {
      case "cancel": {
        const b = h("button", { type: "button", "data-action": "cancel" }, "Cancel plan…");
        b.addEventListener("click", () => confirm(
          "Cancel the plan? Its pending VMs are skipped; the changes under way finish. It cannot be resumed.",
          "Cancel the plan", "Keep it",
          (yes) => act(yes, `Cancelling ${name}`, { cancelImageChangePlan: {} })));
        return b;
      }
      default: { // delete
        const b = h("button", { type: "button", "data-action": "delete" }, "Delete…");
        b.addEventListener("click", () => confirm(
          "Delete this plan? Only its record goes: the VMs keep the images they have now.",
          "Delete the plan", "Keep it", (yes) => runAction(yes, actionStatus, `Deleting ${name}`,
            () => api.job("DELETE", `${PATH}/${encodeURIComponent(uuid)}`), deleted)));
        return b;
      }
    }
  }

  function confirm(question, yesLabel, noLabel, onYes) {
    const yes = h("button", { type: "button", class: "primary danger" }, yesLabel);
    const no = h("button", { type: "button" }, noLabel);
    no.addEventListener("click", () => {
      replace(actionStatus);
      actions.querySelector("button")?.focus();
    });
    yes.addEventListener("click", () => onYes(yes));
    replace(actionStatus, h("div", { class: "confirm", role: "group", "aria-label": yesLabel },
      h("p", {}, question), h("div", { class: "actions" }, yes, no)));
    yes.focus();
  }

  function deleted() {
    replace(actionStatus);
    clearTimeout(timer);
    timer = null;
    plan = null;
    root.dataset.state = "Deleted";
    replace(actions);
    replace(summary, h("div", { class: "alert alert-ok", "data-result": "deleted" },
      "The plan was deleted. ", h("a", { href: "#/plans" }, "Back to the plans")));
    progress.hidden = true;
    vmsPanel.hidden = true;
    about.hidden = true;
  }

  // ---- facts and progress -----------------------------------------------------------------------

  function renderDetails() {
    const image = images.get(plan.imageUuid);
    about.hidden = false;
    replace(details, facts([
      ["UUID", uuidText(plan.uuid)],
      ["State", badge(plan.state)],
      ["Target image", image ? h("span", { "data-field": "target-image" }, link(image.name, "images", image.uuid), " ",
        uuidText(image.uuid)) : uuidText(plan.imageUuid)],
      ["VMs at once", `at most ${plan.maxConcurrency}`],
      ["Running VMs", plan.stopRunningVms ? "stopped, changed, then started again"
        : "refused (only stopped VMs change)"],
      ["Pauses", plan.maxFailures === 0 ? "at the first failed VM"
        : `when more than ${plural(plan.maxFailures, "VM")} have failed`],
      api.session.isAdmin ? ["Account", uuidText(plan.accountUuid)] : null,
      ["Description", plan.description || null],
      ["Created", plan.createDate],
      ["Last change", plan.lastOpDate],
    ]));
  }

  function renderProgress() {
    const p = plan;
    const rows = p.state === "Planned"
      ? [["pending", "Will change", "ok"], ["refused", "Refused", "warn"]]
      : [["succeeded", "Succeeded", "ok"], ["running", "Under way", "busy"], ["pending", "Pending", "neutral"],
        ["failed", "Failed", "error"], ["skipped", "Skipped", "neutral"], ["refused", "Refused", "warn"]];
    const finished = done(p);
    progress.hidden = false;
    replace(progress,
      h("h2", { id: "progress-title" }, p.state === "Planned" ? "Verdicts" : "Progress"),
      p.state === "Planned" ? null : h("div", { class: "plan-overall" },
        h("div", { class: "capacity-label" }, h("span", {}, "Done"),
          h("span", { class: "muted", "data-field": "done" }, `${finished} of ${p.total}`)),
        countBar("Done", finished, p.total, "done")),
      h("div", { class: "plan-counts" }, rows.map(([key, label, kind]) => h("div", { class: "plan-count",
        "data-count": key, "data-value": p[key] },
      h("div", { class: "capacity-label" }, h("span", {}, label),
        h("span", { class: "muted" }, `${p[key]} of ${p.total}`)),
      countBar(label, p[key], p.total, kind)))));
  }

  // ---- the VMs: one row per VM, redrawn cell by cell as the plan moves ---------------------------

  let filter = "";
  let start = 0;
  const rowsByVm = new Map(); // vm uuid → {tr, cells: [td], signatures: [string]}
  const tbody = h("tbody");
  const filterSelect = h("select", { id: "plan-vm-state", name: "state" },
    h("option", { value: "" }, "every state"), VM_STATES.map((s) => h("option", { value: s }, s)));
  filterSelect.addEventListener("change", () => {
    filter = filterSelect.value;
    start = 0;
    renderVms();
  });
  const pagerCount = h("span", { class: "pager-count" });
  const previous = h("button", { type: "button" }, "‹ Previous");
  const next = h("button", { type: "button" }, "Next ›");
  previous.addEventListener("click", () => { start = Math.max(0, start - PER_PAGE); renderVms(); });
  next.addEventListener("click", () => { start += PER_PAGE; renderVms(); });
  const pager = h("nav", { class: "pager", "aria-label": "Pages of the plan's VMs" }, pagerCount, previous, next);
  const vmsTitle = h("h2", { id: "plan-vms-title" }, "VMs");
  const empty = h("p", { class: "empty", hidden: true }, "No VM of this plan is in that state.");
  const COLUMNS = [
    { label: "VM", sig: (v) => v.vmName, draw: (v) => [link(v.vmName || v.vmInstanceUuid, "vms", v.vmInstanceUuid),
      h("br"), short(v.vmInstanceUuid)] },
    { label: "State", sig: (v) => v.state, draw: (v) => badge(v.state) },
    { label: "Image before", sig: (v) => `${v.oldImageUuid}|${images.get(v.oldImageUuid)?.name ?? ""}`,
      draw: (v) => (images.get(v.oldImageUuid) ? link(images.get(v.oldImageUuid).name, "images", v.oldImageUuid)
        : short(v.oldImageUuid)) },
    { label: "New root volume", sig: (v) => v.newRootVolumeUuid || "",
      draw: (v) => (v.newRootVolumeUuid
        ? h("a", { href: `#/volumes?${new URLSearchParams({ search: v.newRootVolumeUuid })}`,
          "data-field": "new-root-volume" }, uuidText(v.newRootVolumeUuid))
        : h("span", { class: "muted" }, "—")) },
    { label: "Why not / error", sig: (v) => JSON.stringify([v.reasons || null, v.error || null]), draw: verdict },
    { label: "Started", sig: (v) => v.startDate || "", draw: (v) => v.startDate || "—" },
    { label: "Ended", sig: (v) => v.endDate || "", draw: (v) => v.endDate || "—" },
  ];
  const table = h("div", { class: "table-wrap" }, h("table", { class: "data plan-vms" },
    h("caption", { class: "visually-hidden" }, "The plan's VMs"),
    h("thead", {}, h("tr", {}, COLUMNS.map((c) => h("th", { scope: "col" }, c.label)))), tbody));
  replace(vmsPanel, vmsTitle,
    h("div", { class: "list-search" }, h("label", { for: "plan-vm-state" }, h("span", {}, "Show"), filterSelect)),
    table, empty, pager);

  function verdict(v) {
    const parts = [];
    if (v.reasons && v.reasons.length) parts.push(reasonList(v.reasons));
    // ChangeVmImage's "cannot be changed image to …" carries exactly these reasons (its opaque): they are
    // shown above, each with the server's words. Any other error is a failed pre-check or a failed change.
    const aboutReasons = v.error && Array.isArray(v.error.opaque?.reasons) && v.reasons && v.reasons.length;
    if (v.error && !aboutReasons) parts.push(serverError(v.error));
    return parts.length ? parts : h("span", { class: "muted" }, "—");
  }

  function rowFor(v) {
    let row = rowsByVm.get(v.vmInstanceUuid);
    if (!row) {
      const cells = COLUMNS.map((c) => cell(c.label));
      row = { tr: h("tr", { "data-uuid": v.vmInstanceUuid }, cells), cells, signatures: COLUMNS.map(() => null) };
      rowsByVm.set(v.vmInstanceUuid, row);
    }
    row.tr.dataset.state = v.state;
    COLUMNS.forEach((c, i) => {
      const signature = c.sig(v);
      if (row.signatures[i] === signature) return;
      row.signatures[i] = signature;
      replace(row.cells[i].firstChild, c.draw(v));
    });
    return row.tr;
  }

  function renderVms() {
    if (!plan) return;
    vmsPanel.hidden = false;
    const all = plan.vms || [];
    const picked = filter ? all.filter((v) => v.state === filter) : all;
    if (start >= picked.length) start = Math.max(0, Math.floor((picked.length - 1) / PER_PAGE) * PER_PAGE);
    const page = picked.slice(start, start + PER_PAGE);
    const trs = page.map(rowFor);
    const keys = page.map((v) => v.vmInstanceUuid).join(",");
    if (shown.rows !== keys) { // only a new page or filter moves rows (a poll never takes the focus away)
      shown.rows = keys;
      tbody.replaceChildren(...trs);
    }
    redraw("vmsTitle", `${all.length}`, () => replace(vmsTitle, "VMs ",
      h("span", { class: "count", "data-total": all.length }, `(${all.length})`)));
    table.hidden = !page.length;
    empty.hidden = page.length > 0;
    pager.hidden = picked.length <= PER_PAGE;
    pagerCount.textContent = `${page.length ? start + 1 : 0}–${start + page.length} of ${picked.length}`;
    previous.disabled = start <= 0;
    next.disabled = start + PER_PAGE >= picked.length;
  }

  load().then((ok) => { if (ok) schedule(); });
  return root;
}

// A VM's page: where it lives (root volume, image, host, cluster, zone), the images it may change
// to (GetImageCandidatesForVmToChange) and, for every other image the caller may see, why not
// (explain=true), Stop/Start, and Change image with the job's live progress.

import { h, replace, link, badge, bytes, facts, uuidText, route, cell } from "./dom.js";
import * as api from "./api.js";
import { errorBox, loading, runAction, reasonList } from "./ui.js";

const PER_PAGE = 20;

export function vmPage(uuid, params) {
  const title = h("h1", { tabindex: "-1" }, "VM");
  const stateBadge = h("span", { class: "title-badge" });
  const actions = h("div", { class: "actions" });
  const actionStatus = h("div", { class: "action-status", "aria-live": "polite" });
  const details = h("div", { class: "details" }, loading());
  const change = h("section", { class: "panel change", id: "change-image", "aria-labelledby": "change-title",
    hidden: true, "aria-live": "polite" });
  const candidates = h("section", { class: "panel", id: "candidates", "aria-labelledby": "candidates-title" },
    h("h2", { id: "candidates-title" }, "Images it may change to"), loading());
  const excluded = h("section", { class: "panel", id: "excluded", "aria-labelledby": "excluded-title" },
    h("h2", { id: "excluded-title" }, "Other images, and why not"), loading());
  const root = h("section", { class: "page vm-page" },
    h("p", { class: "crumbs" }, h("a", { href: "#/vms" }, "Virtual machines"), " / "),
    h("div", { class: "title-row" }, title, stateBadge), actions, actionStatus, details, change, candidates, excluded);

  let vm = null;
  const candidateStart = Math.max(0, Number.parseInt(params.get("start") || "0", 10) || 0);
  const excludedStart = Math.max(0, Number.parseInt(params.get("excludedStart") || "0", 10) || 0);

  async function loadVm() {
    try {
      vm = await api.one("/vm-instances", uuid);
    } catch (error) {
      if (error.code !== "ID.1001") replace(details, errorBox(error, "Could not load the VM"));
      replace(candidates);
      replace(excluded);
      candidates.hidden = true;
      excluded.hidden = true;
      return false;
    }
    if (!vm) {
      // an unknown uuid and another tenant's VM look the same: the API shows neither
      replace(title, "VM not found");
      replace(details, h("p", { class: "alert alert-error", role: "alert", "data-code": "not-found" },
        "No VM with uuid ", uuidText(uuid), " exists, or it is not visible to your account."));
      replace(candidates);
      replace(excluded);
      candidates.hidden = true;
      excluded.hidden = true;
      return false;
    }
    const root = (vm.allVolumes || []).find((v) => v.uuid === vm.rootVolumeUuid)
      || (vm.allVolumes || []).find((v) => v.type === "Root");
    const [image, host, cluster, zone, storage] = await Promise.all([
      api.one("/images", vm.imageUuid), api.one("/hosts", vm.hostUuid || vm.lastHostUuid),
      api.one("/clusters", vm.clusterUuid), api.one("/zones", vm.zoneUuid),
      api.one("/primary-storage", root && root.primaryStorageUuid),
    ].map((p) => p.catch(() => null)));
    // everything is fetched before anything is replaced, so the page never shows half an update
    replace(title, vm.name);
    replace(stateBadge, badge(vm.state));
    renderActions();
    const nameOr = (inv, id) => (inv ? h("span", {}, inv.name, " ", uuidText(id)) : id ? uuidText(id) : null);
    replace(details, facts([
      ["UUID", uuidText(vm.uuid)],
      ["State", badge(vm.state)],
      ["Image", image ? h("span", {}, link(image.name, "images", image.uuid), " ", uuidText(image.uuid))
        : vm.imageUuid ? uuidText(vm.imageUuid) : null],
      ["Root volume", root ? h("span", { "data-field": "root-volume", "data-uuid": root.uuid }, root.name, " ",
        uuidText(root.uuid), " · ", bytes(root.size)) : null],
      ["Primary storage", nameOr(storage, root && root.primaryStorageUuid)],
      [vm.hostUuid ? "Host" : "Last host", nameOr(host, vm.hostUuid || vm.lastHostUuid)],
      ["Cluster", nameOr(cluster, vm.clusterUuid)],
      ["Zone", nameOr(zone, vm.zoneUuid)],
      ["CPU and memory", `${vm.cpuNum ?? "—"} vCPU · ${bytes(vm.memorySize)}`],
      ["Platform", [vm.platform, vm.guestOsType, vm.architecture].filter(Boolean).join(" · ")],
      ["Description", vm.description || null],
      ["Created", vm.createDate],
    ]));
    return true;
  }

  function renderActions() {
    const buttons = [];
    const act = (label, body, text) => {
      const button = h("button", { type: "button" }, label);
      button.addEventListener("click", () => runAction(button, actionStatus, text,
        () => api.job("PUT", `/vm-instances/${uuid}/actions`, body), refresh));
      return button;
    };
    if (vm.state === "Running") buttons.push(act("Stop", { stopVmInstance: {} }, `Stopping ${vm.name}`));
    if (vm.state === "Stopped") buttons.push(act("Start", { startVmInstance: {} }, `Starting ${vm.name}`));
    // the fleet's way: a plan over every VM that runs the same image (pre-filled, checked before it runs)
    const fleet = vm.imageUuid ? h("a", { class: "button-link", "data-link": "fleet",
      href: `${route("plans", "new")}?${new URLSearchParams({ currentImage: vm.imageUuid })}` },
    "Change every VM like this one…") : null;
    replace(actions, buttons, fleet);
  }

  const candidatesPath = () => `/vm-instances/${encodeURIComponent(uuid)}/image-candidates`;

  async function loadCandidates() {
    let data;
    try {
      data = await api.get(candidatesPath(), { limit: PER_PAGE, start: candidateStart, replyWithCount: true });
    } catch (error) {
      if (error.code === "ID.1001") return;
      replace(candidates, h("h2", { id: "candidates-title" }, "Images it may change to"), errorBox(error, "The candidates failed"));
      return;
    }
    const list = data.inventories || [];
    const total = data.total ?? list.length;
    const bsNames = api.session.isAdmin
      ? await api.byUuid("/backup-storage", list.flatMap((i) => (i.backupStorageRefs || []).map((r) => r.backupStorageUuid)))
        .catch(() => new Map())
      : new Map();
    replace(candidates,
      h("h2", { id: "candidates-title" }, "Images it may change to ", h("span", { class: "count", "data-total": total }, `(${total})`)),
      vm && vm.state !== "Stopped"
        ? h("p", { class: "hint" }, `The VM is ${vm.state}: the server changes the image of a stopped VM only.`) : null,
      list.length ? candidateTable(list, bsNames) : h("p", { class: "empty" }, "No image is a candidate for this VM."),
      total > PER_PAGE ? pagerFor(total, candidateStart, PER_PAGE, "start") : null);
  }

  // The reasons come from a second call (explain=true), so the candidates show at once. When the
  // reply pages the excluded list (it carries excludedTotal), the server pages it: start/limit and
  // excludedStart/excludedLimit ask for the page. A server that sends the whole list gets it shown
  // a page at a time.
  async function loadExcluded() {
    let data;
    try {
      data = await api.get(candidatesPath(), { explain: true, replyWithCount: true, limit: PER_PAGE,
        start: excludedStart, excludedLimit: PER_PAGE, excludedStart });
    } catch (error) {
      if (error.code === "ID.1001") return;
      replace(excluded, h("h2", { id: "excluded-title" }, "Other images, and why not"), errorBox(error, "The reasons failed"));
      return;
    }
    const all = data.excluded || [];
    const paged = typeof data.excludedTotal === "number";
    const outTotal = paged ? data.excludedTotal : all.length;
    const out = paged ? all : all.slice(excludedStart, excludedStart + PER_PAGE);
    replace(excluded,
      h("h2", { id: "excluded-title" }, "Other images, and why not ",
        h("span", { class: "count", "data-total": outTotal }, `(${outTotal})`)),
      out.length ? h("ul", { class: "excluded" }, out.map(excludedItem))
        : h("p", { class: "empty" }, outTotal ? "No more." : "Every image you can see is a candidate."),
      outTotal > PER_PAGE ? pagerFor(outTotal, excludedStart, PER_PAGE, "excludedStart") : null);
  }

  function pagerFor(total, start, size, param) {
    const go = (value) => {
      const next = new URLSearchParams(params);
      if (value > 0) next.set(param, String(value)); else next.delete(param);
      const text = next.toString();
      window.location.hash = route("vms", uuid) + (text ? "?" + text : "");
    };
    return h("nav", { class: "pager", "aria-label": `Pages of ${param === "start" ? "candidates" : "other images"}`,
      "data-pager": param },
      h("span", { class: "pager-count" }, `${start + 1}–${Math.min(total, start + size)} of ${total}`),
      h("button", { type: "button", disabled: start <= 0, onclick: () => go(Math.max(0, start - size)) }, "‹ Previous"),
      h("button", { type: "button", disabled: start + size >= total, onclick: () => go(start + size) }, "Next ›"));
  }

  function candidateTable(list, bsNames) {
    const head = ["Name", "Platform", "Format", "Size", "Architecture", "Backup storage", ""];
    return h("div", { class: "table-wrap" }, h("table", { class: "data candidates" },
      h("thead", {}, h("tr", {}, head.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, list.map((image) => h("tr", { "data-uuid": image.uuid },
        cell("Name", link(image.name, "images", image.uuid), h("br"), uuidText(image.uuid)),
        cell("Platform", image.platform || "—"),
        cell("Format", image.format || "—"),
        cell("Size", bytes(image.size)),
        cell("Architecture", image.architecture || "—"),
        cell("Backup storage", (image.backupStorageRefs || []).map((ref) => h("div", {},
          bsNames.get(ref.backupStorageUuid)?.name || uuidText(ref.backupStorageUuid), " ", badge(ref.status)))),
        cell("", h("button", { type: "button", class: "small",
          "aria-label": `Change ${vm ? vm.name : "the VM"} to ${image.name}`, onclick: () => confirmChange(image) },
        "Change to this image")))))));
  }

  function excludedItem(item) {
    return h("li", { "data-uuid": item.uuid },
      h("div", { class: "excluded-name" }, link(item.name, "images", item.uuid), " ", uuidText(item.uuid)),
      reasonList(item.reasons));
  }

  function confirmChange(image) {
    change.hidden = false;
    const root = vm && (vm.allVolumes || []).find((v) => v.uuid === vm.rootVolumeUuid);
    const go = h("button", { type: "button", class: "primary" }, "Change image");
    const cancel = h("button", { type: "button" }, "Cancel");
    cancel.addEventListener("click", () => { change.hidden = true; replace(change); });
    go.addEventListener("click", () => runChange(image, root));
    replace(change, h("h2", { id: "change-title" }, "Change image"),
      h("p", {}, "Replace the root volume of ", h("strong", {}, vm ? vm.name : uuid), " with a new one made from ",
        h("strong", {}, image.name), "? ",
        root ? ["Its current root volume ", uuidText(root.uuid), " will be deleted."] : null),
      h("div", { class: "actions" }, go, cancel));
    go.focus();
  }

  async function runChange(image, oldRoot) {
    const bar = h("progress", { max: 100, "aria-label": "Change image progress" });
    const line = h("p", { class: "job-line", role: "status", "data-job": "running" }, "Sending…");
    replace(change, h("h2", { id: "change-title" }, `Changing to ${image.name}`), bar, line);
    try {
      const result = await api.job("PUT", `/vm-instances/${uuid}/actions`, { changeVmImage: { imageUuid: image.uuid } },
        ({ state, percent, seconds, jobUuid }) => {
          // GetTaskProgress reports 0 until the job ends: an indeterminate bar says "running" better
          const known = typeof percent === "number" && percent > 0;
          if (known) bar.value = percent; else bar.removeAttribute("value");
          replace(line, "Job ", uuidText(jobUuid), `: ${state}`, known ? `, ${percent}%` : "", ` (${seconds.toFixed(1)} s)`);
        });
      const after = result.inventory || {};
      const newRoot = (after.allVolumes || []).find((v) => v.uuid === after.rootVolumeUuid);
      bar.value = 100;
      replace(change, h("h2", { id: "change-title" }, "Image changed"),
        h("div", { class: "alert alert-ok", role: "status", "data-result": "changed" },
          h("p", {}, h("strong", {}, after.name || vm.name), " now runs ", h("strong", {}, image.name), "."),
          facts([
            ["New root volume", h("span", { "data-field": "new-root-volume" }, newRoot ? `${newRoot.name} ` : "",
              uuidText(after.rootVolumeUuid))],
            newRoot ? ["Size", bytes(newRoot.size)] : null,
            newRoot ? ["Install path", h("code", {}, newRoot.installPath || "—")] : null,
            oldRoot ? ["Old root volume", h("span", {}, uuidText(oldRoot.uuid), " (deleted)")] : null,
          ])));
      await refresh();
    } catch (error) {
      if (error.code === "ID.1001") return;
      replace(change, h("h2", { id: "change-title" }, "The change was refused"), errorBox(error));
    }
  }

  async function refresh() {
    if (await loadVm()) await Promise.all([loadCandidates(), loadExcluded()]);
  }

  refresh();
  return root;
}

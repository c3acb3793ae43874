// A new image change plan (SPEC §11): the target image, the VMs (by Query conditions built from a few
// fields plus free ones, or picked from a VM search), and how it runs. Submitting makes a dry run
// (CreateImageChangePlan with dryRun): the plan's page then shows every VM's verdict, and Start.
//
//   #/plans/new?currentImage=<uuid>   pre-fills "every VM that runs this image" (from a VM's page)
//   #/plans/new?image=<uuid>          pre-fills the target

import { h, replace, badge, uuidText, route } from "./dom.js";
import * as api from "./api.js";
import { errorBox, loading } from "./ui.js";
import { PATH } from "./plans.js";

const UUID = /^[0-9a-f]{32}$/i;
const SHOWN = 8;
const IMAGE_FIELDS = ["uuid", "name", "state", "status", "architecture", "mediaType"];

/**
 * A search box: it searches as you type (once typing pauses), on Enter (which never submits the plan's
 * form) and on Find.
 */
function searchBox(id, label, placeholder, onSearch) {
  const input = h("input", { type: "search", id, autocomplete: "off", placeholder, spellcheck: "false" });
  const button = h("button", { type: "button" }, "Find");
  let timer = null;
  let searched = null;
  const now = () => {
    clearTimeout(timer);
    searched = input.value;
    onSearch();
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      now();
    }
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { if (input.value !== searched) now(); }, 300);
  });
  button.addEventListener("click", now);
  return { input, node: h("div", { class: "picker-search" }, h("label", { for: id }, label), input, button) };
}

/**
 * One image chosen by a search through the Query API (name or uuid), as radio buttons.
 * anyLabel: an extra first choice meaning "no image" (the condition is left out).
 */
function imagePicker({ id, legend, hint, anyLabel, fixed = [], onChange = () => {} }) {
  let chosen = null; // {uuid, name}
  const results = h("div", { class: "picker-results" });
  const chosenLine = h("p", { class: "picker-chosen", "aria-live": "polite" });
  const box = searchBox(`${id}-search`, "Search images", "name or uuid", search);

  function showChosen() {
    replace(chosenLine, chosen ? ["Chosen: ", h("strong", {}, chosen.name || "(not visible to you)"), " ",
      uuidText(chosen.uuid)] : anyLabel ? `Chosen: ${anyLabel}` : h("span", { class: "muted" }, "No image chosen yet."));
    chosenLine.dataset.chosen = chosen ? chosen.uuid : "";
  }

  function choose(image) {
    chosen = image ? { uuid: image.uuid, name: image.name } : null;
    showChosen();
    onChange();
  }

  function option(image) {
    const radio = h("input", { type: "radio", name: `${id}-choice`, id: `${id}-${image ? image.uuid : "any"}`,
      value: image ? image.uuid : "", checked: image ? chosen?.uuid === image.uuid : !chosen });
    radio.addEventListener("change", () => choose(image));
    return h("li", {}, h("label", { class: "choice", for: radio.id }, radio,
      h("span", { class: "choice-text" }, h("span", { class: "choice-name" }, image ? image.name : anyLabel),
        image ? [" ", badge(image.state), image.status !== "Ready" ? [" ", badge(image.status)] : null, " ",
          h("span", { class: "muted" }, [image.architecture, image.mediaType].filter(Boolean).join(" · ")), " ",
          uuidText(image.uuid)] : null)));
  }

  async function search() {
    const text = box.input.value.trim();
    const q = [...fixed];
    if (text) q.push(UUID.test(text) ? `uuid=${text.toLowerCase()}` : `name~=%${text}%`);
    let page;
    try {
      page = await api.query("/images", { q, sort: "+name", limit: SHOWN, fields: IMAGE_FIELDS });
    } catch (error) {
      if (error.code !== "ID.1001") replace(results, errorBox(error, "The search failed"));
      return;
    }
    const items = [anyLabel ? option(null) : null, page.inventories.map(option)];
    replace(results,
      page.inventories.length || anyLabel ? h("ul", { class: "choices" }, items) : null,
      page.inventories.length ? null : h("p", { class: "muted" }, "No image matches."),
      page.total > page.inventories.length
        ? h("p", { class: "muted" }, `${page.total - page.inventories.length} more: refine the search.`) : null);
  }

  /** Pre-select an image by uuid (from the URL): shown with its name when the caller may see it. */
  async function preset(uuid) {
    if (!UUID.test(uuid || "")) return search();
    box.input.value = uuid.toLowerCase();
    const image = await api.one("/images", uuid.toLowerCase()).catch(() => null);
    chosen = { uuid: uuid.toLowerCase(), name: image ? image.name : null };
    showChosen();
    onChange();
    return search();
  }

  showChosen();
  const node = h("fieldset", { class: "picker", id }, h("legend", {}, legend),
    hint ? h("p", { class: "muted field-hint" }, hint) : null, box.node, results, chosenLine);
  return { node, preset, search, value: () => chosen };
}

export function planForm(params) {
  const status = h("div", { class: "form-status", "aria-live": "polite" });
  const preview = h("div", { class: "conditions-preview" });
  const matchLine = h("div", { class: "match-line", "aria-live": "polite" });

  // ---- the target ----
  const target = imagePicker({ id: "target-image", legend: "Target image",
    hint: "The image every selected VM's root volume is made from. Root volume templates you may use.",
    fixed: ["mediaType=RootVolumeTemplate"] });

  // ---- the VMs: conditions ----
  const current = imagePicker({ id: "current-image", legend: "Running image", anyLabel: "any image",
    hint: "Only the VMs that run this image now.", onChange: () => updatePreview() });
  const zone = h("select", { id: "cond-zone" }, h("option", { value: "" }, "any zone"));
  const name = h("input", { id: "cond-name", autocomplete: "off", spellcheck: "false", placeholder: "web-%" });
  const state = h("select", { id: "cond-state" }, h("option", { value: "" }, "any state"),
    ["Stopped", "Running"].map((s) => h("option", { value: s }, s)));
  const more = h("textarea", { id: "cond-more", rows: 3, spellcheck: "false",
    placeholder: "one condition a line, e.g.\nzone.name=zone-a\ncpuNum>=2" });
  for (const input of [zone, state]) input.addEventListener("change", () => updatePreview());
  for (const input of [name, more]) input.addEventListener("input", () => updatePreview());
  const count = h("button", { type: "button" }, "Count matching VMs");
  count.addEventListener("click", countMatches);

  const conditionsPanel = h("div", { class: "vm-mode-panel", id: "vm-conditions" },
    current.node,
    h("div", { class: "form-grid" },
      h("label", { for: "cond-zone" }, h("span", {}, "Zone"), zone),
      h("label", { for: "cond-name" }, h("span", {}, "Name like"), name,
        h("span", { class: "muted field-hint" }, "% matches any characters")),
      h("label", { for: "cond-state" }, h("span", {}, "VM state"), state)),
    h("label", { for: "cond-more", class: "block-label" }, h("span", {}, "More conditions (Query API)"), more,
      h("span", { class: "muted field-hint" }, "field, operator, value, no spaces: imageUuid=…, zone.name=zone-a, "
        + "clusterUuid?=a,b, name~=db-%, memorySize>=1073741824")),
    h("div", { class: "conditions-row" }, preview, count), matchLine);

  // ---- the VMs: picked by hand ----
  const picked = new Map(); // uuid → {name, state}
  const vmResults = h("div", { class: "picker-results" });
  const pickedList = h("div", { class: "picked", "aria-live": "polite" });
  const vmSearch = searchBox("vm-search", "Search VMs", "name or uuid", searchVms);
  const pickPanel = h("div", { class: "vm-mode-panel", id: "vm-pick", hidden: true },
    vmSearch.node, vmResults, pickedList);

  async function searchVms() {
    const text = vmSearch.input.value.trim();
    const q = text ? [UUID.test(text) ? `uuid=${text.toLowerCase()}` : `name~=%${text}%`] : [];
    let page;
    try {
      page = await api.query("/vm-instances", { q, sort: "+name", limit: SHOWN, fields: ["uuid", "name", "state"] });
    } catch (error) {
      if (error.code !== "ID.1001") replace(vmResults, errorBox(error, "The search failed"));
      return;
    }
    replace(vmResults,
      page.inventories.length ? h("ul", { class: "choices" }, page.inventories.map((vm) => {
        const box = h("input", { type: "checkbox", id: `pick-${vm.uuid}`, value: vm.uuid, checked: picked.has(vm.uuid) });
        box.addEventListener("change", () => {
          if (box.checked) picked.set(vm.uuid, vm); else picked.delete(vm.uuid);
          showPicked();
        });
        return h("li", {}, h("label", { class: "choice", for: box.id }, box,
          h("span", { class: "choice-text" }, h("span", { class: "choice-name" }, vm.name), " ", badge(vm.state), " ",
            uuidText(vm.uuid))));
      })) : h("p", { class: "muted" }, "No VM matches."),
      page.total > page.inventories.length
        ? h("p", { class: "muted" }, `${page.total - page.inventories.length} more: refine the search.`) : null);
  }

  function showPicked() {
    if (!picked.size) {
      replace(pickedList, h("p", { class: "muted" }, "No VM picked yet."));
      return;
    }
    replace(pickedList, h("p", {}, h("strong", {}, `Picked: ${picked.size}`)),
      h("ul", { class: "picked-list" }, [...picked.values()].map((vm) => {
        const remove = h("button", { type: "button", class: "small", "aria-label": `Remove ${vm.name}` }, "Remove");
        remove.addEventListener("click", () => {
          picked.delete(vm.uuid);
          const box = document.getElementById(`pick-${vm.uuid}`);
          if (box) box.checked = false;
          showPicked();
          vmSearch.input.focus();
        });
        return h("li", { "data-uuid": vm.uuid }, h("span", { class: "choice-name" }, vm.name), " ", uuidText(vm.uuid),
          " ", remove);
      })));
  }

  // ---- which way ----
  const byConditions = h("input", { type: "radio", name: "vm-mode", id: "vm-mode-conditions", value: "conditions",
    checked: true });
  const byPicking = h("input", { type: "radio", name: "vm-mode", id: "vm-mode-pick", value: "pick" });
  const switchMode = () => {
    conditionsPanel.hidden = !byConditions.checked;
    pickPanel.hidden = byConditions.checked;
    if (byPicking.checked && !vmResults.hasChildNodes()) searchVms();
  };
  byConditions.addEventListener("change", switchMode);
  byPicking.addEventListener("change", switchMode);

  // ---- how ----
  const concurrency = h("input", { type: "number", id: "plan-concurrency", min: 1, max: 64, step: 1, value: "4",
    required: true, inputmode: "numeric" });
  const maxFailures = h("input", { type: "number", id: "plan-max-failures", min: 0, step: 1, value: "0",
    required: true, inputmode: "numeric" });
  const stopRunning = h("input", { type: "checkbox", id: "plan-stop-running" });
  const planName = h("input", { id: "plan-name", maxlength: 255, autocomplete: "off",
    placeholder: "change to <target image>" });
  const description = h("input", { id: "plan-description", maxlength: 2048, autocomplete: "off" });

  const submit = h("button", { type: "submit", class: "primary" }, "Check the VMs (dry run)");
  const form = h("form", { class: "plan-form", "aria-labelledby": "new-plan-title" },
    target.node,
    h("fieldset", { class: "vm-selection" }, h("legend", {}, "VMs"),
      h("div", { class: "mode-switch", role: "radiogroup", "aria-label": "How the VMs are chosen" },
        h("label", { for: "vm-mode-conditions", class: "choice" }, byConditions, " VMs matching conditions"),
        h("label", { for: "vm-mode-pick", class: "choice" }, byPicking, " VMs I pick")),
      h("p", { class: "muted field-hint" }, "Conditions are evaluated once, when the plan is made: "
        + "VMs created later are not added."),
      conditionsPanel, pickPanel),
    h("fieldset", {}, h("legend", {}, "How it runs"),
      h("div", { class: "form-grid" },
        h("label", { for: "plan-concurrency" }, h("span", {}, "VMs changed at once (1–64)"), concurrency),
        h("label", { for: "plan-max-failures" }, h("span", {}, "Failed VMs allowed before it pauses"), maxFailures)),
      h("label", { for: "plan-stop-running", class: "choice" }, stopRunning,
        " Stop running VMs, change them, and start them again (otherwise a running VM is refused)"),
      h("div", { class: "form-grid" },
        h("label", { for: "plan-name" }, h("span", {}, "Name (optional)"), planName),
        h("label", { for: "plan-description" }, h("span", {}, "Description (optional)"), description))),
    h("p", { class: "muted" }, "Nothing changes yet: the dry run checks every selected VM with ChangeVmImage's rules "
      + "and shows which will change and why the others cannot. You start the plan from its page."),
    h("div", { class: "actions" }, submit), status);

  function conditions() {
    const q = [];
    const image = current.value();
    if (image) q.push(`imageUuid=${image.uuid}`);
    if (zone.value) q.push(`zoneUuid=${zone.value}`);
    if (name.value.trim()) q.push(`name~=${name.value.trim()}`);
    if (state.value) q.push(`state=${state.value}`);
    for (const line of more.value.split("\n")) if (line.trim()) q.push(line.trim());
    return q;
  }

  function updatePreview() {
    const q = conditions();
    replace(matchLine);
    replace(preview, h("span", { class: "muted" }, "Conditions: "), q.length
      ? h("ul", { class: "condition-list" }, q.map((c) => h("li", {}, h("code", {}, c))))
      : h("span", { class: "muted" }, "none yet"));
  }

  async function countMatches() {
    const q = conditions();
    if (!q.length) {
      replace(matchLine, h("p", { class: "hint" }, "Give a condition first."));
      return;
    }
    replace(matchLine, loading("Counting…"));
    try {
      const total = await api.count("/vm-instances", q);
      replace(matchLine, h("p", { "data-matches": total }, `${total} ${total === 1 ? "VM matches" : "VMs match"}.`));
    } catch (error) {
      if (error.code !== "ID.1001") replace(matchLine, errorBox(error, "The conditions were refused"));
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const image = target.value();
    const refuse = (text) => replace(status, errorBox(new Error(text)));
    if (!image) return refuse("Choose the target image first.");
    const body = { imageUuid: image.uuid, dryRun: true, maxConcurrency: Number(concurrency.value),
      stopRunningVms: stopRunning.checked, maxFailures: Number(maxFailures.value) };
    if (planName.value.trim()) body.name = planName.value.trim();
    if (description.value.trim()) body.description = description.value.trim();
    if (byPicking.checked) {
      if (!picked.size) return refuse("Pick at least one VM.");
      body.vmInstanceUuids = [...picked.keys()];
    } else {
      const q = conditions();
      if (!q.length) {
        return refuse("Give at least one condition: the running image, a zone, a name, a state or one of your own "
          + "(uuid not null selects every VM you can see).");
      }
      body.conditions = q;
    }
    submit.disabled = true;
    const line = h("p", { class: "job-line", role: "status", "data-job": "checking" }, "Sending…");
    replace(status, line);
    try {
      const result = await api.job("POST", PATH, { params: body }, ({ state: s, seconds }) =>
        replace(line, `Checking the VMs: ${s} (${seconds.toFixed(1)} s)`));
      window.location.hash = route("plans", result.inventory.uuid);
    } catch (error) {
      if (error.code !== "ID.1001") replace(status, errorBox(error, "The plan was refused"));
    } finally {
      submit.disabled = false;
    }
  });

  (async () => {
    try {
      const zones = await api.query("/zones", { sort: "+name", limit: 100, fields: ["uuid", "name"] });
      for (const z of zones.inventories) zone.append(h("option", { value: z.uuid }, z.name));
    } catch (error) {
      if (error.code !== "ID.1001") replace(matchLine, errorBox(error, "The zones failed"));
    }
  })();
  target.preset(params.get("image"));
  current.preset(params.get("currentImage"));
  updatePreview();
  showPicked();

  return h("section", { class: "page plan-new" },
    h("p", { class: "crumbs" }, h("a", { href: "#/plans" }, "Image change plans"), " / "),
    h("h1", { tabindex: "-1", id: "new-plan-title" }, "New image change plan"),
    h("p", { class: "muted" }, "Change the image of many VMs at once: choose the target image and the VMs, "
      + "check them, then start."),
    form);
}

// Shared pieces of the console's pages: error boxes worded as the server words them, notices,
// the state-change buttons, and the page skeleton.

import { h, replace, uuidText } from "./dom.js";
import * as api from "./api.js";
import { reasonText, backupStorageReasonText } from "./words.js";

/** An API failure as the server words it: its code, description and details. */
export function errorBox(error, heading = "The server refused") {
  if (!(error instanceof api.ApiError)) { // the console's own check, before anything was sent
    return h("div", { class: "alert alert-error", role: "alert" }, String(error && error.message ? error.message : error));
  }
  return h("div", { class: "alert alert-error", role: "alert", "data-code": error.code },
    h("strong", {}, `${heading}: `), h("span", { class: "error-description" }, error.description),
    error.details ? h("div", { class: "error-details" }, error.details) : null,
    h("div", { class: "error-code muted" }, `code ${error.code}`));
}

/**
 * An ErrorCode carried inside an inventory (a plan's VM that failed or was refused), as the server
 * words it: its details, then its code and description, and its cause (a restart that failed after a
 * failed change).
 */
export function serverError(error) {
  if (!error) return null;
  return h("div", { class: "server-error", "data-code": error.code },
    error.details ? h("div", { class: "error-details" }, error.details) : null,
    h("div", { class: "error-code" }, h("code", {}, error.code), " ",
      h("span", { class: "error-description" }, error.description || "")),
    error.cause ? h("div", { class: "error-cause" }, h("span", { class: "muted" }, "caused by: "),
      serverError(error.cause)) : null);
}

/**
 * The candidate rules' reasons (explain's, or a plan's Refused VM's) in plain words, each with the
 * server's own code and message beside them, and per backup storage for NO_USABLE_BACKUP_STORAGE.
 */
export function reasonList(reasons) {
  return h("ul", { class: "reasons" }, (reasons || []).map((reason) => h("li", { "data-code": reason.code },
    h("span", { class: "reason-text" }, reasonText(reason.code)),
    reason.backupStorages && reason.backupStorages.length
      ? h("ul", { class: "bs-reasons" }, reason.backupStorages.map((bs) => h("li", { "data-bs": bs.uuid },
        h("strong", {}, bs.name || bs.uuid), " ", uuidText(bs.uuid), ": ",
        (bs.codes || []).map(backupStorageReasonText).join("; "),
        " ", h("span", { class: "codes muted" }, `(${(bs.codes || []).join(", ")})`))))
      : null,
    h("div", { class: "server-says muted" }, h("code", {}, reason.code), " ", reason.message || ""))));
}

export function notice(text, kind = "ok") {
  return h("div", { class: `alert alert-${kind}`, role: "status" }, text);
}

export function page(title, ...children) {
  return h("section", { class: "page" }, h("h1", { tabindex: "-1" }, title), children);
}

export function loading(text = "Loading…") {
  return h("p", { class: "muted loading", role: "status" }, text);
}

/**
 * Run an async API from a button: disables it, shows the outcome in `status` (a node), then calls
 * `after` on success. Failures are shown as the server words them.
 */
export async function runAction(button, status, label, work, after) {
  button.disabled = true;
  replace(status, h("span", { class: "muted", role: "status" }, `${label}…`));
  try {
    const result = await work();
    replace(status, notice(`${label}: done.`));
    if (after) await after(result);
  } catch (error) {
    if (error.code === "ID.1001") return;
    replace(status, errorBox(error));
  } finally {
    button.disabled = false;
  }
}

/**
 * Enable / Disable buttons for a resource with a state (hosts, primary and backup storage, images).
 * `actionKey` is the API's body key (changeHostState…), `path` the resource's actions URL.
 */
export function stateButtons(inventory, actionKey, path, status, after) {
  const enabled = inventory.state === "Enabled";
  const event = enabled ? "disable" : "enable";
  const label = `${enabled ? "Disable" : "Enable"} ${inventory.name}`;
  const button = h("button", { type: "button", class: "small", "aria-label": label }, enabled ? "Disable" : "Enable");
  button.addEventListener("click", () => runAction(button, status, label,
    () => api.job("PUT", `${path}/${inventory.uuid}/actions`, { [actionKey]: { stateEvent: event } }), after));
  return button;
}

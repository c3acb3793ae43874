// An image's page: its fields and copies on backup storage, Enable/Disable, and sharing
// (ShareResource / RevokeResourceSharing) with an account or with everyone.

import { h, replace, badge, bytes, facts, uuidText, cell } from "./dom.js";
import * as api from "./api.js";
import { errorBox, loading, runAction, stateButtons } from "./ui.js";

const UUID = /^[0-9a-f]{32}$/i;

export function imagePage(uuid) {
  const title = h("h1", { tabindex: "-1" }, "Image");
  const stateBadge = h("span", { class: "title-badge" });
  const actions = h("div", { class: "actions" });
  const actionStatus = h("div", { class: "action-status", "aria-live": "polite" });
  const details = h("div", { class: "details" }, loading());
  const refs = h("section", { class: "panel", "aria-labelledby": "refs-title" });
  const sharing = h("section", { class: "panel", id: "sharing", "aria-labelledby": "sharing-title" });
  const root = h("section", { class: "page image-page" },
    h("p", { class: "crumbs" }, h("a", { href: "#/images" }, "Images"), " / "),
    h("div", { class: "title-row" }, title, stateBadge), actions, actionStatus, details, refs, sharing);

  async function load() {
    let image;
    try {
      image = await api.one("/images", uuid);
    } catch (error) {
      if (error.code !== "ID.1001") replace(details, errorBox(error, "Could not load the image"));
      return;
    }
    if (!image) {
      replace(title, "Image not found");
      replace(details, h("p", { class: "alert alert-error", role: "alert", "data-code": "not-found" },
        "No image with uuid ", uuidText(uuid), " exists, or it is not visible to your account."));
      return;
    }
    // everything is fetched before anything is replaced, so the page never shows half an update
    const storages = api.session.isAdmin
      ? await api.byUuid("/backup-storage", (image.backupStorageRefs || []).map((r) => r.backupStorageUuid)).catch(() => new Map())
      : new Map();
    replace(title, image.name);
    replace(stateBadge, badge(image.state));
    replace(actions, stateButtons(image, "changeImageState", "/images", actionStatus, load));
    replace(details, facts([
      ["UUID", uuidText(image.uuid)],
      ["State", badge(image.state)],
      ["Status", badge(image.status)],
      ["Media type", image.mediaType],
      ["Platform", [image.platform, image.guestOsType].filter(Boolean).join(" · ")],
      ["Format", image.format],
      ["Architecture", image.architecture],
      ["System image", image.system ? "yes" : "no"],
      ["Size", `${bytes(image.size)} (actual ${bytes(image.actualSize)})`],
      ["URL", image.url ? h("code", {}, image.url) : null],
      ["MD5", image.md5Sum ? h("code", {}, image.md5Sum) : null],
      ["Description", image.description || null],
      ["Created", image.createDate],
    ]));
    replace(refs, h("h2", { id: "refs-title" }, "Copies on backup storage"),
      (image.backupStorageRefs || []).length
        ? h("div", { class: "table-wrap" }, h("table", { class: "data" },
          h("thead", {}, h("tr", {}, ["Backup storage", "Status", "Install path"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, image.backupStorageRefs.map((ref) => {
            const bs = storages.get(ref.backupStorageUuid);
            return h("tr", {},
              cell("Backup storage", bs ? [bs.name, " ", badge(bs.state), " ", badge(bs.status), h("br")] : null,
                uuidText(ref.backupStorageUuid)),
              cell("Status", badge(ref.status)),
              cell("Install path", h("code", { class: "path" }, ref.installPath || "—")));
          }))))
        : h("p", { class: "empty" }, "No copy."));
    if (!sharing.hasChildNodes()) renderSharing(image);
  }

  function renderSharing(image) {
    const status = h("div", { class: "action-status", "aria-live": "polite" });
    const input = h("input", { id: "share-account", name: "account", autocomplete: "off", required: true,
      placeholder: api.session.isAdmin ? "account name or uuid" : "account uuid" });
    const share = h("button", { type: "submit" }, "Share with account");
    const revoke = h("button", { type: "button" }, "Revoke from account");
    const form = h("form", { class: "share-form", "aria-label": "Share with an account" },
      h("label", { for: "share-account" }, "Account"), input, share, revoke);

    const accountUuid = async () => {
      const text = input.value.trim();
      if (UUID.test(text)) return text.toLowerCase();
      const found = await api.query("/accounts", { q: [`name=${text}`], limit: 2 });
      if (found.inventories.length !== 1) {
        throw new Error(`No account named "${text}" is visible to you: give its uuid.`);
      }
      return found.inventories[0].uuid;
    };
    const act = (button, key, label, body) => runAction(button, status, label,
      async () => api.job("PUT", "/accounts/resources/actions", { [key]: { resourceUuids: [image.uuid], ...(await body()) } }));

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(share, "shareResource", `Sharing ${image.name} with ${input.value.trim()}`,
        async () => ({ accountUuids: [await accountUuid()] }));
    });
    revoke.addEventListener("click", () => {
      if (!form.reportValidity()) return;
      act(revoke, "revokeResourceSharing", `Revoking ${image.name} from ${input.value.trim()}`,
        async () => ({ accountUuids: [await accountUuid()] }));
    });
    const publicShare = h("button", { type: "button" }, "Share with everyone");
    publicShare.addEventListener("click", () => act(publicShare, "shareResource", `Sharing ${image.name} with everyone`,
      async () => ({ toPublic: true })));
    const publicRevoke = h("button", { type: "button" }, "Stop sharing with everyone");
    publicRevoke.addEventListener("click", () => act(publicRevoke, "revokeResourceSharing",
      `Revoking public sharing of ${image.name}`, async () => ({ toPublic: true })));
    const revokeAll = h("button", { type: "button" }, "Revoke all sharing");
    revokeAll.addEventListener("click", () => act(revokeAll, "revokeResourceSharing", `Revoking all sharing of ${image.name}`,
      async () => ({ all: true })));

    replace(sharing, h("h2", { id: "sharing-title" }, "Sharing"),
      h("p", { class: "muted" }, "An image shared with an account (or with everyone) can be used by it: it becomes a "
        + "candidate for its VMs. Only the image's owner or an admin may share it."),
      form,
      h("div", { class: "actions" }, publicShare, publicRevoke, revokeAll),
      status);
  }

  load();
  return root;
}

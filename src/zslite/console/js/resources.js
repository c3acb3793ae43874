// The lists: VMs, images, volumes, and the infrastructure (zones, clusters, hosts, primary and
// backup storage). Each is a Query API with its columns; names of related resources come from one
// batched query per kind (uuid?=a,b,c) for the page on screen.

import { h, link, badge, bytes, capacityBar, uuidText } from "./dom.js";
import * as api from "./api.js";
import { stateButtons } from "./ui.js";

const name = (inv, kind) => h("span", { class: "name-cell" }, link(inv.name || inv.uuid, kind, inv.uuid));
export const short = (uuid) => (uuid ? h("code", { class: "uuid", title: uuid }, uuid.slice(0, 8) + "…") : h("span", { class: "muted" }, "—"));

/** A related resource's name when the caller may see it, else its short uuid. */
export function named(map, uuid, kind) {
  const inv = uuid && map && map.get(uuid);
  if (inv) return kind ? link(inv.name, kind, uuid) : h("span", {}, inv.name);
  return short(uuid);
}

export async function lookups(spec) {
  const entries = await Promise.all(Object.entries(spec).map(async ([key, [path, uuids]]) =>
    [key, await api.byUuid(path, uuids).catch(() => new Map())]));
  return Object.fromEntries(entries);
}

const created = { label: "Created", sort: "createDate", cell: (inv) => h("span", { class: "nowrap" }, inv.createDate || "—") };

export function vms() {
  return {
    id: "vms", title: "Virtual machines", path: "/vm-instances", base: "#/vms",
    filters: [{ param: "state", label: "State", field: "state",
      options: ["Running", "Stopped", "Starting", "Stopping", "Created", "Destroyed", "Unknown"] }],
    empty: "No VM matches.",
    related: (invs) => lookups({
      images: ["/images", invs.map((v) => v.imageUuid)],
      zones: ["/zones", invs.map((v) => v.zoneUuid)],
    }),
    columns: [
      { label: "Name", sort: "name", cell: (inv) => name(inv, "vms") },
      { label: "State", sort: "state", cell: (inv) => badge(inv.state) },
      { label: "Image", cell: (inv, r) => named(r.images, inv.imageUuid, "images") },
      { label: "Zone", cell: (inv, r) => named(r.zones, inv.zoneUuid) },
      { label: "CPUs", sort: "cpuNum", cell: (inv) => String(inv.cpuNum ?? "—") },
      { label: "Memory", sort: "memorySize", cell: (inv) => bytes(inv.memorySize) },
      created,
    ],
  };
}

export function images() {
  return {
    id: "images", title: "Images", path: "/images", base: "#/images",
    fields: ["uuid", "name", "state", "status", "mediaType", "platform", "format", "architecture", "size",
      "createDate"],
    filters: [
      { param: "state", label: "State", field: "state", options: ["Enabled", "Disabled"] },
      { param: "mediaType", label: "Media type", field: "mediaType",
        options: ["RootVolumeTemplate", "DataVolumeTemplate", "ISO"] },
    ],
    empty: "No image matches.",
    columns: [
      { label: "Name", sort: "name", cell: (inv) => name(inv, "images") },
      { label: "State", sort: "state", cell: (inv) => badge(inv.state) },
      { label: "Status", sort: "status", cell: (inv) => badge(inv.status) },
      { label: "Media type", sort: "mediaType", cell: (inv) => inv.mediaType },
      { label: "Platform", sort: "platform", cell: (inv) => inv.platform || "—" },
      { label: "Format", sort: "format", cell: (inv) => inv.format || "—" },
      { label: "Architecture", sort: "architecture", cell: (inv) => inv.architecture || "—" },
      { label: "Size", sort: "size", cell: (inv) => bytes(inv.size) },
      created,
    ],
  };
}

export function volumes() {
  return {
    id: "volumes", title: "Volumes", path: "/volumes", base: "#/volumes",
    filters: [{ param: "type", label: "Type", field: "type", options: ["Root", "Data"] }],
    empty: "No volume matches.",
    related: (invs) => lookups({
      vms: ["/vm-instances", invs.map((v) => v.vmInstanceUuid)],
      storages: ["/primary-storage", invs.map((v) => v.primaryStorageUuid)],
    }),
    columns: [
      { label: "Name", sort: "name", cell: (inv) => h("span", {}, inv.name, h("br"), uuidText(inv.uuid)) },
      { label: "Type", sort: "type", cell: (inv) => inv.type },
      { label: "VM", cell: (inv, r) => named(r.vms, inv.vmInstanceUuid, "vms") },
      { label: "Primary storage", cell: (inv, r) => named(r.storages, inv.primaryStorageUuid) },
      { label: "Size", sort: "size", cell: (inv) => bytes(inv.size) },
      { label: "Status", sort: "status", cell: (inv) => badge(inv.status) },
      created,
    ],
  };
}

const STATE_FILTER = (options = ["Enabled", "Disabled"]) => ({ param: "state", label: "State", field: "state", options });
const STATUS_FILTER = { param: "status", label: "Status", field: "status", options: ["Connected", "Disconnected", "Connecting"] };

function actionCell(actionKey, path) {
  return (inv, related, ctx) => (api.session.isAdmin
    ? stateButtons(inv, actionKey, path, ctx.status, ctx.reload) : h("span", { class: "muted" }, "—"));
}

export const INFRA = {
  zones: () => ({
    id: "zones", title: "Zones", path: "/zones", base: "#/infra/zones", filters: [STATE_FILTER()],
    columns: [
      { label: "Name", sort: "name", cell: (inv) => h("span", {}, inv.name, h("br"), uuidText(inv.uuid)) },
      { label: "State", sort: "state", cell: (inv) => badge(inv.state) },
      { label: "Default", cell: (inv) => (inv.isDefault ? "yes" : "no") },
      created,
    ],
  }),
  clusters: () => ({
    id: "clusters", title: "Clusters", path: "/clusters", base: "#/infra/clusters", filters: [STATE_FILTER()],
    related: (invs) => lookups({ zones: ["/zones", invs.map((c) => c.zoneUuid)] }),
    columns: [
      { label: "Name", sort: "name", cell: (inv) => h("span", {}, inv.name, h("br"), uuidText(inv.uuid)) },
      { label: "State", sort: "state", cell: (inv) => badge(inv.state) },
      { label: "Zone", cell: (inv, r) => named(r.zones, inv.zoneUuid) },
      { label: "Hypervisor", cell: (inv) => inv.hypervisorType },
      { label: "Architecture", sort: "architecture", cell: (inv) => inv.architecture || "—" },
    ],
  }),
  hosts: () => ({
    id: "hosts", title: "Hosts", path: "/hosts", base: "#/infra/hosts",
    filters: [STATE_FILTER(["Enabled", "Disabled", "PreMaintenance", "Maintenance"]), STATUS_FILTER],
    related: (invs) => lookups({ clusters: ["/clusters", invs.map((x) => x.clusterUuid)] }),
    columns: [
      { label: "Name", sort: "name", cell: (inv) => h("span", {}, inv.name, h("br"), uuidText(inv.uuid)) },
      { label: "Management IP", sort: "managementIp", cell: (inv) => inv.managementIp },
      { label: "Cluster", cell: (inv, r) => named(r.clusters, inv.clusterUuid) },
      { label: "State", sort: "state", cell: (inv) => badge(inv.state) },
      { label: "Status", sort: "status", cell: (inv) => badge(inv.status) },
      { label: "Capacity", cell: (inv) => h("div", { class: "bars" },
        capacityBar("CPU", inv.totalCpuCapacity - inv.availableCpuCapacity, inv.totalCpuCapacity, (n) => `${n} vCPU`),
        capacityBar("Memory", inv.totalMemoryCapacity - inv.availableMemoryCapacity, inv.totalMemoryCapacity)) },
      { label: "Action", cell: actionCell("changeHostState", "/hosts") },
    ],
  }),
  "primary-storage": () => ({
    id: "primary-storage", title: "Primary storage", path: "/primary-storage", base: "#/infra/primary-storage",
    filters: [STATE_FILTER(["Enabled", "Disabled", "Maintenance"]), STATUS_FILTER,
      { param: "type", label: "Type", field: "type", options: ["LocalStorage", "NFS", "SharedMountPoint", "Ceph"] }],
    related: (invs) => lookups({ zones: ["/zones", invs.map((x) => x.zoneUuid)] }),
    columns: [
      { label: "Name", sort: "name", cell: (inv) => h("span", {}, inv.name, h("br"), uuidText(inv.uuid)) },
      { label: "Type", sort: "type", cell: (inv) => inv.type },
      { label: "Zone", cell: (inv, r) => named(r.zones, inv.zoneUuid) },
      { label: "State", sort: "state", cell: (inv) => badge(inv.state) },
      { label: "Status", sort: "status", cell: (inv) => badge(inv.status) },
      { label: "Capacity", cell: (inv) => capacityBar("Space", inv.totalCapacity - inv.availableCapacity, inv.totalCapacity) },
      { label: "Action", cell: actionCell("changePrimaryStorageState", "/primary-storage") },
    ],
  }),
  "backup-storage": () => ({
    id: "backup-storage", title: "Backup storage", path: "/backup-storage", base: "#/infra/backup-storage",
    filters: [STATE_FILTER(), STATUS_FILTER,
      { param: "type", label: "Type", field: "type", options: ["ImageStoreBackupStorage", "SftpBackupStorage", "Ceph"] }],
    columns: [
      { label: "Name", sort: "name", cell: (inv) => h("span", {}, inv.name, h("br"), uuidText(inv.uuid)) },
      { label: "Type", sort: "type", cell: (inv) => inv.type },
      { label: "State", sort: "state", cell: (inv) => badge(inv.state) },
      { label: "Status", sort: "status", cell: (inv) => badge(inv.status) },
      { label: "Capacity", cell: (inv) => capacityBar("Space", inv.totalCapacity - inv.availableCapacity, inv.totalCapacity) },
      { label: "Action", cell: actionCell("changeBackupStorageState", "/backup-storage") },
    ],
  }),
};

export const INFRA_TABS = [
  ["zones", "Zones"], ["clusters", "Clusters"], ["hosts", "Hosts"], ["primary-storage", "Primary storage"],
  ["backup-storage", "Backup storage"],
];

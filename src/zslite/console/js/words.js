// The candidate rules' reason codes (SPEC §4) in plain words. The server's own message for each
// reason is shown beside these words, so nothing it says is lost.

export const REASONS = {
  MEDIA_TYPE: "It is not a root volume template (an ISO or a data volume template cannot become a root disk).",
  DISABLED: "The image is disabled.",
  NOT_READY: "The image is not ready (still downloading, failed, or deleted).",
  SYSTEM: "It is a system image, reserved for the cloud's own appliances.",
  ARCHITECTURE: "It is built for another CPU architecture than this VM's cluster.",
  NO_USABLE_BACKUP_STORAGE: "No backup storage holding it can serve this VM's primary storage:",
};

export const BACKUP_STORAGE_REASONS = {
  BS_NOT_IN_ZONE: "not attached to this VM's zone",
  BS_TYPE_INCOMPATIBLE: "its type cannot feed this VM's primary storage",
  CEPH_FSID_MISMATCH: "a different Ceph cluster than the VM's primary storage (fsid differs)",
  BS_DISABLED: "the backup storage is disabled",
  BS_DISCONNECTED: "the backup storage is disconnected",
  REF_NOT_READY: "the image's copy there is not ready",
};

export function reasonText(code) {
  return REASONS[code] || `Excluded by rule ${code}.`;
}

export function backupStorageReasonText(code) {
  return BACKUP_STORAGE_REASONS[code] || code;
}

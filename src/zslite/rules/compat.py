"""Which backup storage can feed which primary storage (SPEC §4 rule 7b), one table for the
candidate rules and the VM allocator alike."""

from __future__ import annotations

IMAGE_STORE = "ImageStoreBackupStorage"
SFTP = "SftpBackupStorage"
CEPH = "Ceph"

BS_TYPES = (IMAGE_STORE, SFTP, CEPH)
PS_TYPES = ("LocalStorage", "NFS", "SharedMountPoint", "Ceph")

# primary-storage type -> backup-storage types it takes images from (Ceph BS also needs the same fsid)
PS_ACCEPTS: dict[str, frozenset[str]] = {
    "LocalStorage": frozenset({IMAGE_STORE, SFTP}),
    "NFS": frozenset({IMAGE_STORE, SFTP}),
    "SharedMountPoint": frozenset({IMAGE_STORE, SFTP}),
    "Ceph": frozenset({IMAGE_STORE, CEPH}),
}


def feed_problems(bs_type: str, bs_fsid: str | None, ps_type: str, ps_fsid: str | None) -> list[str]:
    """Reason codes why a backup storage of this type cannot feed this primary storage ([] = it can)."""
    if bs_type not in PS_ACCEPTS.get(ps_type, frozenset()):
        return ["BS_TYPE_INCOMPATIBLE"]
    if bs_type == CEPH and (bs_fsid is None or bs_fsid != ps_fsid):
        return ["CEPH_FSID_MISMATCH"]
    return []

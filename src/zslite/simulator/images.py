"""The simulated backup-storage agent for images: where an image lands, and what a download reports.

- Install paths follow each storage type's style: ``zstore://<bs>/<image>`` (image store),
  ``ceph://<pool>/<uuid>`` (Ceph), ``<url>/rootVolumeTemplates/acct-<account>/<image>/<file>`` (sftp).
- ``file://`` URLs are read for real: size (the virtual size for qcow2, read from its header),
  actualSize (bytes on disk) and md5Sum. Other URLs (http, https, ftp, ...) are recorded as given and
  never fetched: their size is unknown (0) until a real agent reports it.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

from zslite.db.models import BackupStorage
from zslite.errors import OperationError

CHUNK = 1024 * 1024
QCOW2_MAGIC = b"QFI\xfb"
SCHEMES = ("http", "https", "ftp", "sftp", "file", "zstore", "ceph", "nfs")

_FOLDERS = {"RootVolumeTemplate": "rootVolumeTemplates", "DataVolumeTemplate": "dataVolumeTemplates",
            "ISO": "iso"}


@dataclass(frozen=True)
class Download:
    size: int
    actual_size: int
    md5_sum: str | None


def scheme_of(url: str) -> str:
    return urlparse(url).scheme.lower()


def ceph_pool(bs: BackupStorage) -> str:
    """The Ceph pool images go to: the storage's poolName, else ZStack's default for that storage."""
    return bs.pool_name or f"bak-t-{bs.uuid}"


def _file_name(name: str, media_type: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "image"
    return f"{safe}.iso" if media_type == "ISO" else f"{safe}.template"


def install_path(bs: BackupStorage, image_uuid: str, image_name: str, media_type: str, account_uuid: str,
                 new_uuid) -> str:
    if bs.type == "Ceph":
        return f"ceph://{ceph_pool(bs)}/{new_uuid()}"
    if bs.type == "ImageStoreBackupStorage":
        return f"zstore://{bs.uuid}/{image_uuid}"
    folder = _FOLDERS.get(media_type, "rootVolumeTemplates")
    return (f"{(bs.url or '').rstrip('/')}/{folder}/acct-{account_uuid}/{image_uuid}/"
            f"{_file_name(image_name, media_type)}")


def _qcow2_virtual_size(head: bytes) -> int | None:
    if len(head) >= 32 and head[:4] == QCOW2_MAGIC:
        return int.from_bytes(head[24:32], "big")
    return None


def read_local(url: str) -> Download:
    """Read a file:// image for real. Anything but a readable regular file is a clear failure."""
    path = unquote(urlparse(url).path)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise OperationError(f"cannot download image from url[{url}]: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise OperationError(f"cannot download image from url[{url}]: not a regular file")
    md5 = hashlib.md5(usedforsecurity=False)
    head = b""
    try:
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                if len(head) < 32:
                    head += chunk[:32]
                md5.update(chunk)
    except OSError as exc:
        raise OperationError(f"cannot download image from url[{url}]: {exc.strerror or exc}") from None
    virtual = _qcow2_virtual_size(head)
    return Download(size=virtual if virtual is not None else st.st_size, actual_size=st.st_size,
                    md5_sum=md5.hexdigest())


def download(url: str) -> Download:
    """What the simulated agent reports after downloading url."""
    if scheme_of(url) == "file":
        return read_local(url)
    return Download(size=0, actual_size=0, md5_sum=None)

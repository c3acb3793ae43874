"""System tags that carry a value ("<prefix><value>", e.g. "ceph::fsid::<fsid>"): read by the services
and by the simulated agents alike, so they live below both."""

from __future__ import annotations


def tag_value(tags, prefix: str) -> str | None:
    """The value of the first tag "<prefix><value>" (e.g. prefix "ceph::fsid::")."""
    for tag in tags or ():
        if tag.startswith(prefix):
            return tag[len(prefix):]
    return None

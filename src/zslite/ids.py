"""32-hex uuids (a v4 uuid without dashes), as ZStack uses everywhere."""

from __future__ import annotations

import re
import uuid

UUID_RE = re.compile(r"^[0-9a-f]{32}$")


def new_uuid() -> str:
    return uuid.uuid4().hex

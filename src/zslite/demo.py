"""The demo cloud (filled by the inventory issue): for now, the login + curl lines."""

from __future__ import annotations

import sys

from zslite.security import sha512_hex


def load(rt) -> dict:
    return {}


def load_and_print(rt, port: int) -> dict:
    scene = load(rt)
    pw = sha512_hex(rt.settings.admin_password)
    print(f"""
zslite is ready on http://localhost:{port}/zstack/v1

Log in:
  curl -s -X PUT http://localhost:{port}/zstack/v1/accounts/login \\
    -d '{{"logInByAccount": {{"accountName": "admin", "password": "{pw}"}}}}'
""", file=sys.stderr, flush=True)
    return scene

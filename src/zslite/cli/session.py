"""The CLI's saved login: one JSON file, mode 0600, under the user's config dir (platformdirs).

ZSLITE_CONFIG_DIR overrides the directory (tests, several profiles). `client()` builds the SDK
client every API command uses: URL from --url, ZSLITE_URL or the saved login; credentials from the
saved session, or ZSLITE_ACCESS_KEY_ID + ZSLITE_ACCESS_KEY_SECRET.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import platformdirs

DEFAULT_URL = "http://localhost:8080"
FILE_NAME = "session.json"

# tests replace this to route the CLI's HTTP through the in-process app (Starlette's TestClient)
http_client_factory: Any = None


class NotLoggedIn(Exception):
    pass


def config_dir() -> Path:
    return Path(os.environ.get("ZSLITE_CONFIG_DIR") or platformdirs.user_config_dir("zslite"))


def session_file() -> Path:
    return config_dir() / FILE_NAME


def save(url: str, session_uuid: str, account: str, context_path: str = "/zstack") -> Path:
    directory = config_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / FILE_NAME
    tmp = directory / f".{FILE_NAME}.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"url": url, "session": session_uuid, "account": account, "contextPath": context_path}, fh)
    os.chmod(tmp, 0o600)  # whatever the umask or a pre-existing file said
    os.replace(tmp, path)
    return path


def load() -> dict | None:
    path = session_file()
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None


def remove() -> bool:
    try:
        session_file().unlink()
        return True
    except FileNotFoundError:
        return False


def resolve_url(url: str | None) -> str:
    saved = load() or {}
    return (url or os.environ.get("ZSLITE_URL") or saved.get("url") or DEFAULT_URL).rstrip("/")


def client(url: str | None = None, *, need_auth: bool = True, **options):
    """An SDK Client for a CLI command (raises NotLoggedIn when an API needs credentials we lack)."""
    from zslite.sdk.client import Client

    saved = load() or {}
    resolved = resolve_url(url)
    key_id, key_secret = os.environ.get("ZSLITE_ACCESS_KEY_ID"), os.environ.get("ZSLITE_ACCESS_KEY_SECRET")
    credentials: dict[str, Any] = {}
    if key_id and key_secret:
        credentials = {"access_key_id": key_id, "access_key_secret": key_secret}
    elif saved.get("session") and saved.get("url", "").rstrip("/") == resolved:
        credentials = {"session": saved["session"]}
    elif need_auth:
        raise NotLoggedIn(f"not logged in to {resolved}: run `zslite login --url {resolved}` "
                          "(or set ZSLITE_ACCESS_KEY_ID and ZSLITE_ACCESS_KEY_SECRET)")
    http = http_client_factory() if http_client_factory else None
    return Client(resolved, context_path=saved.get("contextPath", "/zstack"), http_client=http,
                  **credentials, **options)

"""Every setting (a field of zslite.config.Settings, read from ZSLITE_<NAME>) has a row in the README's
configuration table, with its default; and the table names no setting that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

from zslite.config import Settings

README = Path(__file__).resolve().parents[2] / "README.md"
ROW = re.compile(r"^\| `(ZSLITE_[A-Z0-9_]+)` \| ([^|]*) \|", re.M)


def documented() -> dict[str, str]:
    text = README.read_text()
    table = text[text.index("## Configuration"):]
    table = table[:table.index("\n## ", 1)]
    return {name: default for name, default in ROW.findall(table)}


def shown(value) -> str | None:
    """How a default appears in the table (None: not a plain value, the row says it in words)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value in ("", None):
        return None
    return str(value)


def test_every_setting_has_a_row_with_its_default():
    rows = documented()
    settings = {f"ZSLITE_{name.upper()}": info.default for name, info in Settings.model_fields.items()}
    missing = sorted(set(settings) - set(rows))
    assert not missing, f"settings without a row in the README's configuration table: {missing}"
    unknown = sorted(set(rows) - set(settings))
    assert not unknown, f"README rows for settings that do not exist: {unknown}"
    wrong = [f"{name}: {rows[name].strip()} (default {default!r})" for name, default in settings.items()
             if shown(default) is not None and shown(default) not in rows[name]]
    assert not wrong, f"README defaults that are not the settings' defaults: {wrong}"

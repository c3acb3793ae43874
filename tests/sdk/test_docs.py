"""README.md: every python and console example runs against `zslite serve --demo`."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from zslite.testing import ServerProcess, free_port

# The README's examples as a user runs them, on `make run`'s database (the APIs run on every one in tests/api).
pytestmark = pytest.mark.one_backend

DOC = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"```(python|console)\n(.*?)```", re.S)


def blocks(kind: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(DOC.read_text()) if lang == kind]


def localize(text: str, port: int) -> str:
    return text.replace("localhost:8080", f"localhost:{port}").replace("port=8080", f"port={port}")


def test_the_doc_has_examples():
    assert len(blocks("python")) >= 2 and len(blocks("console")) >= 2


@pytest.fixture
def demo_url(db_url, database, tmp_path):
    port = free_port()  # never 8080: the suite runs in parallel
    with ServerProcess(db_url, log_dir=tmp_path, demo=True, port=port):
        yield port


def test_examples_run(demo_url, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import zslite.sdk
    from zslite.cli.main import app

    port = demo_url
    for number, source in enumerate(blocks("python")):
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(localize(source, port), f"README.md[python {number}]", "exec"), {})
        finally:
            zslite.sdk.configure()
        assert out.getvalue().strip(), f"python example {number} printed nothing"

    monkeypatch.setenv("ZSLITE_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.delenv("ZSLITE_URL", raising=False)
    runner = CliRunner()
    for source in blocks("console"):
        for line in source.splitlines():
            if not line.startswith("$ zslite "):
                continue
            args = shlex.split(localize(line[len("$ zslite "):], port))
            result = runner.invoke(app, args)
            assert result.exit_code == 0, f"{line}\n{result.output}"
            if "candidates" in args and "--explain" not in args:
                assert "TinyLinux" in result.stdout

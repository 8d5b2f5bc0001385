"""`.env.example` is read twice when `make run` starts the platform: by honcho (which exports it
to every process) and by the settings (django-environ). Each of its lines, the commented-out
examples too, must mean the same to both, and its JSON settings must stay JSON (honcho strips
unquoted double quotes: an unquoted JSON value made every process exit)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import environ
import pytest
from honcho.environ import parse

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = re.compile(r"^(?:# )?([A-Z][A-Z0-9_]*)=(.*)$")
JSON_SETTINGS = ("EXCHANGE_API_HOSTS", "EXCHANGE_RATE_LIMITS")


def assignments() -> list[str]:
    """Every `NAME=value` line of .env.example, the commented examples uncommented."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    return [line.removeprefix("# ") for line in lines if ASSIGNMENT.match(line)]


def read_by_django_environ(line: str, tmp_path: Path, monkeypatch) -> dict[str, str]:
    read: dict[str, str] = {}
    monkeypatch.setattr(environ.Env, "ENVIRON", read)
    path = tmp_path / ".env"
    path.write_text(line + "\n")
    environ.Env.read_env(path, overwrite=True)
    return read


def test_the_walk_finds_the_json_examples():
    names = {ASSIGNMENT.match(line).group(1) for line in assignments()}
    assert set(JSON_SETTINGS) <= names and len(names) > 30


@pytest.mark.parametrize("line", assignments())
def test_honcho_and_the_settings_read_each_line_alike(line, tmp_path, monkeypatch):
    by_honcho = parse(line + "\n")
    by_settings = read_by_django_environ(line, tmp_path, monkeypatch)
    # honcho leaves an empty value unset; the settings read it as "" afterwards: the same.
    assert by_honcho == {k: v for k, v in by_settings.items() if v}, line
    for name, value in by_honcho.items():
        if name in JSON_SETTINGS:
            assert isinstance(json.loads(value), dict), line

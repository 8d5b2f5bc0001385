"""The shipped browser app (frontend/dist) has no test handles on `window`; the e2e build
(frontend/dist-e2e, `npm run build:e2e`, Vite mode "e2e") has them. Both are built by make test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[1] / "frontend"
# window.__chart (replay chart), __equityChart (backtest equity), __replayChart (backtest replay),
# __runChart and __botChart (the shared price chart on a run's and a bot's page), __compareChart
# (runs compared)
TEST_HANDLE = re.compile(
    r"(?<![\w-])__(?:chart|equityChart|replayChart|runChart|botChart|compareChart)\b"
)


def _bundle(build: str) -> str:
    assets = sorted((FRONTEND / build / "assets").glob("*.js"))
    if not assets:
        pytest.fail(f"frontend/{build} is not built: run make test (it builds both bundles)")
    return "\n".join(path.read_text(encoding="utf-8") for path in assets)


def test_the_production_bundle_exposes_no_test_handles():
    assert TEST_HANDLE.findall(_bundle("dist")) == []


def test_the_e2e_bundle_exposes_the_handles_the_browser_tests_read():
    handles = set(TEST_HANDLE.findall(_bundle("dist-e2e")))
    assert handles >= {"__chart", "__equityChart", "__runChart", "__botChart", "__compareChart"}


def test_the_handle_pattern_ignores_css_class_names():
    assert TEST_HANDLE.findall('className:"bt-replay__chart";window.__chart=d') == ["__chart"]

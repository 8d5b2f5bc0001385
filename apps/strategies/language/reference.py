"""What an editor needs to know of the language (completion, highlighting), and the built-ins
written in it, to copy as a starting point."""

from __future__ import annotations

from pathlib import Path

from apps.datafeeds.timeframes import TIMEFRAMES

from ..registry import UnknownStrategy
from .compiler import (
    MAX_CONTEXT_TIMEFRAMES,
    MAX_COST,
    MAX_DEPTH,
    MAX_LOOKBACK,
    MAX_PARAMS,
    MAX_SOURCE_CHARS,
    MAX_STATEMENTS,
    MAX_STEPS,
    SETTINGS,
    SIGNALS,
)
from .functions import FIELDS, FUNCTIONS, TF_DESCRIPTION

LIBRARY = Path(__file__).resolve().parents[1] / "library"
KEYWORDS = ("param", "in", "and", "or", "not", "true", "false")


def language_reference() -> dict:
    functions = [
        {
            "name": f.name,
            "signature": f.signature(),
            "description": f.description,
            "outputs": list(f.outputs),
            "returns": f.returns,
        }
        for f in FUNCTIONS.values()
    ]
    functions.append(
        {
            "name": "tf",
            "signature": 'tf("timeframe", expression)',
            "description": TF_DESCRIPTION,
            "outputs": [],
            "returns": "series",
        }
    )
    return {
        "functions": functions,
        "fields": list(FIELDS),
        "outputs": list(SIGNALS),
        "settings": list(SETTINGS),
        "keywords": list(KEYWORDS),
        "timeframes": list(TIMEFRAMES),
        "limits": {
            "source_chars": MAX_SOURCE_CHARS,
            "statements": MAX_STATEMENTS,
            "params": MAX_PARAMS,
            "steps": MAX_STEPS,
            "depth": MAX_DEPTH,
            "lookback_bars": MAX_LOOKBACK,
            "higher_timeframes": MAX_CONTEXT_TIMEFRAMES,
            "cost_per_bar": int(MAX_COST),
        },
    }


def builtin_source(key: str) -> str:
    """The built-in `key` written in the language (library/<key>.strategy)."""
    path = LIBRARY / f"{key.replace('-', '_')}.strategy"
    if not key.replace("-", "").isalnum() or not path.is_file():
        raise UnknownStrategy(f"No built-in strategy '{key}' is written in the language.")
    return path.read_text()

"""Walk-forward windows: each in-sample stretch is optimised, its best parameters then traded on
the out-of-sample stretch that follows. Pure: epoch milliseconds in, windows out.

Rolling: the in-sample stretch keeps its length and moves by `step`. Anchored: it always starts
at the span's start and grows by `step`. Out-of-sample stretches follow their in-sample one,
have the same length each and never overlap (step >= out-of-sample), so they can be stitched
into one curve; only windows whose out-of-sample stretch ends inside the span are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MODES = ("rolling", "anchored")


@dataclass(frozen=True)
class Window:
    index: int
    is_start_ms: int
    is_end_ms: int  # exclusive; the out-of-sample stretch starts here
    oos_end_ms: int  # exclusive

    def as_json(self) -> dict[str, int]:
        return {
            "index": self.index,
            "is_start_ms": self.is_start_ms,
            "is_end_ms": self.is_end_ms,
            "oos_end_ms": self.oos_end_ms,
        }


def windows_errors(
    *, start_ms: int, end_ms: int, in_sample_ms: int, out_of_sample_ms: int, step_ms: int
) -> dict[str, str]:
    """What makes these windows impossible, by field."""
    errors = {}
    for name, value in (
        ("in_sample", in_sample_ms),
        ("out_of_sample", out_of_sample_ms),
        ("step", step_ms),
    ):
        if value <= 0:
            errors[name] = "must be positive"
    if errors:
        return errors
    if step_ms < out_of_sample_ms:
        errors["step"] = "must be at least the out-of-sample length (stretches never overlap)"
    if in_sample_ms + out_of_sample_ms > end_ms - start_ms:
        days = (end_ms - start_ms) / 86_400_000
        errors["in_sample"] = (
            f"in-sample + out-of-sample is longer than the data ({days:.1f} days in the span)"
        )
    return errors


def walk_forward_windows(
    *,
    start_ms: int,
    end_ms: int,
    in_sample_ms: int,
    out_of_sample_ms: int,
    step_ms: int,
    mode: str,
) -> list[Window]:
    """Every window of the span (module docstring); call windows_errors first."""
    windows = []
    index = 0
    while True:
        shift = index * step_ms
        is_start = start_ms if mode == "anchored" else start_ms + shift
        is_end = start_ms + in_sample_ms + shift
        oos_end = is_end + out_of_sample_ms
        if oos_end > end_ms:
            return windows
        windows.append(Window(index, is_start, is_end, oos_end))
        index += 1


def windows_of_json(stored: list[dict[str, Any]]) -> list[Window]:
    return [Window(**w) for w in stored]

"""Context every log line carries: request id, task id, bot id.

They are structlog context variables (contextvars), so they follow a request through async code
and the threads asgiref hands sync views to. Anyone can add one for the span of some work:

    with log_context(bot_id=bot.pk):
        ...  # every log line here says bot_id=...
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog

REQUEST_ID = "request_id"
TASK_ID = "task_id"
BOT_ID = "bot_id"


@contextmanager
def log_context(**values: Any) -> Iterator[None]:
    """Bind values to every log line written inside the block (restored afterwards)."""
    tokens = structlog.contextvars.bind_contextvars(**values)
    try:
        yield
    finally:
        structlog.contextvars.reset_contextvars(**tokens)


def log_context_get(name: str) -> Any:
    return structlog.contextvars.get_contextvars().get(name)

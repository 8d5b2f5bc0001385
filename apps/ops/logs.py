"""The logging configuration: JSON lines in production, readable console lines in development.

Both go through structlog's ProcessorFormatter, so stdlib loggers (Django, Celery, ours) and
structlog loggers get the same fields: timestamp (UTC ISO 8601), level, logger, event, and the
context of `apps.ops.context` (request_id, task_id, bot_id, ...). A redaction filter (a
`logging.Filter`, given by dotted path) sits on the handler, so every record passes it before it
is formatted, whatever logger wrote it.
"""

from __future__ import annotations

import logging
from typing import Any

import structlog

_SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.ExtraAdder(),
]

LOG_FORMATS = ("json", "console")


def logging_config(*, log_format: str, level: str, redaction_filter: str = "") -> dict[str, Any]:
    """A `LOGGING` dict for Django. `redaction_filter`: dotted path of a logging.Filter class."""
    if log_format == "json":
        renderer: Any = structlog.processors.JSONRenderer()
        final = [structlog.processors.format_exc_info, renderer]
    else:
        final = [structlog.dev.ConsoleRenderer(colors=False)]
    handler: dict[str, Any] = {"class": "logging.StreamHandler", "formatter": "structured"}
    filters: dict[str, Any] = {}
    if redaction_filter:
        filters["redact"] = {"()": redaction_filter}
        handler["filters"] = ["redact"]
    filters["celery_expected"] = {"()": "apps.ops.logs.CeleryExpectedFailure"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": _SHARED_PROCESSORS,
                "processors": [structlog.stdlib.ProcessorFormatter.remove_processors_meta, *final],
            }
        },
        "filters": filters,
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # Our access log (apps.ops.middleware) replaces uvicorn's and gunicorn's.
            "uvicorn.access": {"level": "WARNING"},
            "celery.app.trace": {"filters": ["celery_expected"]},
        },
    }


class CeleryExpectedFailure(logging.Filter):
    """Drops Celery's line for a task's expected failure (an exception the task lists in
    `throws`): Celery writes it at INFO with the traceback in the record's data, and the task
    has logged its own line saying what failed. Unexpected failures keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        data = getattr(record, "data", None)
        return not (isinstance(data, dict) and data.get("description") == "raised expected")


def structlog_configure() -> None:
    """structlog loggers hand their events to the stdlib handlers above (one pipeline)."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED_PROCESSORS[:-1],
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )

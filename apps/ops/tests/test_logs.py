"""Log lines: JSON with request and task ids in production, readable in development, every
record through the redaction filter named by LOG_REDACTION_FILTER."""

from __future__ import annotations

import json
import logging
import logging.config

import pytest
import structlog
from celery import shared_task
from django.conf import settings

from apps.ops.context import log_context
from apps.ops.logs import logging_config


class RedactSecrets(logging.Filter):
    """Stands in for the exchanges app's filter: the hook is what is tested here."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = str(record.msg).replace("s3cr3t", "[REDACTED]")
        return True


@shared_task(name="ops.tests.log_line")
def log_line_task() -> None:
    logging.getLogger("apps.ops.tests").info("inside the task")


@pytest.fixture
def log_lines(capsys):
    """Logging as configured by `configure(**options)`, back to the settings' afterwards."""
    options = {}

    def configure(**kwargs):
        options.update(kwargs)
        logging.config.dictConfig(logging_config(level="DEBUG", **kwargs))

    def lines() -> list:
        err = capsys.readouterr().err.splitlines()
        if options.get("log_format") == "json":
            return [json.loads(line) for line in err if line.startswith("{")]
        return err

    configure.lines = lines
    yield configure
    logging.config.dictConfig(settings.LOGGING)


def test_a_request_logs_json_with_its_request_id(log_lines, client, db):
    log_lines(log_format="json")
    response = client.get("/healthz", HTTP_X_REQUEST_ID="req-42")
    assert response["X-Request-ID"] == "req-42"
    response = client.get("/api/datafeeds/symbols/")
    (line,) = [x for x in log_lines.lines() if x.get("path") == "/api/datafeeds/symbols/"]
    assert line["request_id"] == response["X-Request-ID"] and len(line["request_id"]) == 32
    assert line["route"] == "api/datafeeds/symbols/"
    assert (line["status"], line["level"], line["logger"]) == (200, "info", "apps.ops.access")
    assert line["timestamp"].endswith("Z")


def test_a_request_id_that_could_garble_a_line_is_replaced(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID='bad"\nid')
    assert response["X-Request-ID"] != 'bad"\nid' and len(response["X-Request-ID"]) == 32


def test_a_task_logs_its_task_id(log_lines):
    log_lines(log_format="json")
    result = log_line_task.apply()
    (line,) = [x for x in log_lines.lines() if x["event"] == "inside the task"]
    assert line["task_id"] == result.id and line["task"] == "ops.tests.log_line"
    assert "task_id" not in structlog.contextvars.get_contextvars()  # unbound afterwards


@shared_task(name="ops.tests.fails", throws=(LookupError,))
def failing_task(error: str) -> None:
    raise {"expected": LookupError, "unexpected": ZeroDivisionError}[error]("it failed")


def test_an_expected_task_failure_leaves_no_traceback_and_an_unexpected_one_does(log_lines):
    log_lines(log_format="json")
    failing_task.apply(args=["expected"])
    assert [x for x in log_lines.lines() if x["logger"] == "celery.app.trace"] == []
    failing_task.apply(args=["unexpected"])
    (line,) = [x for x in log_lines.lines() if x["logger"] == "celery.app.trace"]
    assert line["level"] == "error" and "ZeroDivisionError: it failed" in line["exception"]


def test_bot_id_is_a_context_anyone_can_bind(log_lines):
    log_lines(log_format="json")
    with log_context(bot_id=7):
        logging.getLogger("apps.execution").warning("stepped")
    logging.getLogger("apps.execution").warning("outside")
    inside, outside = log_lines.lines()
    assert inside["bot_id"] == 7 and "bot_id" not in outside


def test_the_redaction_filter_sees_every_record(log_lines):
    log_lines(log_format="json", redaction_filter=f"{__name__}.RedactSecrets")
    logging.getLogger("ccxt.base").error("binance said key=s3cr3t is invalid")
    (line,) = log_lines.lines()
    assert line["event"] == "binance said key=[REDACTED] is invalid"


def test_development_logs_are_readable_lines(log_lines):
    log_lines(log_format="console")
    with log_context(request_id="abc"):
        logging.getLogger("apps.datafeeds").info("fetched %d candles", 3)
    (line,) = log_lines.lines()
    assert "fetched 3 candles" in line and "request_id=abc" in line and not line.startswith("{")

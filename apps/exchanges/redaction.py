"""Secret hygiene for logs: every decrypted secret value and the usual credential fields are
replaced by *** in every log record, ccxt's verbose output and exception texts included.

Installed once (ExchangesConfig.ready) as a wrapper around the log-record factory, so it applies
whatever the logger or handler (Django's, Celery's, pytest's capture); `SecretRedactionFilter` is
the same as a logging filter for LOGGING configurations.
"""

from __future__ import annotations

import logging
import re
import threading

REDACTED = "***"
MIN_SECRET_LENGTH = 6  # shorter values would redact ordinary words

# Names whose values are credentials, in query strings / keyword forms (name=value), quoted in
# JSON and Python reprs ('name': 'value'), and as HTTP header lines (Name: value).
_NAMES = r"x-mbx-apikey|signature|api[_-]?key|apikey|secret(?:[_-]?key)?|password|passphrase"
_HEADERS = r"x-mbx-apikey|authorization|ok-access-key|ok-access-sign|ok-access-passphrase"
_FIELD_PATTERNS = (
    re.compile(rf"(?i)(?P<keep>\b(?:{_NAMES})=)[^&\s'\",}}]+"),
    re.compile(rf"(?i)(?P<keep>[\"'](?:{_NAMES}|{_HEADERS})[\"']\s*:\s*[\"']?)[^\"'\s,}}]+"),
    re.compile(rf"(?im)(?P<keep>^\s*(?:{_HEADERS})\s*:\s*)\S+"),
)

_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_pattern: re.Pattern[str] | None = None


def secret_register(value: str) -> None:
    """Redact `value` from every later log record (done for each decrypted secret)."""
    global _pattern
    if not value or len(value) < MIN_SECRET_LENGTH:
        return
    with _secrets_lock:
        if value in _secrets:
            return
        _secrets.add(value)
        ordered = sorted(_secrets, key=len, reverse=True)  # longest first: no partial leftovers
        _pattern = re.compile("|".join(re.escape(s) for s in ordered))


def redact(text: str) -> str:
    """`text` with known secret values and credential fields replaced by ***."""
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
    for field_pattern in _FIELD_PATTERNS:
        text = field_pattern.sub(lambda m: m["keep"] + REDACTED, text)
    return text


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Render the record's message (and exception) once, redacted; idempotent."""
    if getattr(record, "_redacted", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: let logging report it as usual
        return record
    record.msg, record.args = redact(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._redacted = True
    return record


class SecretRedactionFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


_installed = False


def redaction_install() -> None:
    """Wrap the log-record factory so that every record is redacted when it is created."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        return redact_record(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True

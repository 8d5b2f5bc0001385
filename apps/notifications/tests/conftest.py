"""Local delivery targets for the alerts' tests: a JSON webhook receiver (apprise's json://) and
an SMTP server (aiosmtpd, apprise's mailto://), both on 127.0.0.1. No mock of apprise."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from apps.ops.tests.processes import free_port

TOKEN = "Tok3n-Hook-Secret-7781"  # the secret part of the receiver's URL
PASSWORD = "Passw0rd-Hook-9932"
TIMEOUT = 30.0  # seconds for anything a test waits for


def wait_for(predicate, what: str, timeout: float = TIMEOUT, output=lambda: ""):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"{what}\n{output()}"
        time.sleep(0.05)
    return value


class Receiver:
    """A JSON webhook on 127.0.0.1: stores each POST's path and body, answers `status`."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                receiver.requests.append((self.path, self.rfile.read(length)))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = f"hook/{TOKEN}") -> str:
        return f"json://user:{PASSWORD}@127.0.0.1:{self.port}/{path}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    """An SMTP server on 127.0.0.1 (plain, no TLS, no auth) keeping each message."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.port = free_port()
        mailbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's)
                mailbox.messages.append(envelope.content)
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def url(self) -> str:
        """apprise's mailto:// for a plain local server: mode=insecure (no STARTTLS)."""
        return (
            f"mailto://127.0.0.1:{self.port}?from=bots@example.com&to=ana@example.com&mode=insecure"
        )

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def receiver():
    started = Receiver()
    yield started
    started.stop()


@pytest.fixture
def mailbox():
    started = Mailbox()
    yield started
    started.stop()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with nothing cached about anyone's channels (user ids repeat across
    tests): the test's own cache database is emptied."""
    from django.core.cache import cache

    cache.clear()

"""What is shown of a channel's URL, and what is hidden of it."""

from __future__ import annotations

import pytest

from apps.notifications.channel_urls import url_hint, url_invalid, url_redact


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/-1001234", "tgram://…"),
        ("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", "discord://…"),
        ("json://127.0.0.1:8080/hook/Tok3nSecret", "json://127.0.0.1:…"),
        ("jsons://hooks.example.com/Tok3nSecret", "jsons://hooks.example.com/…"),
        (
            "mailtos://ana:Passw0rd@smtp.example.com?to=x@y.example",
            "mailtos://…@smtp.example.com/…",
        ),
        ("nothing", "…"),
    ],
)
def test_the_hint_keeps_the_scheme_and_a_real_host_only(url: str, hint: str) -> None:
    assert url_hint(url) == hint


def test_redaction_removes_the_url_and_each_secret_piece() -> None:
    url = "tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/-1001234"
    said = f"Failed to send to {url}; bot AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw, chat -1001234"
    redacted = url_redact(said, url)
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in redacted and "1001234" not in redacted
    assert redacted.startswith("Failed to send to ***")


def test_apprise_refuses_unknown_services_and_malformed_urls() -> None:
    assert url_invalid("json://127.0.0.1:8080/x") is None
    assert "apprise does not accept" in url_invalid("nosuchservice://token")
    assert "Not an apprise URL" in url_invalid("just words")
    assert "Enter" in url_invalid("   ")

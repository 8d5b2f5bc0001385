"""The alerts API: owner only, the URL write-only (and never anywhere in clear), 400s naming the
field, the test button."""

from __future__ import annotations

import base64
import logging

import pytest
from django.db import connection

from apps.notifications.models import AlertStatus, NotificationAlert, NotificationChannel
from apps.notifications.services import alert_deliver

from .conftest import PASSWORD, TOKEN

pytestmark = pytest.mark.django_db

URL = "/api/notifications/channels/"


def _create(api, url: str, **overrides) -> dict:
    payload = {"name": "Hooks", "url": url, "events": ["fill", "error"], **overrides}
    response = api.post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _database_text() -> str:
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT CAST(t AS text) FROM "{table}" t')
            rows += [row[0] for row in cursor.fetchall()]
    return "\n".join(rows)


def _leaks(text: str) -> list[str]:
    secrets = (TOKEN, PASSWORD)
    patterns = [*secrets, *(base64.b64encode(s.encode()).decode() for s in secrets)]
    return [pattern for pattern in patterns if pattern in text]


def test_a_channel_round_trip_answers_only_the_hint(ana_client, receiver) -> None:
    channel = _create(ana_client, receiver.url())
    assert channel["url_hint"] == "json://…@127.0.0.1:…"
    assert channel["events"] == ["fill", "error"] and channel["enabled"] is True
    assert "url" not in channel and "url_encrypted" not in channel
    detail = f"{URL}{channel['id']}/"
    patched = ana_client.patch(detail, {"enabled": False, "events": ["kill_switch"]}, format="json")
    assert patched.status_code == 200
    assert patched.json()["enabled"] is False and patched.json()["events"] == ["kill_switch"]
    assert [c["id"] for c in ana_client.get(URL).json()] == [channel["id"]]
    assert ana_client.delete(detail).status_code == 204
    assert ana_client.get(detail).status_code == 404


def test_the_url_is_encrypted_at_rest(ana_client, receiver) -> None:
    channel = _create(ana_client, receiver.url())
    stored = NotificationChannel.objects.get(pk=channel["id"]).url_encrypted
    assert TOKEN not in stored and stored.startswith("gAAAA")  # a Fernet token
    with connection.cursor() as cursor:
        cursor.execute("SELECT url_encrypted FROM notifications_notificationchannel")
        (raw,) = cursor.fetchone()
    assert not _leaks(raw)


def test_the_url_is_never_answered_logged_or_stored_in_clear(
    ana, ana_client, receiver, client, django_user_model, caplog
) -> None:
    caplog.set_level(logging.DEBUG)  # apprise logs the URLs it loads at DEBUG
    bodies = []
    created = ana_client.post(
        URL, {"name": "Hooks", "url": receiver.url(), "events": ["error"]}, format="json"
    )
    bodies.append(created.content)
    detail = f"{URL}{created.json()['id']}/"
    test = ana_client.post(f"{detail}test/")
    assert test.status_code == 202
    alert_id = test.json()["alert_id"]
    assert alert_deliver(alert_id=alert_id) == AlertStatus.SENT  # what the worker does
    receiver.status = 500
    failing = ana_client.post(f"{detail}test/").json()["alert_id"]
    assert alert_deliver(alert_id=failing) == AlertStatus.FAILED  # apprise's words, redacted
    for response in (
        test,
        ana_client.get(URL),
        ana_client.get(detail),
        ana_client.patch(detail, {"url": receiver.url(), "name": "Again"}, format="json"),
        ana_client.get("/api/notifications/alerts/"),
        ana_client.get(f"/api/notifications/alerts/{failing}/"),
        ana_client.post(
            URL, {"name": "Bad", "url": f"nosuch://{TOKEN}", "events": []}, format="json"
        ),
    ):
        bodies.append(response.content)
    admin = django_user_model.objects.create_superuser("root", password="pw-root-123")
    client.force_login(admin)
    for page in (
        f"/admin/notifications/notificationchannel/{created.json()['id']}/change/",
        "/admin/notifications/notificationchannel/",
        f"/admin/notifications/notificationalert/{failing}/change/",
    ):
        response = client.get(page)
        assert response.status_code == 200
        bodies.append(response.content)
    assert receiver.requests  # the token did travel, to the receiver only
    assert _leaks(b"\n".join(bodies).decode()) == []
    assert "Loaded JSON URL" in caplog.text  # apprise logged the URL (redacted)
    assert _leaks(caplog.text) == [], "the URL leaked into the logs"
    assert _leaks(_database_text()) == [], "the URL is in the database in clear"
    assert NotificationAlert.objects.get(pk=failing).last_error


def test_an_invalid_url_or_event_is_a_400_naming_the_field(ana_client) -> None:
    bad_url = ana_client.post(
        URL, {"name": "x", "url": "nosuchservice://abc", "events": ["fill"]}, format="json"
    )
    assert bad_url.status_code == 400 and "url" in bad_url.json()
    bad_event = ana_client.post(
        URL, {"name": "x", "url": "json://127.0.0.1:9/x", "events": ["lunch"]}, format="json"
    )
    assert bad_event.status_code == 400 and "events" in bad_event.json()
    missing = ana_client.post(URL, {"name": "x", "events": []}, format="json")
    assert missing.status_code == 400 and "url" in missing.json()
    assert not NotificationChannel.objects.exists()


def test_a_name_used_twice_is_a_400_naming_it(ana_client, receiver) -> None:
    _create(ana_client, receiver.url())
    again = ana_client.post(
        URL, {"name": "Hooks", "url": receiver.url(), "events": []}, format="json"
    )
    assert again.status_code == 400 and "name" in again.json()


def test_another_users_channel_and_alerts_are_404(ana_client, bob_client, receiver) -> None:
    channel = _create(ana_client, receiver.url())
    detail = f"{URL}{channel['id']}/"
    alert_id = ana_client.post(f"{detail}test/").json()["alert_id"]
    assert bob_client.get(detail).status_code == 404
    assert bob_client.patch(detail, {"name": "mine"}, format="json").status_code == 404
    assert bob_client.delete(detail).status_code == 404
    assert bob_client.post(f"{detail}test/").status_code == 404
    assert bob_client.get(URL).json() == []
    assert bob_client.get("/api/notifications/alerts/").json()["results"] == []
    assert bob_client.get(f"/api/notifications/alerts/{alert_id}/").status_code == 404
    assert NotificationChannel.objects.filter(pk=channel["id"]).exists()


def test_the_test_button_queues_an_alert_and_answers_its_id(ana_client, receiver) -> None:
    channel = _create(ana_client, receiver.url(), events=[])
    response = ana_client.post(f"{URL}{channel['id']}/test/")
    assert response.status_code == 202
    alert = NotificationAlert.objects.get(pk=response.json()["alert_id"])
    assert alert.event == "test" and alert.status == AlertStatus.QUEUED
    assert alert_deliver(alert_id=alert.pk) == AlertStatus.SENT
    listed = ana_client.get("/api/notifications/alerts/").json()
    assert listed["count"] == 1 and listed["results"][0]["status"] == "sent"
    assert ana_client.get(f"{URL}{channel['id']}/").json()["last_sent_at"]

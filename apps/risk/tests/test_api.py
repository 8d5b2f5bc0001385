"""The risk profile API: owner only, one default, bounds named field by field, 409 when held."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from apps.risk.bounds import PROFILE_BOUNDS
from apps.risk.check import RiskLimits
from apps.risk.models import RiskProfile
from apps.risk.usage import risk_profile_holders_register, risk_profile_holders_unregister

URL = "/api/risk/profiles/"


def create(client, name="Cautious", **values):
    response = client.post(URL, {"name": name, **values}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def defaults_of(user) -> list[str]:
    return list(
        RiskProfile.objects.filter(owner=user, is_default=True).values_list("name", flat=True)
    )


def test_a_profile_takes_the_defaults_and_the_first_is_the_default(client, ana):
    body = create(client)
    assert body["is_default"] is True
    for name, bound in PROFILE_BOUNDS.items():
        assert body[name] == bound.default, name
    assert defaults_of(ana) == ["Cautious"]


def test_values_are_stored_as_given(client):
    body = create(
        client,
        risk_per_trade=0.005,
        max_position_fraction=0.25,
        stop_loss=0.015,
        take_profit=None,
        max_daily_loss=0.02,
        max_open_positions=5,
        max_drawdown=None,
        cooldown_bars=12,
        leverage=2,
    )
    profile = RiskProfile.objects.get(pk=body["id"])
    assert profile.limits() == RiskLimits(
        risk_per_trade=0.005,
        max_position_fraction=0.25,
        stop_loss=0.015,
        take_profit=None,
        max_daily_loss=0.02,
        max_open_positions=5,
        max_drawdown=None,
        cooldown_bars=12,
        leverage=2.0,
    )


def test_exactly_one_default_as_profiles_come_and_go(client, ana):
    first = create(client, "A")
    second = create(client, "B")
    assert (second["is_default"], defaults_of(ana)) == (False, ["A"])
    third = create(client, "C", is_default=True)
    assert third["is_default"] and defaults_of(ana) == ["C"]
    response = client.patch(f"{URL}{second['id']}/", {"is_default": True}, format="json")
    assert response.status_code == 200 and response.json()["is_default"] is True
    assert defaults_of(ana) == ["B"]
    # Deleting the default hands it to the oldest remaining profile.
    assert client.delete(f"{URL}{second['id']}/").status_code == 204
    assert defaults_of(ana) == ["A"]
    assert client.delete(f"{URL}{first['id']}/").status_code == 204
    assert defaults_of(ana) == ["C"]


def test_the_default_cannot_be_unset_only_moved(client):
    profile = create(client)
    response = client.patch(f"{URL}{profile['id']}/", {"is_default": False}, format="json")
    assert response.status_code == 400
    assert "make another one the default" in response.json()["is_default"]


def test_the_database_refuses_a_second_default(ana):
    RiskProfile.objects.create(owner=ana, name="A", is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskProfile.objects.create(owner=ana, name="B", is_default=True)


def test_the_database_refuses_out_of_bounds_values(ana):
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskProfile.objects.create(owner=ana, name="A", risk_per_trade=0.5)


def test_defaults_are_per_user(client, bob_client, ana, bob):
    create(client, "Mine")
    create(bob_client, "Mine")
    assert defaults_of(ana) == ["Mine"] and defaults_of(bob) == ["Mine"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("risk_per_trade", 0),
        ("risk_per_trade", 0.11),
        ("max_position_fraction", 0),
        ("max_position_fraction", 11),
        ("stop_loss", 0),
        ("stop_loss", 0.6),
        ("stop_loss", None),
        ("take_profit", -0.01),
        ("max_daily_loss", 1),
        ("max_daily_loss", 0),
        ("max_open_positions", 0),
        ("max_open_positions", 101),
        ("max_drawdown", 1.0),
        ("cooldown_bars", -1),
        ("cooldown_bars", 10_001),
        ("leverage", 0.5),
        ("leverage", 11),
        ("risk_per_trade", "nan"),
        ("risk_per_trade", "a lot"),
        ("max_open_positions", 1.5),
    ],
)
def test_out_of_bounds_values_are_a_400_naming_the_field(client, field, value):
    response = client.post(URL, {"name": "X", field: value}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not RiskProfile.objects.exists()


def test_every_bad_field_is_named_at_once(client):
    response = client.post(
        URL, {"name": "X", "risk_per_trade": 1, "leverage": 0, "cooldown_bars": -3}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert sorted(body) == ["cooldown_bars", "leverage", "risk_per_trade"]
    assert body["risk_per_trade"] == ["must be in (0, 0.1]"]  # DRF's field-error shape


def test_bounds_are_inclusive_where_they_say(client):
    body = create(client, risk_per_trade=0.1, max_open_positions=1, cooldown_bars=0, leverage=1)
    assert body["risk_per_trade"] == 0.1


def test_null_switches_an_optional_rule_off(client):
    body = create(client, max_daily_loss=None, max_drawdown=None, take_profit=None)
    assert (body["max_daily_loss"], body["max_drawdown"], body["take_profit"]) == (None,) * 3


def test_unknown_fields_and_a_missing_name_are_400(client):
    response = client.post(URL, {"name": "X", "risk": 0.01}, format="json")
    assert (response.status_code, response.json()) == (400, {"risk": ["unknown field"]})
    response = client.post(URL, {"risk_per_trade": 0.01}, format="json")
    assert response.status_code == 400 and "name" in response.json()
    response = client.post(URL, {"name": "   "}, format="json")
    assert response.status_code == 400 and "name" in response.json()


def test_names_are_unique_per_user(client):
    create(client, "Cautious")
    response = client.post(URL, {"name": "Cautious"}, format="json")
    assert response.status_code == 400
    assert response.json()["name"] == "you already have a risk profile named 'Cautious'"
    other = create(client, "Bold")
    response = client.patch(f"{URL}{other['id']}/", {"name": "Cautious"}, format="json")
    assert response.status_code == 400 and "name" in response.json()


def test_patch_changes_only_the_given_fields_and_checks_them(client):
    profile = create(client, stop_loss=0.03)
    url = f"{URL}{profile['id']}/"
    response = client.patch(url, {"cooldown_bars": 6}, format="json")
    assert response.status_code == 200
    assert (response.json()["cooldown_bars"], response.json()["stop_loss"]) == (6, 0.03)
    response = client.patch(url, {"stop_loss": 0.9}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["stop_loss"]
    assert RiskProfile.objects.get(pk=profile["id"]).stop_loss == 0.03


def test_only_the_owner_sees_or_touches_a_profile(client, bob_client):
    profile = create(client)
    url = f"{URL}{profile['id']}/"
    assert bob_client.get(URL).json() == []
    assert bob_client.get(url).status_code == 404
    assert bob_client.patch(url, {"stop_loss": 0.01}, format="json").status_code == 404
    assert bob_client.delete(url).status_code == 404
    assert RiskProfile.objects.get(pk=profile["id"]).stop_loss == profile["stop_loss"]
    assert client.get(url).status_code == 200
    assert client.get(f"{URL}999999/").status_code == 404


def test_signed_out_is_refused(db):
    assert APIClient().get(URL).status_code in (401, 403)
    assert APIClient().post(URL, {"name": "X"}, format="json").status_code in (401, 403)


def test_list_puts_the_default_first(client):
    create(client, "Zeta")
    create(client, "Alpha")
    assert [p["name"] for p in client.get(URL).json()] == ["Zeta", "Alpha"]


def test_a_profile_held_by_a_running_bot_cannot_be_deleted(client):
    held = create(client, "Held")
    free = create(client, "Free")

    def running_bots(profile_id: int) -> list[str]:  # what apps/execution registers
        return ["running bot 'BTC 5m' (id 7)"] if profile_id == held["id"] else []

    risk_profile_holders_register(running_bots)
    try:
        response = client.delete(f"{URL}{held['id']}/")
        assert response.status_code == 409
        assert response.json() == {
            "detail": "Risk profile 'Held' is in use by running bot 'BTC 5m' (id 7): stop it "
            "first.",
            "used_by": ["running bot 'BTC 5m' (id 7)"],
        }
        assert RiskProfile.objects.filter(pk=held["id"]).exists()
        assert client.delete(f"{URL}{free['id']}/").status_code == 204
    finally:
        risk_profile_holders_unregister(running_bots)
    assert client.delete(f"{URL}{held['id']}/").status_code == 204


def test_the_form_fields_carry_bounds_defaults_and_help(client):
    rows = {row["name"]: row for row in client.get("/api/risk/profile-fields/").json()}
    assert list(rows) == list(PROFILE_BOUNDS)
    assert rows["risk_per_trade"] == {
        "name": "risk_per_trade",
        "type": "number",
        "min": 0,
        "max": 0.1,
        "min_inclusive": False,
        "max_inclusive": True,
        "nullable": False,
        "default": 0.01,
        "help_text": PROFILE_BOUNDS["risk_per_trade"].help_text,
    }
    assert rows["cooldown_bars"]["type"] == "integer"
    assert rows["max_drawdown"]["nullable"] is True

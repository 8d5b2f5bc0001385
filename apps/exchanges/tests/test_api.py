"""The exchange account API against the emulator through ccxt's real binance client."""

from __future__ import annotations

import pytest

from apps.exchanges.models import ExchangeAccount

from .conftest import API_KEY, SECRET, account_payload

pytestmark = pytest.mark.django_db

URL = "/api/exchanges/accounts/"


def _create(api, **overrides) -> dict:
    response = api.post(URL, account_payload(**overrides), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_round_trip_create_check_refusals(api, emulator) -> None:
    account = _create(api, label="Main")
    assert account["api_key_hint"] == f"...{API_KEY[-4:]}"
    assert account["last_check"] == {"at": None, "ok": None, "message": ""}
    assert "secret" not in account and "api_key" not in account

    check = api.post(f"{URL}{account['id']}/check/").json()
    assert check["ok"] is True and check["reason"] == ""
    assert check["balances"] == {
        "BTC": {"free": "1", "used": "0", "total": "1"},
        "USDT": {"free": "10000", "used": "0", "total": "10000"},
    }
    stored = api.get(f"{URL}{account['id']}/").json()["last_check"]
    assert stored["ok"] is True and stored["at"] and "2 assets" in stored["message"]

    # A wrong secret: the exchange's refusal in words, stored on the account.
    patched = api.patch(f"{URL}{account['id']}/", {"secret": "not-the-right-secret"}, format="json")
    assert patched.status_code == 200 and patched.json()["last_check"]["ok"] is None
    check = api.post(f"{URL}{account['id']}/check/").json()
    assert check["ok"] is False and check["reason"] == "bad_signature"
    assert check["message"].startswith("Bad signature: the secret does not belong to this API key")
    assert api.get(f"{URL}{account['id']}/").json()["last_check"]["ok"] is False

    # The right secret again, but this server's clock 30 s behind the exchange's.
    api.patch(f"{URL}{account['id']}/", {"secret": SECRET}, format="json")
    emulator.settings_update(server_time_offset_ms=30_000)
    check = api.post(f"{URL}{account['id']}/check/").json()
    assert check["ok"] is False and check["reason"] == "clock_skew"
    assert "recvWindow" in check["message"] and "clock" in check["message"]


@pytest.mark.parametrize(
    ("setup", "reason", "words"),
    [
        ("unknown_key", "invalid_key", "Invalid API key"),
        ("ip", "ip_not_allowed", "IP not allowed"),
        ("down", "unreachable", "Exchange unreachable"),
    ],
)
def test_check_refusals_in_words(api, emulator, settings, setup, reason, words) -> None:
    if setup == "unknown_key":
        account = _create(api, api_key="NoSuchKey1234")
    elif setup == "ip":
        emulator.account_create("WalledKey123", SECRET, {"USDT": "1"}, ip_whitelist=("10.9.9.9",))
        account = _create(api, api_key="WalledKey123")
    else:
        account = _create(api)
        settings.EXCHANGE_API_HOSTS = {"binance": "http://127.0.0.1:9"}  # nothing listens
    check = api.post(f"{URL}{account['id']}/check/").json()
    assert check["ok"] is False and check["reason"] == reason
    assert check["message"].startswith(words)


def test_owner_only(api, other_api, emulator) -> None:
    account = _create(api)
    detail = f"{URL}{account['id']}/"
    assert other_api.get(URL).json() == []
    assert other_api.get(detail).status_code == 404
    assert other_api.patch(detail, {"label": "mine"}, format="json").status_code == 404
    assert other_api.post(f"{detail}check/").status_code == 404
    assert other_api.delete(detail).status_code == 404
    assert [a["id"] for a in api.get(URL).json()] == [account["id"]]
    assert api.delete(detail).status_code == 204
    assert api.get(detail).status_code == 404


def test_requires_sign_in(client) -> None:
    assert client.get(URL).status_code in (401, 403)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"exchange": "nosuchexchange"}, "exchange", "Unknown exchange 'nosuchexchange'"),
        ({"exchange": "binanceusdm"}, "exchange", "no spot markets"),
        ({"exchange": "kraken", "environment": "testnet"}, "environment", "no testnet"),
        ({"exchange": "okx"}, "passphrase", "passphrase is required"),
        ({"environment": "paper"}, "environment", "not a valid choice"),
        ({"api_key": ""}, "api_key", "blank"),
        ({"api_key": "abc def ghi"}, "api_key", "spaces"),
        ({"secret": "short"}, "secret", "8 to 1024"),
        ({"secret": "tab\tinside-secret"}, "secret", "spaces"),
        ({"label": ""}, "label", "blank"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_stores_nothing(api, overrides, field, words) -> None:
    response = api.post(URL, account_payload(**overrides), format="json")
    assert response.status_code == 400
    assert words in " ".join(response.json()[field])
    assert ExchangeAccount.objects.count() == 0


def test_label_clash_is_400(api, user) -> None:
    _create(api, label="Main")
    response = api.post(URL, account_payload(label="Main"), format="json")
    assert response.status_code == 400 and "already" in response.json()["label"][0]
    second = _create(api, label="Spare")
    clash = api.patch(f"{URL}{second['id']}/", {"label": "Main"}, format="json")
    assert clash.status_code == 400 and "label" in clash.json()
    assert ExchangeAccount.objects.get(pk=second["id"]).label == "Spare"


def test_patch_replaces_the_secrets_and_keeps_them_encrypted(api) -> None:
    account = _create(api)
    before = ExchangeAccount.objects.get(pk=account["id"])
    response = api.patch(
        f"{URL}{account['id']}/", {"api_key": "AnotherKey9876", "secret": "x" * 20}, format="json"
    )
    assert response.status_code == 200 and response.json()["api_key_hint"] == "...9876"
    after = ExchangeAccount.objects.get(pk=account["id"])
    assert after.api_key_encrypted != before.api_key_encrypted
    assert after.secret_encrypted != before.secret_encrypted
    bad = api.patch(f"{URL}{account['id']}/", {"secret": "  padded-secret  "}, format="json")
    assert bad.status_code == 400 and "secret" in bad.json()
    assert ExchangeAccount.objects.get(pk=account["id"]).secret_encrypted == after.secret_encrypted

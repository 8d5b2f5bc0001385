"""The admin has a page for every model of the project's apps; state that only services may
write (runs, trades, leases, saved strategies, candle summaries) is read-only there."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from apps.datafeeds.models import Candle

READ_ONLY = {
    "accounts.apitoken",  # created by their owners only (the token is shown once)
    "accounts.usersession",
    "exchanges.exchangeaccount",  # credentials go through the API only
    "notifications.notificationchannel",  # its URL (credentials) goes through the API only
    "notifications.notificationalert",
    "execution.bot",
    "execution.botorder",
    "execution.botposition",
    "execution.bottrade",
    "execution.botdecision",
    "execution.botevent",
    "analytics.backtestrun",
    "analytics.backtestsweep",
    "analytics.backtesttrade",
    "optimisation.study",  # status, progress and trials: the workers write them
    "optimisation.studytrial",
    "optimisation.walkforward",
    "datafeeds.candleseries",
    "ops.worklease",
    "ops.outboxtask",
    "strategies.strategy",
    "strategies.strategydefinition",  # compiled and checked by the services on every save
    "strategies.strategyversion",
}
# Django 5.2's admin does not support composite primary keys: candles are browsed via the API.
WITHOUT_ADMIN = {Candle}


def project_models():
    return [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("apps.")
        for model in config.get_models()
        if model not in WITHOUT_ADMIN
    ]


def test_every_model_of_the_project_has_an_admin_page():
    missing = [model._meta.label for model in project_models() if model not in admin.site._registry]
    assert not missing


@pytest.mark.parametrize("model", project_models(), ids=lambda model: model._meta.label_lower)
def test_each_admin_page_opens_and_protects_worker_state(model, admin_client):
    meta = model._meta
    response = admin_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    assert response.status_code == 200
    add = admin_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    assert add.status_code == (403 if meta.label_lower in READ_ONLY else 200)

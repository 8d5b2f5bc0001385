"""The optimisation API: bad input is a 400 naming the field; a study's life through the API."""

from __future__ import annotations

import pytest

from apps.optimisation.models import StudyStatus
from apps.optimisation.services import study_work

pytestmark = pytest.mark.django_db

BODY = {
    "strategy": "hma-sma",
    "symbol": "BTCUSDT",
    "start": "2024-04-01",
    "end": "2024-04-06",
    "space": {"sma_period": {"low": 100, "high": 200, "step": 100}},
    "sampler": "grid",
    "fee_rate": 0.0005,
}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"space": {"sma_period": {"low": 100, "high": 5000}}}, "space", "outside the parameter"),
        ({"objective": "happiness"}, "objective", "unknown KPI 'happiness'"),
        ({"start": "2024-01-01", "end": "2024-01-01T12:00"}, "start", "warm-up"),
        ({"sampler": "annealing"}, "sampler", ""),
        ({"n_trials": 0}, "n_trials", ""),
    ],
)
def test_bad_study_input_is_a_400_naming_the_field(client, btc, change, field, words):
    response = client.post("/api/optimisation/studies/", {**BODY, **change}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert words in str(response.json()[field])


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            {"in_sample_hours": 24 * 30, "out_of_sample_hours": 24},
            "in_sample",
            "longer than the data",
        ),
        ({"in_sample_hours": 10, "out_of_sample_hours": 24}, "in_sample", "warm-up"),
        ({"in_sample_hours": 48, "out_of_sample_hours": 24, "step_hours": 12}, "step", "overlap"),
    ],
)
def test_bad_walk_forward_windows_are_a_400_naming_the_field(client, btc, change, field, words):
    response = client.post("/api/optimisation/walk-forwards/", {**BODY, **change}, format="json")
    assert response.status_code == 400, response.content
    assert words in str(response.json()[field])


def test_a_study_through_the_api(client, btc):
    created = client.post("/api/optimisation/studies/", BODY, format="json")
    assert created.status_code == 202, created.content
    study = created.json()
    assert (study["status"], study["n_trials"], study["trials_done"]) == ("running", 2, 0)
    url = f"/api/optimisation/studies/{study['id']}/"
    assert client.post(url + "pause/").json()["status"] == "paused"
    assert client.post(url + "pause/").status_code == 400
    assert client.post(url + "resume/").json()["status"] == "running"
    study_work(study_id=study["id"])
    detail = client.get(url).json()
    assert detail["status"] == StudyStatus.DONE and detail["trials_done"] == 2
    assert detail["diagnostics"]["trials"] == 2
    trials = client.get(url + "trials/", {"ordering": "-sharpe"}).json()
    assert trials["count"] == 2
    sharpes = [t["kpis"]["sharpe"] for t in trials["results"]]
    assert sharpes == sorted(sharpes, reverse=True)
    assert client.get(url + "trials/", {"ordering": "-happiness"}).status_code == 400
    assert client.get(url + "importance/").status_code == 200
    listed = client.get("/api/optimisation/studies/").json()
    assert [s["id"] for s in listed["results"]] == [study["id"]]

"""Input validation and output shapes of the optimisation API. Times out are epoch seconds UTC;
durations in are hours (a walk-forward's windows)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.analytics.equity import equity_decode, minmax_downsample
from apps.analytics.serializers import (
    EpochSecondsField,
    EquityPointSerializer,
    KpisField,
    _SpanInput,
)
from apps.strategies.serializers import ParamValuesField, StrategyLabelField

from .models import Sampler, Study, StudyStatus, StudyTrial, WalkForward, WalkForwardMode
from .selectors import TRIAL_ORDER_KEYS
from .space import KPI_OBJECTIVES

MS_PER_HOUR = 3_600_000
MAX_WINDOW_HOURS = 24 * 366 * 20  # twenty years
OOS_CURVE_POINTS = 2000  # points of the stitched curve sent (min/max buckets keep drawdowns)


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "properties": {
                "low": {"type": "number"},
                "high": {"type": "number"},
                "step": {"type": "number", "nullable": True},
            },
            "required": ["low", "high"],
        },
        "example": {"sma_period": {"low": 50, "high": 300, "step": 10}},
    }
)
class SpaceField(serializers.JSONField):
    """{parameter: {low, high, step}}: the searched ranges, inside each parameter's bounds."""


class StudyCreateSerializer(_SpanInput):
    params = ParamValuesField(required=False, default=dict, help_text="fixed parameters")
    space = SpaceField()
    # A plain string (an unknown KPI is a 400 naming "objective" from the service, which lists
    # the KPIs); the schema lists them too.
    objective = serializers.CharField(
        max_length=32, default="sharpe", help_text=", ".join(KPI_OBJECTIVES)
    )
    min_trades = serializers.IntegerField(min_value=0, max_value=100_000, default=1)
    sampler = serializers.ChoiceField(choices=Sampler.choices, default=Sampler.TPE)
    n_trials = serializers.IntegerField(min_value=1, max_value=100_000, default=100)
    seed = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, allow_null=True
    )

    def validate_params(self, value: Any) -> dict:
        if not isinstance(value, dict):
            raise serializers.ValidationError("must be an object of parameter values")
        return value

    def search(self) -> dict[str, Any]:
        q = self.validated_data
        keys = ("space", "params", "objective", "min_trades", "sampler", "n_trials", "seed")
        return {k: q.get(k) for k in keys} | {
            "start_ms": q["start"],
            "end_ms": q["end"],
            "strategy": q["strategy"],
            "config": self.config(),
            "risk_profile": q.get("risk_profile"),
        }


class WalkForwardCreateSerializer(StudyCreateSerializer):
    mode = serializers.ChoiceField(choices=WalkForwardMode.choices, default="rolling")
    in_sample_hours = serializers.IntegerField(min_value=1, max_value=MAX_WINDOW_HOURS)
    out_of_sample_hours = serializers.IntegerField(min_value=1, max_value=MAX_WINDOW_HOURS)
    step_hours = serializers.IntegerField(
        min_value=1,
        max_value=MAX_WINDOW_HOURS,
        required=False,
        allow_null=True,
        help_text="how far each window moves; the out-of-sample length by default",
    )

    def windows(self) -> dict[str, Any]:
        q = self.validated_data
        step = q.get("step_hours")
        return {
            "mode": q["mode"],
            "in_sample_ms": q["in_sample_hours"] * MS_PER_HOUR,
            "out_of_sample_ms": q["out_of_sample_hours"] * MS_PER_HOUR,
            "step_ms": None if step is None else step * MS_PER_HOUR,
        }


class TrialQuerySerializer(serializers.Serializer):
    ordering = serializers.ChoiceField(
        choices=[*TRIAL_ORDER_KEYS, *(f"-{k}" for k in TRIAL_ORDER_KEYS)],
        default="-value",
        help_text="a KPI (or number, value); '-' first for descending",
    )


class StudyListQuerySerializer(serializers.Serializer):
    walk_forward = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


class _SearchOutput(serializers.ModelSerializer):
    symbol = serializers.CharField(source="symbol.name", read_only=True)
    exchange = serializers.CharField(source="symbol.exchange", read_only=True)
    strategy_name = StrategyLabelField()
    start = EpochSecondsField(source="start_ms")
    end = EpochSecondsField(source="end_ms")
    params = ParamValuesField(read_only=True)
    space = SpaceField(read_only=True)
    status = serializers.ChoiceField(choices=StudyStatus.choices, read_only=True)

    SHARED = [
        "id",
        "status",
        "error",
        "strategy",
        "strategy_name",
        "symbol",
        "exchange",
        "timeframe",
        "start",
        "end",
        "params",
        "space",
        "config",
        "risk_profile",
        "objective",
        "min_trades",
        "sampler",
        "n_trials",
        "seed",
        "created_at",
        "finished_at",
    ]


class WindowSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    is_start = serializers.IntegerField(help_text="epoch seconds: the in-sample start")
    is_end = serializers.IntegerField(help_text="the in-sample end = the out-of-sample start")
    oos_end = serializers.IntegerField(help_text="the out-of-sample end (excluded)")


class StudySerializer(_SearchOutput):
    best_params = ParamValuesField(read_only=True, allow_null=True)
    best_kpis = KpisField(read_only=True)
    oos_kpis = KpisField(read_only=True)
    oos_end = serializers.SerializerMethodField()

    class Meta:
        model = Study
        fields = [
            *_SearchOutput.SHARED,
            "trials_done",
            "trials_pruned",
            "best_value",
            "best_params",
            "best_kpis",
            "walk_forward",
            "window",
            "oos_end",
            "oos_kpis",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_oos_end(self, study: Study) -> int | None:
        return None if study.oos_end_ms is None else study.oos_end_ms // 1000


class DeflatedSharpeSerializer(serializers.Serializer):
    best_sharpe = serializers.FloatField(help_text="the best trial's Sharpe, annualised")
    best_sharpe_per_bar = serializers.FloatField()
    sharpe_variance_per_bar = serializers.FloatField(help_text="across the trials")
    expected_max_sharpe_per_bar = serializers.FloatField(help_text="SR0: chance's best")
    expected_max_sharpe = serializers.FloatField(help_text="SR0 annualised")
    dsr = serializers.FloatField(help_text="probability that the true Sharpe is above zero")
    sentence = serializers.CharField()


class PboSerializer(serializers.Serializer):
    pbo = serializers.FloatField(help_text="probability of backtest overfitting (CSCV)")
    splits = serializers.IntegerField()
    sentence = serializers.CharField()


class DiagnosticsSerializer(serializers.Serializer):
    trials = serializers.IntegerField(help_text="complete trials")
    deflated_sharpe = DeflatedSharpeSerializer(required=False)
    pbo = PboSerializer(required=False)


class StudyDetailSerializer(StudySerializer):
    diagnostics = DiagnosticsSerializer(read_only=True, allow_null=True)

    class Meta(StudySerializer.Meta):
        fields = [*StudySerializer.Meta.fields, "diagnostics"]


class TrialSerializer(serializers.ModelSerializer):
    params = ParamValuesField(read_only=True)
    kpis = KpisField(read_only=True)

    class Meta:
        model = StudyTrial
        fields = ["number", "state", "value", "params", "kpis", "worker"]


class WalkForwardSerializer(_SearchOutput):
    in_sample_hours = serializers.SerializerMethodField()
    out_of_sample_hours = serializers.SerializerMethodField()
    step_hours = serializers.SerializerMethodField()
    windows = serializers.SerializerMethodField()
    results = serializers.JSONField(read_only=True)

    class Meta:
        model = WalkForward
        fields = [
            *_SearchOutput.SHARED,
            "mode",
            "in_sample_hours",
            "out_of_sample_hours",
            "step_hours",
            "windows",
            "results",
        ]
        read_only_fields = fields

    def get_in_sample_hours(self, walk: WalkForward) -> int:
        return walk.in_sample_ms // MS_PER_HOUR

    def get_out_of_sample_hours(self, walk: WalkForward) -> int:
        return walk.out_of_sample_ms // MS_PER_HOUR

    def get_step_hours(self, walk: WalkForward) -> int:
        return walk.step_ms // MS_PER_HOUR

    @extend_schema_field(WindowSerializer(many=True))
    def get_windows(self, walk: WalkForward) -> list[dict[str, int]]:
        """Each window's bounds in epoch seconds (in-sample start, its end = the out-of-sample
        start, the out-of-sample end)."""
        return [
            {
                "index": w["index"],
                "is_start": w["is_start_ms"] // 1000,
                "is_end": w["is_end_ms"] // 1000,
                "oos_end": w["oos_end_ms"] // 1000,
            }
            for w in walk.windows
        ]


class WalkForwardDetailSerializer(WalkForwardSerializer):
    studies = StudySerializer(many=True, read_only=True)
    oos_equity = serializers.SerializerMethodField()

    class Meta(WalkForwardSerializer.Meta):
        fields = [*WalkForwardSerializer.Meta.fields, "studies", "oos_equity"]

    @extend_schema_field(EquityPointSerializer(many=True))
    def get_oos_equity(self, walk: WalkForward) -> list[dict[str, float]]:
        """The stitched out-of-sample curve, at most OOS_CURVE_POINTS points {time, value}."""
        if walk.oos_equity is None:
            return []
        times, values = equity_decode(walk.oos_equity_times, walk.oos_equity)
        keep = minmax_downsample(values, OOS_CURVE_POINTS)
        return [
            {"time": int(t) // 1000, "value": float(v)}
            for t, v in zip(times[keep].tolist(), values[keep].tolist(), strict=True)
        ]

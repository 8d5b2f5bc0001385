"""Symbols and their OHLCV candles."""

from django.db import models

from .timeframes import TIMEFRAMES

SIMULATED_EXCHANGE = "simulated"  # the demo fallback's data, never mistaken for a real market


class Symbol(models.Model):
    exchange = models.CharField(max_length=32, default="binance", help_text="ccxt exchange id")
    name = models.CharField(max_length=32, help_text="compact name, e.g. BTCUSDT")
    base = models.CharField(max_length=16)
    quote = models.CharField(max_length=16)
    market_symbol = models.CharField(max_length=48, help_text="ccxt market symbol, e.g. BTC/USDT")
    tracked_timeframes = models.JSONField(
        default=list, blank=True, help_text="timeframes celery beat keeps up to date"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["exchange", "name"]
        constraints = [
            models.UniqueConstraint(fields=["exchange", "name"], name="symbol_exchange_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.exchange}:{self.name}"

    @property
    def is_simulated(self) -> bool:
        return self.exchange == SIMULATED_EXCHANGE


class Candle(models.Model):
    """One closed candle. Open time is epoch milliseconds UTC; prices are float64 for analysis."""

    pk = models.CompositePrimaryKey("symbol_id", "timeframe", "open_time")
    # No database-level foreign key: its per-row check costs more than the insert itself on
    # million-row batches (measured 103k vs 239k candles/s). Candles are only written by
    # storage.candles_upsert for a stored Symbol, and deleting a Symbol deletes its candles.
    # No index of its own either: the primary key (symbol, timeframe, open_time) serves it, and
    # a second index slows every write and tempts the planner into scanning a whole symbol.
    symbol = models.ForeignKey(
        Symbol,
        on_delete=models.CASCADE,
        related_name="candles",
        db_constraint=False,
        db_index=False,
    )
    timeframe = models.CharField(max_length=3, choices=[(tf, tf) for tf in TIMEFRAMES])
    open_time = models.BigIntegerField(help_text="open time, epoch milliseconds UTC")
    open = models.FloatField()
    high = models.FloatField()
    low = models.FloatField()
    close = models.FloatField()
    volume = models.FloatField()

    class Meta:
        # The primary key (symbol, timeframe, open_time) is the index for range reads too.
        ordering = ["symbol_id", "timeframe", "open_time"]

    def __str__(self) -> str:
        return f"{self.symbol_id} {self.timeframe} {self.open_time}"


class CandleSeries(models.Model):
    """What is stored of one (symbol, timeframe): kept by candles_upsert with every write, so
    listing coverage never scans the candle table."""

    symbol = models.ForeignKey(Symbol, on_delete=models.CASCADE, related_name="series")
    timeframe = models.CharField(max_length=3, choices=[(tf, tf) for tf in TIMEFRAMES])
    count = models.BigIntegerField(default=0)
    first_open_time = models.BigIntegerField(help_text="epoch milliseconds UTC")
    last_open_time = models.BigIntegerField(help_text="epoch milliseconds UTC")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["symbol", "timeframe"], name="series_symbol_tf_unique")
        ]

    def __str__(self) -> str:
        return f"{self.symbol_id} {self.timeframe}: {self.count}"

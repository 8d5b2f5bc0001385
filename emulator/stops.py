"""Binance spot's protective orders, as pure rules: when a STOP_LOSS_LIMIT or TAKE_PROFIT_LIMIT
triggers on a candle and at what price, when a limit price is reached, and the legs of an OCO list.

Triggers are judged on closed candles (open, high, low), the finest series of the market clock:

- a stop that waits for a FALL (a sell STOP_LOSS_LIMIT, a buy TAKE_PROFIT_LIMIT) triggers when the
  candle's low reaches stopPrice, at min(open, stopPrice): a candle that opens past the stop (a
  gap) triggers at its open;
- a stop that waits for a RISE (a buy STOP_LOSS_LIMIT, a sell TAKE_PROFIT_LIMIT) triggers when the
  high reaches stopPrice, at max(open, stopPrice).

Once triggered the order is a LIMIT at its price: it fills at once at the trigger price when that
price is at least as good as the limit (taker), else it rests at its limit. This is the fill the
platform's backtest assumes (a long's stop at min(open, stop), its target at max(open, target))
whenever the limit leaves room for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .binance import ApiError

STOP_LOSS_LIMIT, TAKE_PROFIT_LIMIT = "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"
LIMIT_MAKER = "LIMIT_MAKER"
STOP_TYPES = (STOP_LOSS_LIMIT, TAKE_PROFIT_LIMIT)
PRICE_RELATION_MSG = "The relationship of the prices for the orders is not correct."
TRIGGERS_NOW_MSG = "Stop price would trigger immediately."
MAKER_TAKES_MSG = "Order would immediately match and take."


def waits_for_fall(kind: str, side: str) -> bool:
    """A sell stop-loss and a buy take-profit trigger on a fall; the others on a rise."""
    return (kind == STOP_LOSS_LIMIT) == (side == "SELL")


def triggers_now(kind: str, side: str, stop_price: Decimal, price_now: Decimal) -> bool:
    """Binance refuses a stop that the current price already reached (-2010)."""
    if waits_for_fall(kind, side):
        return stop_price >= price_now
    return stop_price <= price_now


def trigger_price(
    kind: str, side: str, stop_price: Decimal, open_: Decimal, high: Decimal, low: Decimal
) -> Decimal | None:
    """The market price at which this candle triggers the stop, or None if it does not."""
    if waits_for_fall(kind, side):
        return min(open_, stop_price) if low <= stop_price else None
    return max(open_, stop_price) if high >= stop_price else None


def marketable(side: str, limit: Decimal, price: Decimal) -> bool:
    """A limit order meets the market at `price`: a sell at or above its limit, a buy at or
    below it."""
    return price >= limit if side == "SELL" else price <= limit


def reached(side: str, limit: Decimal, high: Decimal, low: Decimal) -> bool:
    """A resting limit order is reached by a candle: a sell by its high, a buy by its low."""
    return high >= limit if side == "SELL" else low <= limit


@dataclass(frozen=True)
class LegSpec:
    """One leg of an OCO as sent: `position` is "above" or "below" the current price."""

    position: str
    kind: str  # STOP_LOSS_LIMIT | TAKE_PROFIT_LIMIT | LIMIT_MAKER
    price: Decimal
    stop_price: Decimal | None
    time_in_force: str | None
    client_id: str | None


def oco_legs(
    side: str, params: dict[str, str], decimal: object, price_now: Decimal
) -> tuple[LegSpec, LegSpec]:
    """The (below, above) legs of POST /api/v3/orderList/oco, validated as Binance does.

    A sell's above leg takes profit (TAKE_PROFIT_LIMIT or LIMIT_MAKER) and its below leg stops the
    loss (STOP_LOSS_LIMIT); a buy's the other way round. The above leg's level (its stop price,
    or a LIMIT_MAKER's price) must be above the current price and the below leg's below it.
    `decimal` reads a positive decimal parameter (trading.decimal_param)."""
    stop_side = "below" if side == "SELL" else "above"
    legs = []
    for position in ("below", "above"):
        kind = params.get(f"{position}Type", "")
        allowed = (STOP_LOSS_LIMIT,) if position == stop_side else (TAKE_PROFIT_LIMIT, LIMIT_MAKER)
        if not kind:
            raise ApiError(
                400,
                -1102,
                f"Mandatory parameter '{position}Type' was not sent, was empty/null, or malformed.",
            )
        if kind not in allowed:  # STOP_LOSS/TAKE_PROFIT (market) legs are not emulated
            raise ApiError(400, -1116, "Invalid orderType.")
        price = decimal(params, f"{position}Price")  # type: ignore[operator]
        stop_price = decimal(params, f"{position}StopPrice")  # type: ignore[operator]
        tif = params.get(f"{position}TimeInForce") or None
        if price is None:
            raise ApiError(400, -1102, f"Mandatory parameter '{position}Price' was not sent.")
        if kind == LIMIT_MAKER:
            if stop_price is not None:
                raise ApiError(
                    400, -1106, f"Parameter '{position}StopPrice' sent when not required."
                )
            if tif is not None:
                raise ApiError(
                    400, -1106, f"Parameter '{position}TimeInForce' sent when not required."
                )
        else:
            if stop_price is None:
                raise ApiError(
                    400, -1102, f"Mandatory parameter '{position}StopPrice' was not sent."
                )
            if tif is None:
                raise ApiError(
                    400, -1102, f"Mandatory parameter '{position}TimeInForce' was not sent."
                )
            if tif != "GTC":  # IOC/FOK stop legs are not emulated
                raise ApiError(400, -1115, "Invalid timeInForce.")
        level = price if stop_price is None else stop_price
        if (level <= price_now) if position == "above" else (level >= price_now):
            raise ApiError(400, -2010, PRICE_RELATION_MSG)
        legs.append(
            LegSpec(position, kind, price, stop_price, tif, params.get(f"{position}ClientOrderId"))
        )
    return legs[0], legs[1]

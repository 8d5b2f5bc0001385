"""The one PnL rule of a closing fill (engine/rules.fill_close), shared by the backtest, the
paper bot (floats) and the live bot (Decimals)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.analytics.engine import rules

D = Decimal


@pytest.mark.parametrize("side", [1, -1])
def test_a_whole_close_is_the_backtests_trade_bit_for_bit(side):
    kwargs = dict(side=side, size=0.0731, entry_price=43846.01, entry_fee=3.2049, equity_before=1e4)
    closed = rules.trade_close(**kwargs, exit_price=44012.57, fee_rate=0.001)
    exit_fee = rules.fee(0.0731, 44012.57, 0.001)
    gross = side * 0.0731 * (44012.57 - 43846.01)
    assert closed.gross == gross  # the engine's own order of float operations
    assert closed.pnl == gross - 3.2049 - exit_fee
    assert closed.equity_after == (1e4 - 3.2049) + (gross - exit_fee)
    assert closed.return_fraction == closed.pnl / (0.0731 * 43846.01)


def test_a_live_close_of_the_lot_rounded_position_writes_the_dust_off():
    """The account received 0.04552243 BTC; the close sells 0.04552 (the lot step): the PnL is
    the quote received less what the whole position cost, to the last digit."""
    size, entry, entry_fee = D("0.04552243"), D("43846.01"), D("1.99600000")
    sold, exit_price, exit_fee = D("0.04552"), D("44100.00"), D("2.00744400")
    closed = rules.fill_close(
        side=1,
        size=size,
        entry_price=entry,
        entry_fee=entry_fee,
        sold=sold,
        exit_price=exit_price,
        exit_fee=exit_fee,
        equity_before=D("1000"),
    )
    paid = size * entry + entry_fee
    got = sold * exit_price - exit_fee
    assert closed.pnl == got - paid
    assert closed.equity_after == D("1000") + got - paid


def test_a_short_pays_both_fees():
    closed = rules.fill_close(
        side=-1,
        size=D(2),
        entry_price=D(100),
        entry_fee=D("0.2"),
        sold=D(2),
        exit_price=D(90),
        exit_fee=D("0.18"),
        equity_before=D(1000),
    )
    assert closed.pnl == D(20) - D("0.2") - D("0.18")


def test_two_partial_closes_book_what_one_whole_close_books():
    common = dict(side=1, entry_price=D(100), exit_price=D(110), exit_fee=D(0))
    whole = rules.fill_close(**common, size=D(4), entry_fee=D("0.4"), sold=D(4), equity_before=D(0))
    first = rules.fill_close(
        **common, size=D(4), entry_fee=D("0.4"), sold=D(1), equity_before=D(0), share=D(1) / 4
    )
    rest = rules.fill_close(  # the position left: 3 units, three quarters of the entry fee
        **common, size=D(3), entry_fee=D("0.3"), sold=D(3), equity_before=first.equity_after
    )
    assert first.pnl + rest.pnl == whole.pnl
    assert rest.equity_after == whole.equity_after

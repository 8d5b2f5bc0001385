"""What holds a user's strategy, so that one in use cannot be deleted (409 naming the holder).

apps/strategies never imports the apps that use strategies (no circular imports): they register
a finder here, as they do for risk profiles (apps/risk/usage.py). apps/execution registers its
running bots in its AppConfig.ready(). A finder gets the strategy keys of every version of the
strategy (`user-<id>-v<n>`) and runs inside the transaction that deletes it, with the
definition's row locked.
"""

from __future__ import annotations

from collections.abc import Callable

HoldersFinder = Callable[[list[str]], list[str]]  # strategy keys -> their holders, in words

_finders: list[HoldersFinder] = []


def strategy_holders_register(finder: HoldersFinder) -> None:
    """Add a finder (idempotent: registering the same one twice keeps one)."""
    if finder not in _finders:
        _finders.append(finder)


def strategy_holders(*, keys: list[str]) -> list[str]:
    """Everything that holds one of the keys, in words (empty: free to delete)."""
    return [holder for finder in _finders for holder in finder(keys)]

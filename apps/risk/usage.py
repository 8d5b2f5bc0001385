"""What holds a risk profile, so that one in use cannot be deleted (409 naming the holder).

apps/risk never imports the apps that use profiles (no circular imports): they register a finder
here instead. apps/execution registers the running bots, in its AppConfig.ready():

    from apps.risk.usage import risk_profile_holders_register

    def running_bots_on_profile(profile_id: int) -> list[str]:
        bots = Bot.objects.filter(risk_profile_id=profile_id, status__in=RUNNING_STATUSES)
        return [f"running bot '{bot.name}' (id {bot.pk})" for bot in bots]

    risk_profile_holders_register(running_bots_on_profile)

A finder runs inside the transaction that deletes the profile, with the profile row locked
(SELECT ... FOR UPDATE): a bot start that locks the same row (or reads it FOR SHARE) therefore
either sees the profile gone or makes the delete see the bot.
"""

from __future__ import annotations

from collections.abc import Callable

HoldersFinder = Callable[[int], list[str]]  # profile id -> its holders, in words

_finders: list[HoldersFinder] = []


def risk_profile_holders_register(finder: HoldersFinder) -> None:
    """Add a finder (idempotent: registering the same one twice keeps one)."""
    if finder not in _finders:
        _finders.append(finder)


def risk_profile_holders_unregister(finder: HoldersFinder) -> None:
    if finder in _finders:
        _finders.remove(finder)


def risk_profile_holders(*, profile_id: int) -> list[str]:
    """Everything that holds the profile, in words (empty: free to delete)."""
    return [holder for finder in _finders for holder in finder(profile_id)]

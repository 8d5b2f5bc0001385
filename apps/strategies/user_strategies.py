"""Users' own strategies as registry specs: keys, lookup by key for the owner, compiled once.

A version's key, `user-<definition id>-v<version>`, names an immutable text, so a run or a bot
that stored it keeps computing exactly what it started with, whatever is edited later. The
compiled spec is cached per process by the key and a hash of the text (a test database that
reuses ids with another text gets its own entry).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Any

from .language.compiler import strategy_compile
from .language.spec import program_spec
from .models import StrategyDefinition, StrategyVersion
from .registry import USER_KEY_PREFIX, StrategySpec, UnknownStrategy, strategy_spec

USER_KEY = re.compile(rf"^{USER_KEY_PREFIX}(\d{{1,18}})-v(\d{{1,9}})$")


def user_key(*, definition_id: int, version: int) -> str:
    return f"{USER_KEY_PREFIX}{definition_id}-v{version}"


def version_label(definition: StrategyDefinition, version: int) -> str:
    return f"{definition.name} (v{version})"


def user_strategy_spec(key: str, owner: Any = None) -> StrategySpec:
    """The spec of a user's strategy version. With `owner`, only theirs and not deleted (the
    same answer for a key that does not exist and one of another user: nothing is revealed)."""
    match = USER_KEY.match(key)
    unknown = UnknownStrategy(f"Unknown strategy '{key}': no strategy of yours has this key.")
    if not match:
        raise unknown
    definition_id, version = int(match[1]), int(match[2])
    row = (
        StrategyVersion.objects.filter(definition_id=definition_id, version=version)
        .select_related("definition")
        .first()
    )
    if row is None:
        raise unknown
    definition = row.definition
    if owner is not None and (definition.owner_id != owner.pk or definition.deleted_at):
        raise unknown
    digest = hashlib.sha256(row.source.encode()).hexdigest()
    return _compiled(key, digest, row.source, version_label(definition, version))


@lru_cache(maxsize=512)
def _compiled(key: str, digest: str, source: str, name: str) -> StrategySpec:
    program = strategy_compile(source)
    return program_spec(program, key=key, name=name, description=source_description(source))


def source_description(source: str) -> str:
    """The comment lines a text starts with: the strategy's description."""
    said = []
    for line in source.splitlines():
        text = line.strip()
        if not text.startswith("#"):
            break
        said.append(text.lstrip("#").strip())
    return " ".join(said)[:500]


def strategy_label(key: str) -> str:
    """A strategy's name for people: "My EMA (v2)" for a user's version (one query, nothing
    compiled), the registry's name otherwise; the key itself when it names nothing."""
    match = USER_KEY.match(key)
    if match:
        name = (
            StrategyDefinition.objects.filter(pk=int(match[1]))
            .values_list("name", flat=True)
            .first()
        )
        return f"{name} (v{int(match[2])})" if name is not None else key
    try:
        return strategy_spec(key).name
    except LookupError:
        return key


def user_strategy_specs(*, owner: Any) -> list[StrategySpec]:
    """The current version of each of the owner's strategies (for the catalog and the forms)."""
    if owner is None or not owner.is_authenticated:
        return []
    specs = []
    for definition in StrategyDefinition.objects.filter(owner=owner, deleted_at__isnull=True):
        key = user_key(definition_id=definition.pk, version=definition.version)
        try:
            specs.append(user_strategy_spec(key, owner))
        except (UnknownStrategy, ValueError):
            continue  # a version that no longer compiles is listed by its own page, not here
    return specs

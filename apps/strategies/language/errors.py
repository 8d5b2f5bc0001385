"""Errors of the strategy language: each with the place in the source it is about."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class SourceError:
    """One problem in a strategy's text; lines and columns are 1-based, the end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


class LanguageError(ValueError):
    """A strategy's text that cannot be compiled; `errors` say where and why."""

    def __init__(self, errors: list[SourceError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def error_at(item, message: str) -> LanguageError:
    """A LanguageError at a lark token or tree (anything with line/column or a meta)."""
    where = getattr(item, "meta", item)
    line = getattr(where, "line", None) or 1
    column = getattr(where, "column", None) or 1
    end_line = getattr(where, "end_line", None) or line
    end_column = getattr(where, "end_column", None) or column + 1
    return LanguageError([SourceError(line, column, end_line, end_column, message)])

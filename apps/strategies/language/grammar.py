"""The grammar of the strategy language and its parser.

An LALR(1) parser (lark): linear in the text, no backtracking, so no input makes it hang. The
text is only ever parsed into a tree; nothing in it is executed. Newlines are not significant:
an expression never continues with a name, so a statement ends where the next one begins
(`long_entry = a  long_exit = b` is two statements); a `;` may separate them for readability.
"""

from __future__ import annotations

from lark import Lark, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .errors import LanguageError, SourceError

GRAMMAR = r"""
start: (statement | ";")*

?statement: param_decl | assignment
param_decl: "param" NAME "=" signed "in" signed ".." signed
assignment: NAME "=" expr

signed: [MINUS] NUMBER

?expr: or_test
?or_test: and_test ("or" and_test)*
?and_test: not_test ("and" not_test)*
?not_test: "not" not_test -> not_
         | comparison
?comparison: arith (COMPARE arith)?
?arith: term (ADD_OP term)*
?term: factor (MUL_OP factor)*
?factor: MINUS factor -> neg
       | postfix
?postfix: atom
        | postfix "." NAME -> attr
?atom: NUMBER -> number
     | PERCENT -> percent
     | STRING -> string
     | "true" -> true
     | "false" -> false
     | NAME -> name
     | NAME "(" [expr ("," expr)*] ")" -> call
     | "(" expr ")"

PERCENT.2: /\d+(\.\d+)?%/
NUMBER: /\d+(\.\d+)?/
STRING: /"[^"\n]{0,32}"/
NAME: /[A-Za-z_][A-Za-z0-9_]{0,63}/
COMPARE: "<=" | ">=" | "==" | "!=" | "<" | ">"
ADD_OP: "+" | MINUS
MINUS: "-"
MUL_OP: "*" | "/"
COMMENT: /#[^\n]*/

%ignore COMMENT
%ignore /[ \t\f\r\n]+/
"""

_PARSER = Lark(GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=True)

# Terminal names in parse errors, as a trader reads them.
_READABLE = {
    "NAME": "a name",
    "NUMBER": "a number",
    "PERCENT": "a percentage",
    "STRING": 'a quoted timeframe like "1h"',
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "EQUAL": "'='",
    "DOT": "'.'",
    "__ANON_0": "'..'",
    "COMPARE": "a comparison",
    "ADD_OP": "'+' or '-'",
    "MINUS": "'-'",
    "MUL_OP": "'*' or '/'",
    "SEMICOLON": "';'",
    "$END": "the end of the text",
}


def _readable(terminal: str) -> str:
    if terminal in _READABLE:
        return _READABLE[terminal]
    pattern = _PARSER.get_terminal(terminal).pattern.value if terminal else terminal
    return f"'{pattern}'"


def _expected(names) -> str:
    said = sorted({_readable(name) for name in names})
    if len(said) > 6:
        return "an expression or a statement"
    return " or ".join(said)


def parse(source: str) -> Tree:
    """The syntax tree of `source`, or a LanguageError at the first place it cannot be read."""
    try:
        return _PARSER.parse(source)
    except UnexpectedInput as error:
        raise LanguageError([_syntax_error(error, source)]) from None


def _syntax_error(error: UnexpectedInput, source: str) -> SourceError:
    line, column = error.line if error.line > 0 else 1, error.column if error.column > 0 else 1
    if isinstance(error, UnexpectedCharacters):
        char = source[error.pos_in_stream] if error.pos_in_stream < len(source) else ""
        if char == '"':
            message = 'a timeframe is written in double quotes on one line, like "1h"'
        else:
            message = f"unexpected character {char!r}"
        return SourceError(line, column, line, column + 1, message)
    if isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    ):
        lines = source.rstrip().splitlines() or [""]
        end = len(lines[-1]) + 1
        return SourceError(
            len(lines),
            max(end - 1, 1),
            len(lines),
            end,
            f"the text ends in the middle of a statement; expected {_expected(error.expected)}",
        )
    token = error.token
    width = max(len(str(token)), 1)
    message = f"unexpected {str(token)!r}; expected {_expected(error.expected)}"
    if token.type == "EQUAL":
        message = "unexpected '='; to compare, write '=='"
    return SourceError(line, column, line, column + width, message)

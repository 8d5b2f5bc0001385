"""From a strategy's text to a Plan: parse, check every name and type, share common parts.

The text is data: it is parsed by a grammar (grammar.py) and walked as a tree; no Python is
generated or evaluated from it. Every limit below bounds the work a text can cause, and each
refusal names the limit and the place.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from typing import Any

from lark import Token, Tree

from apps.datafeeds.timeframes import TIMEFRAMES, timeframe_ms
from config.bounds import STOP_LOSS_BOUND, TAKE_PROFIT_BOUND

from ..registry import Param
from .errors import LanguageError, SourceError, error_at
from .functions import FIELDS, FUNCTIONS, PERIOD
from .functions import NUMBER as NUMBER_ARG
from .functions import SERIES as SERIES_ARG
from .grammar import parse
from .plan import CONDITION, NUMBER, RECORD, SERIES, SIDES, STRING, Plan, Step, plan_lookback

MAX_SOURCE_CHARS = 20_000
MAX_STATEMENTS = 200
MAX_PARAMS = 20
MAX_STEPS = 500  # after sharing common sub-expressions
MAX_DEPTH = 32  # nesting of one expression
MAX_COST = 120.0  # work per bar in EMAs: a SuperTrend is 40 (a loop over bars), an HMA 3
MAX_LOOKBACK = 10_000  # bars of warm-up, base or higher timeframe, at the params' maxima
MAX_CONTEXT_TIMEFRAMES = 4
MAX_NUMBER = 1e12  # a number literal's size; also a param's bounds

DEFAULT_TIMEFRAME = "5m"
_STOP_BOUNDS = {"stop_loss": STOP_LOSS_BOUND, "take_profit": TAKE_PROFIT_BOUND}
SIGNALS = tuple(f"{side}_{what}" for side in SIDES for what in ("entry", "exit", "setup"))
SETTINGS = ("timeframe", "stop_loss", "take_profit")
RESERVED = (*SIGNALS, *SETTINGS, "tf", "param", "and", "or", "not", "true", "false")
_KIND_WORDS = {
    SERIES: "a series",
    CONDITION: "a true/false condition",
    NUMBER: "a number",
    RECORD: "a multi-line indicator",
    STRING: "a text",
}


@dataclass(frozen=True)
class Program:
    """A compiled strategy: its plan, parameters and settings."""

    plan: Plan
    params: tuple[Param, ...]
    stops: dict[str, float]

    def schema(self) -> dict[str, Any]:
        defaults = {p.name: p.default for p in self.params}
        base, context = plan_lookback(self.plan, defaults)
        return {
            "params": [p.schema() for p in self.params],
            "base_timeframe": self.plan.base_timeframe,
            "context_timeframes": list(self.plan.context_timeframes),
            "warmup": {"base": base, "context": context},
            "stops": self.stops,
            "lines": list(self.plan.lines),
        }


@dataclass(frozen=True)
class Typed:
    step: int
    kind: str
    frame_free: bool = True  # reads no candles (numbers)


@dataclass
class _Name:
    tree: Any
    line: int
    uses_tf: bool
    compiled: dict[str | None, Typed] = field(default_factory=dict)


def strategy_compile(source: str) -> Program:
    """The Program of `source`, or a LanguageError saying where and why it cannot be one."""
    if not isinstance(source, str):
        raise LanguageError([SourceError(1, 1, 1, 2, "the source must be text")])
    if len(source) > MAX_SOURCE_CHARS:
        raise LanguageError(
            [
                SourceError(
                    1,
                    1,
                    1,
                    2,
                    f"the text is {len(source):,} characters; the limit is {MAX_SOURCE_CHARS:,}",
                )
            ]
        )
    tree = parse(source)
    _check_depth(tree)
    return _Compiler(source).program(tree)


def _check_depth(tree: Tree) -> None:
    """Refuse deep nesting before any recursive walk (iteratively, so no text can exhaust the
    stack)."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise error_at(node, f"this expression is nested more than {MAX_DEPTH} levels deep")
        for child in node.children:
            if isinstance(child, Tree):
                # A chain of one operator (a + b + c) is one node, so it counts as one level.
                stack.append((child, depth + 1))


def _number(token: Token) -> int | float:
    text = str(token).rstrip("%")
    value = float(text) if "." in text else int(text)
    if abs(value) > MAX_NUMBER:
        raise error_at(token, f"{text} is too large; numbers are at most {MAX_NUMBER:,.0f}")
    return value


class _Compiler:
    def __init__(self, source: str):
        self.source_lines = source.splitlines()
        self.steps: list[Step] = []
        self.index: dict[tuple, int] = {}
        self.params: dict[str, Param] = {}
        self.names: dict[str, _Name] = {}
        self.defined_at: dict[str, int] = {}
        self.outputs: dict[str, tuple[Typed, Any]] = {}
        self.stops: dict[str, float] = {}
        self.timeframe = DEFAULT_TIMEFRAME
        self.context: list[str] = []

    # --- statements ----------------------------------------------------------------------

    def program(self, tree: Tree) -> Plan:
        statements = [s for s in tree.children if isinstance(s, Tree)]
        if len(statements) > MAX_STATEMENTS:
            raise error_at(
                statements[MAX_STATEMENTS],
                f"the strategy has {len(statements)} statements; the limit is {MAX_STATEMENTS}",
            )
        self._timeframe_first(statements)
        for statement in statements:
            if statement.data == "param_decl":
                self._param(statement)
            else:
                self._assignment(statement)
        return self._finish(tree)

    def _timeframe_first(self, statements: list[Tree]) -> None:
        """`timeframe = "1h"` is read before anything else: tf() checks against it."""
        for statement in statements:
            if statement.data == "assignment" and statement.children[0] == "timeframe":
                value = statement.children[1]
                if not (isinstance(value, Tree) and value.data == "string"):
                    raise error_at(value, 'timeframe takes a quoted timeframe, e.g. "1h"')
                self.timeframe = self._timeframe(value.children[0])

    def _timeframe(self, token: Token) -> str:
        name = str(token).strip('"')
        if name not in TIMEFRAMES:
            raise error_at(
                token, f"'{name}' is not a timeframe; use one of {', '.join(TIMEFRAMES)}"
            )
        return name

    def _defined(self, token: Token) -> None:
        name = str(token)
        if name in self.defined_at:
            raise error_at(token, f"{name} is already defined on line {self.defined_at[name]}")
        if name in FUNCTIONS or name in FIELDS or name in ("tf", "true", "false"):
            what = "a function" if name in FUNCTIONS or name == "tf" else "a candle field"
            raise error_at(token, f"{name} is {what}; choose another name")
        self.defined_at[name] = token.line

    def _param(self, tree: Tree) -> None:
        name, *numbers = tree.children
        if str(name) in RESERVED:
            raise error_at(name, f"{name} is a reserved name; choose another name for a param")
        self._defined(name)
        if len(self.params) >= MAX_PARAMS:
            raise error_at(name, f"a strategy has at most {MAX_PARAMS} params")
        values = []
        for signed in numbers:
            minus, token = signed.children
            values.append(-_number(token) if minus else _number(token))
        default, low, high = values
        kind = int if all(isinstance(v, int) for v in values) else float
        if not low < high:
            raise error_at(
                tree, f"param {name}: the minimum {low} must be below the maximum {high}"
            )
        if not low <= default <= high:
            raise error_at(tree, f"param {name}: the default {default} is not in {low}..{high}")
        self.params[str(name)] = Param(
            str(name), kind, kind(default), kind(low), kind(high), self._comment(name.line)
        )

    def _comment(self, line: int) -> str:
        """A param's description: the comment at the end of its line, if any."""
        text = self.source_lines[line - 1] if line <= len(self.source_lines) else ""
        return text.split("#", 1)[1].strip()[:200] if "#" in text else ""

    def _assignment(self, tree: Tree) -> None:
        name, value = tree.children
        key = str(name)
        if key == "timeframe":
            self._defined(name)
            return  # read first (_timeframe_first)
        if key in ("stop_loss", "take_profit"):
            self._defined(name)
            self.stops[key] = self._stop(key, value)
            return
        self._defined(name)
        entry = _Name(value, name.line, uses_tf=self._uses_tf(value))
        self.names[key] = entry
        typed = self._named(key, name, frame=None)
        if key in SIGNALS:
            if typed.kind != CONDITION:
                raise error_at(
                    value,
                    f"{key} must be a true/false condition (e.g. close > sma(close, 20)); "
                    f"got {_KIND_WORDS[typed.kind]}",
                )
            self.outputs[key] = (typed, tree)

    def _stop(self, key: str, value: Any) -> float:
        if not (isinstance(value, Tree) and value.data in ("percent", "number")):
            raise error_at(value, f"{key} takes a percentage, e.g. {key} = 2%")
        number = float(_number(value.children[0]))
        if value.data == "percent":
            number /= 100
        if message := _STOP_BOUNDS[key].error(number):
            raise error_at(value, f"{key} {message} (as a fraction; 2% is 0.02)")
        return number

    def _uses_tf(self, tree: Any) -> bool:
        for node in _subtrees(tree):
            if node.data == "call" and node.children[0] == "tf":
                return True
            used = self.names.get(str(node.children[0])) if node.data == "name" else None
            if used is not None and used.uses_tf:
                return True
        return False

    # --- expressions ---------------------------------------------------------------------

    def _step(self, op: str, frame: str | None, kind: str, args=(), value=None) -> int:
        if kind == NUMBER and op != "call":
            frame = None  # numbers read no candles: one step whatever the frame
        key = (op, frame, kind, tuple(args), value)
        if key not in self.index:
            if len(self.steps) >= MAX_STEPS:
                raise LanguageError(
                    [
                        SourceError(
                            1,
                            1,
                            1,
                            2,
                            f"the strategy needs more than {MAX_STEPS} "
                            "computation steps after sharing common parts; simplify it",
                        )
                    ]
                )
            self.index[key] = len(self.steps)
            self.steps.append(Step(op, frame, kind, tuple(args), value))
        return self.index[key]

    def _named(self, key: str, where: Any, frame: str | None) -> Typed:
        """A named series in `frame`; names used inside tf() are compiled again on that
        timeframe's candles, their dependencies first (in the order they were written, so the
        recursion never goes deeper than one expression)."""
        entry = self.names[key]
        if frame is not None and entry.uses_tf:
            raise error_at(
                where, f"{key} (line {entry.line}) uses tf() itself, and tf() cannot be nested"
            )
        if frame not in entry.compiled:
            for dependency in self._dependencies(key):
                if frame not in self.names[dependency].compiled:
                    dep = self.names[dependency]
                    dep.compiled[frame] = self._expr(dep.tree, frame)
            entry.compiled[frame] = self._expr(entry.tree, frame)
        return entry.compiled[frame]

    def _dependencies(self, key: str) -> list[str]:
        found, todo = set(), [key]
        while todo:
            for node in _subtrees(self.names[todo.pop()].tree):
                used = str(node.children[0]) if node.data == "name" else None
                if used in self.names and used not in found and used != key:
                    found.add(used)
                    todo.append(used)
        return sorted(found, key=lambda name: self.names[name].line)

    def _expr(self, tree: Any, frame: str | None) -> Typed:
        handler = getattr(self, f"_x_{tree.data}", None)
        if handler is None:  # pragma: no cover - the grammar has no other rule
            raise error_at(tree, f"unexpected {tree.data}")
        return handler(tree, frame)

    def _x_number(self, tree: Tree, frame) -> Typed:
        return Typed(self._step("const", None, NUMBER, value=_number(tree.children[0])), NUMBER)

    def _x_percent(self, tree: Tree, frame) -> Typed:
        value = _number(tree.children[0]) / 100
        return Typed(self._step("const", None, NUMBER, value=value), NUMBER)

    def _x_string(self, tree: Tree, frame) -> Typed:
        raise error_at(tree, 'a quoted text is only a timeframe: tf("1h", ...) or timeframe = "1h"')

    def _x_true(self, tree: Tree, frame) -> Typed:
        return Typed(self._step("bool", frame, CONDITION, value=True), CONDITION, False)

    def _x_false(self, tree: Tree, frame) -> Typed:
        return Typed(self._step("bool", frame, CONDITION, value=False), CONDITION, False)

    def _x_name(self, tree: Tree, frame) -> Typed:
        token = tree.children[0]
        name = str(token)
        if name in FIELDS:
            return Typed(self._step("field", frame, SERIES, value=name), SERIES, False)
        if name in self.params:
            return Typed(self._step("param", None, NUMBER, value=name), NUMBER)
        if name in self.names:
            return self._named(name, token, frame)
        if name in FUNCTIONS:
            raise error_at(
                token, f"{name} is a function: call it, e.g. {FUNCTIONS[name].signature()}"
            )
        if name in SETTINGS:
            raise error_at(token, f"{name} is a setting of the strategy, not a value")
        if name in SIGNALS:
            raise error_at(token, f"{name} is not defined yet: define it above this line")
        known = [*FIELDS, *self.params, *self.names]
        guess = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {guess[0]}?" if guess else " (names are defined above their use)"
        raise error_at(token, f"{name} is not defined{hint}")

    def _x_neg(self, tree: Tree, frame) -> Typed:
        operand = self._numeric(tree.children[1], frame, "'-'")
        return Typed(self._step("neg", frame, operand.kind, (operand.step,)), operand.kind)

    def _numeric(self, tree: Any, frame, what: str) -> Typed:
        typed = self._expr(tree, frame)
        if typed.kind not in (SERIES, NUMBER):
            raise error_at(
                tree,
                f"{what} works on numbers and series; got {_KIND_WORDS[typed.kind]}"
                + self._record_hint(tree, typed),
            )
        return typed

    def _record_hint(self, tree: Any, typed: Typed) -> str:
        if typed.kind != RECORD:
            return ""
        function = FUNCTIONS[self.steps[typed.step].value]
        fields = _listed(function.outputs)
        return (
            f" (pick one of its lines: {fields}, e.g. {function.name}(...).{function.outputs[0]})"
        )

    def _x_arith(self, tree: Tree, frame) -> Typed:
        return self._chain(tree, frame)

    def _x_term(self, tree: Tree, frame) -> Typed:
        return self._chain(tree, frame)

    def _chain(self, tree: Tree, frame) -> Typed:
        left = self._numeric(tree.children[0], frame, f"'{tree.children[1]}'")
        for operator, operand in zip(tree.children[1::2], tree.children[2::2], strict=True):
            right = self._numeric(operand, frame, f"'{operator}'")
            kind = NUMBER if left.kind == right.kind == NUMBER else SERIES
            step = self._step("arith", frame, kind, (left.step, right.step), str(operator))
            left = Typed(step, kind)
        return left

    def _x_comparison(self, tree: Tree, frame) -> Typed:
        left_tree, operator, right_tree = tree.children
        left = self._numeric(left_tree, frame, f"'{operator}'")
        right = self._numeric(right_tree, frame, f"'{operator}'")
        if left.kind == right.kind == NUMBER:
            raise error_at(tree, "this compares two numbers, so it is always true or always false")
        step = self._step("compare", frame, CONDITION, (left.step, right.step), str(operator))
        return Typed(step, CONDITION, False)

    def _condition(self, tree: Any, frame, what: str) -> Typed:
        typed = self._expr(tree, frame)
        if typed.kind != CONDITION:
            raise error_at(
                tree,
                f"{what} needs true/false conditions; got {_KIND_WORDS[typed.kind]}"
                " (compare it, e.g. close > sma(close, 20))",
            )
        return typed

    def _x_and_test(self, tree: Tree, frame) -> Typed:
        args = tuple(self._condition(c, frame, "'and'").step for c in tree.children)
        return Typed(self._step("and", frame, CONDITION, args), CONDITION, False)

    def _x_or_test(self, tree: Tree, frame) -> Typed:
        args = tuple(self._condition(c, frame, "'or'").step for c in tree.children)
        return Typed(self._step("or", frame, CONDITION, args), CONDITION, False)

    def _x_not_(self, tree: Tree, frame) -> Typed:
        operand = self._condition(tree.children[0], frame, "'not'")
        return Typed(self._step("not", frame, CONDITION, (operand.step,)), CONDITION, False)

    def _x_attr(self, tree: Tree, frame) -> Typed:
        target, name = tree.children
        typed = self._expr(target, frame)
        if typed.kind != RECORD:
            multi = ", ".join(f"{f.name}()" for f in FUNCTIONS.values() if f.outputs)
            raise error_at(name, f"only {multi} have lines to pick with '.'")
        function = FUNCTIONS[self.steps[typed.step].value]
        if str(name) not in function.outputs:
            raise error_at(
                name,
                f"{function.name}() gives {_listed(function.outputs)}; there is no '{name}'",
            )
        index = function.outputs.index(str(name))
        return Typed(self._step("pick", frame, SERIES, (typed.step,), index), SERIES, False)

    def _x_call(self, tree: Tree, frame) -> Typed:
        token, *args = tree.children
        args = [a for a in args if a is not None]
        name = str(token)
        if name == "tf":
            return self._tf(tree, token, args, frame)
        function = FUNCTIONS.get(name)
        if function is None:
            guess = difflib.get_close_matches(name, [*FUNCTIONS, "tf"], n=1)
            hint = f"; did you mean {guess[0]}()?" if guess else ""
            raise error_at(token, f"unknown function {name}(){hint}")
        if len(args) != len(function.args):
            raise error_at(tree, self._takes(function, args, frame))
        steps = []
        for arg, spec in zip(args, function.args, strict=True):
            steps.append(self._argument(function, spec, arg, args, frame))
        kind = RECORD if function.outputs else function.returns
        return Typed(self._step("call", frame, kind, tuple(steps), name), kind, False)

    def _takes(self, function, args, frame) -> str:
        got = []
        for arg in args:
            try:
                got.append(_KIND_WORDS[self._expr(arg, frame).kind])
            except LanguageError:
                got.append("an invalid expression")
        said = (
            "nothing"
            if not got
            else (got[0] if len(got) == 1 else ", ".join(got[:-1]) + " and " + got[-1])
        )
        return f"{function.name}() takes {function.takes()}; got {said}"

    def _argument(self, function, spec, arg, args, frame) -> int:
        if spec.kind == PERIOD:
            return self._period(function, spec, arg)
        typed = self._expr(arg, frame)
        wanted = {SERIES_ARG: (SERIES,), NUMBER_ARG: (NUMBER,)}.get(spec.kind, (SERIES, NUMBER))
        if typed.kind not in wanted:
            raise error_at(arg, self._takes(function, args, frame) + self._record_hint(arg, typed))
        if spec.kind not in (SERIES_ARG, NUMBER_ARG) and not any(
            self._expr(a, frame).kind == SERIES for a in args
        ):
            raise error_at(arg, f"{function.name}() needs at least one series")
        return typed.step

    def _period(self, function, spec, arg) -> int:
        """A period is a whole number in the text or an integer param: known before any candle,
        so the warm-up is too."""
        if isinstance(arg, Tree) and arg.data == "neg":
            if function.name in ("shift", "change"):
                raise error_at(
                    arg,
                    f"{function.name}() looks back only: {spec.name} must be 1 or more "
                    "(a negative shift would read bars that have not happened yet)",
                )
            raise error_at(arg, f"{function.name}(): {spec.name} must be a positive whole number")
        if isinstance(arg, Tree) and arg.data == "number":
            value = _number(arg.children[0])
            if not isinstance(value, int):
                raise error_at(arg, f"{function.name}(): {spec.name} must be a whole number")
            if value < spec.minimum:
                raise error_at(
                    arg, f"{function.name}(): {spec.name} must be at least {spec.minimum}"
                )
            return self._step("const", None, NUMBER, value=value)
        if isinstance(arg, Tree) and arg.data == "name" and str(arg.children[0]) in self.params:
            param = self.params[str(arg.children[0])]
            if param.kind is not int:
                raise error_at(
                    arg,
                    f"{function.name}(): {spec.name} needs a whole-number param; "
                    f"{param.name} is a decimal one",
                )
            if param.minimum < spec.minimum:
                raise error_at(
                    arg,
                    f"{function.name}(): {spec.name} must be at least {spec.minimum}, and "
                    f"param {param.name} can be {param.minimum}",
                )
            return self._step("param", None, NUMBER, value=param.name)
        raise error_at(
            arg,
            f"{function.name}(): {spec.name} must be a whole number or an integer param "
            "(it fixes the warm-up)",
        )

    def _tf(self, tree: Tree, token: Token, args: list, frame) -> Typed:
        if frame is not None:
            raise error_at(token, "tf() cannot be nested")
        if len(args) != 2 or not (isinstance(args[0], Tree) and args[0].data == "string"):
            raise error_at(
                tree,
                'tf() takes a quoted timeframe and an expression, e.g. tf("1h", hma(close, 200))',
            )
        timeframe = self._timeframe(args[0].children[0])
        base_ms, higher_ms = timeframe_ms(self.timeframe), timeframe_ms(timeframe)
        if higher_ms <= base_ms or (timeframe != "1M" and higher_ms % base_ms):
            raise error_at(
                args[0],
                f"tf() reads a timeframe above the strategy's {self.timeframe} that "
                f"is a multiple of it; {timeframe} is not",
            )
        inner = self._expr(args[1], timeframe)
        if inner.kind not in (SERIES, CONDITION):
            raise error_at(
                args[1],
                f"tf() needs a series or a condition; got {_KIND_WORDS[inner.kind]}"
                + self._record_hint(args[1], inner),
            )
        if timeframe not in self.context:
            if len(self.context) >= MAX_CONTEXT_TIMEFRAMES:
                raise error_at(
                    args[0], f"a strategy reads at most {MAX_CONTEXT_TIMEFRAMES} higher timeframes"
                )
            self.context.append(timeframe)
        step = self._step("tf", None, inner.kind, (inner.step,), timeframe)
        return Typed(step, inner.kind, False)

    # --- the whole -----------------------------------------------------------------------

    def _finish(self, tree: Tree) -> Program:
        outputs = {key: typed.step for key, (typed, _) in self.outputs.items()}
        for side in SIDES:
            entry, setup = f"{side}_entry", f"{side}_setup"
            if entry not in outputs and setup in outputs:  # an entry is where a setup starts
                outputs[entry] = self._step("starts", None, CONDITION, (outputs[setup],))
            if setup not in outputs and entry in outputs:
                outputs[setup] = outputs[entry]
        if not any(f"{side}_entry" in outputs for side in SIDES):
            raise LanguageError(
                [
                    SourceError(
                        1,
                        1,
                        1,
                        2,
                        "a strategy needs long_entry or short_entry (or long_setup / "
                        "short_setup), e.g. long_entry = crosses_above(close, sma(close, 50))",
                    )
                ]
            )
        for side in SIDES:
            if f"{side}_entry" not in outputs:
                never = self._step("bool", None, CONDITION, value=False)
                outputs[f"{side}_entry"] = outputs[f"{side}_setup"] = never
        lines = {
            name: entry.compiled[None].step
            for name, entry in self.names.items()
            if name not in SIGNALS and entry.compiled[None].kind == SERIES
        }
        plan = Plan(
            steps=tuple(self.steps),
            outputs=outputs,
            lines=lines,
            base_timeframe=self.timeframe,
            context_timeframes=tuple(self.context),
        )
        program = Program(plan=plan, params=tuple(self.params.values()), stops=self.stops)
        self._check_cost(plan)
        self._check_lookback(program)
        return program

    def _check_cost(self, plan: Plan) -> None:
        """Bound the work of one computation, whatever the text: each distinct indicator call
        costs its weight, every other step a twentieth of an EMA."""
        cost = sum(FUNCTIONS[step.value].cost if step.op == "call" else 0.05 for step in plan.steps)
        if cost > MAX_COST:
            raise LanguageError(
                [
                    SourceError(
                        1,
                        1,
                        1,
                        2,
                        f"the strategy costs {cost:.0f} units of work per bar (an "
                        f"EMA is 1, a SuperTrend 40); the limit is {MAX_COST:.0f}: use fewer "
                        "distinct indicators",
                    )
                ]
            )

    def _check_lookback(self, program: Program) -> None:
        """Refuse a look-back past MAX_LOOKBACK at the params' maxima, at the output statement
        that needs the most."""
        widest = {p.name: p.maximum for p in program.params}
        worst = None
        for key, (typed, tree) in self.outputs.items():
            alone = dataclasses.replace(program.plan, outputs={key: typed.step})
            try:
                base, context = plan_lookback(alone, widest, bound=True)
            except (ValueError, OverflowError) as error:
                raise error_at(tree, str(error)) from None
            for timeframe, bars in {self.timeframe: base, **context}.items():
                if bars > MAX_LOOKBACK and (worst is None or bars > worst[0]):
                    worst = (bars, timeframe, tree)
        if worst is not None:
            bars, timeframe, tree = worst
            raise error_at(
                tree,
                f"at its params' maxima this looks back {bars:,} {timeframe} bars; the limit is "
                f"{MAX_LOOKBACK:,} (lower the periods or the params' maxima)",
            )


def _listed(words) -> str:
    """'a', 'a and b', 'a, b and c'."""
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _subtrees(tree: Any):
    if isinstance(tree, Tree):
        yield from tree.iter_subtrees()

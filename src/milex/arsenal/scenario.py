"""Scenario files of the munitions model: TOML, validated by pydantic, errors naming the file
and the key.

A scenario names its months (``start``, ``until`` as ``"YYYY-MM"``), the draws and seed of its
uncertainty bands, the pairs of actors whose outputs it compares, and per actor (a code of
:data:`milex.arsenal.estimates.ACTORS`; NATO is a sum, not an actor of a scenario):

- ``capacity``: ``"estimates"`` (low/central/high from the embedded estimates, held flat
  between and after the years published) or a number of rounds per year (a parameter);
- ``start_stock`` (rounds) and ``start_stock_source`` (where it comes from; absent, the stock
  is reported as an assumption, not an estimate);
- ``ramps``: ``start``, ``end``, ``target`` (rounds per year reached at ``end``), ``shape``
  (``linear`` or ``logistic``), ``source``;
- ``flows``: ``kind`` (``consumption``, ``import`` or ``transfer``), ``start``, ``end``, one
  rate (``per_day``, ``per_month`` or ``per_year``), ``counterpart`` and ``source``. The
  counterpart of an import (who sends) or a transfer (who receives) is an actor of the
  scenario or an outside supplier of :data:`OUTSIDE` (not modelled: its stock is not
  tracked); consumption has none. Between two actors of the scenario a movement is booked on
  both sides in the same month (an import of B from A is a transfer out of A), so rounds never
  appear from nothing; declare each movement once.

Every number of a scenario carries its source text, shown with the model's results.
"""

from __future__ import annotations

import copy
import difflib
import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    model_validator,
)

from milex.arsenal.estimates import ACTORS, SUMS
from milex.catalog import data_dir
from milex.errors import DataFileError, InputError, first_line, shown

#: The folder of the scenarios shipped with the package.
SCENARIO_DIR = "scenarios"
#: Suppliers a flow may name as counterpart without being modelled (stocks not tracked).
OUTSIDE = ("PRK", "IRN")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_KEYED = re.compile(r"([A-Za-z_][\w.\[\]]*): ")


def _month(value: Any) -> str:
    """A month as ``"YYYY-MM"``, from that text or a TOML date (its day is dropped)."""
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}"
    found = _MONTH.fullmatch(value) if isinstance(value, str) else None
    if found is None or not 1 <= int(found[2]) <= 12 or not 1900 <= int(found[1]) <= 2100:
        raise ValueError(f"a month is written 'YYYY-MM' (e.g. '2025-12'), not {shown(value)}")
    return value


Month = Annotated[str, BeforeValidator(_month)]
Number = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]
Actor = Literal[tuple(code for code in ACTORS if code not in SUMS)]  # type: ignore[valid-type]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _ordered(start: str, end: str, what: str) -> None:
    if end < start:
        raise ValueError(f"dates out of order: {what} end {end} is before its start {start}")


class Ramp(_Strict):
    """A planned ramp-up to ``target`` rounds per year, reached at the month ``end``."""

    start: Month
    end: Month
    target: Number
    shape: Literal["linear", "logistic"] = "linear"
    source: str

    @model_validator(mode="after")
    def _order(self) -> Ramp:
        _ordered(self.start, self.end, "ramp")
        if self.end == self.start:
            raise ValueError(f"dates out of order: a ramp needs end after start ({self.start})")
        return self


class Flow(_Strict):
    """Rounds consumed, imported or transferred each month from ``start`` to ``end``."""

    kind: Literal["consumption", "import", "transfer"]
    start: Month
    end: Month
    per_day: Number | None = None
    per_month: Number | None = None
    per_year: Number | None = None
    counterpart: str = ""
    label: str = ""
    source: str

    @model_validator(mode="after")
    def _check(self) -> Flow:
        _ordered(self.start, self.end, "flow")
        given = [k for k in ("per_day", "per_month", "per_year") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of per_day, per_month, per_year (given: {given})")
        if self.kind == "consumption" and self.counterpart:
            raise ValueError("consumption has no counterpart")
        if self.kind != "consumption" and not self.counterpart:
            article = "an" if self.kind == "import" else "a"
            raise ValueError(
                f"{article} {self.kind} needs a counterpart (an actor of the scenario or an "
                f"outside supplier: {', '.join(OUTSIDE)})"
            )
        return self


class ActorPlan(_Strict):
    """What a scenario assumes of one actor."""

    capacity: Literal["estimates"] | Number = "estimates"
    start_stock: Number = 0
    start_stock_source: str = ""
    ramps: list[Ramp] = []
    flows: list[Flow] = []

    @model_validator(mode="after")
    def _ramps_in_order(self) -> ActorPlan:
        for before, after in zip(self.ramps, self.ramps[1:], strict=False):
            _ordered(before.end, after.start, "ramps overlap: the next ramp's start and the")
        return self


class Scenario(_Strict):
    """A munitions scenario (see the module's documentation)."""

    name: str
    description: str = ""
    start: Month
    until: Month
    draws: Annotated[StrictInt, Field(ge=1, le=100_000)] = 1000
    seed: StrictInt = 8
    pairs: list[tuple[str, str]] = []
    actors: Annotated[dict[Actor, ActorPlan], Field(min_length=1)]

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        if self.until < self.start:
            raise ValueError(
                f"until: dates out of order: {self.until} is before start {self.start}"
            )
        for i, pair in enumerate(self.pairs):
            for code in pair:
                if code not in ACTORS:
                    raise ValueError(
                        f"pairs[{i}]: unknown actor {code!r}: give one of {list(ACTORS)}"
                    )
        for code, plan in self.actors.items():
            for i, flow in enumerate(plan.flows):
                other = flow.counterpart
                if other and other not in self.actors and other not in OUTSIDE:
                    raise ValueError(
                        f"actors.{code}.flows[{i}].counterpart: {other!r} is neither an actor "
                        f"of the scenario ({', '.join(self.actors)}) nor an outside supplier "
                        f"({', '.join(OUTSIDE)})"
                    )
                if other == code:
                    raise ValueError(f"actors.{code}.flows[{i}].counterpart: {code} itself")
        return self


def shipped() -> list[str]:
    """The names of the scenarios shipped with the package."""
    return sorted(p.stem for p in (data_dir() / SCENARIO_DIR).glob("*.toml"))


def _where(loc: tuple) -> str:
    """A key path from a pydantic location, without the tags of union members."""
    parts = [p for p in loc if isinstance(p, int) or p.isidentifier() or p.isupper()]
    return ".".join(f"[{p}]" if isinstance(p, int) else p for p in parts)


def parse(data: dict[str, Any], file: str) -> Scenario:
    """A scenario from parsed TOML; a DataFileError naming ``file`` and the key otherwise."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for err in exc.errors():
            key = _where(err["loc"]).replace(".[", "[")
            message = err["msg"].removeprefix("Value error, ")
            named = _KEYED.match(message) if not key else None
            if named:  # a check of the whole scenario names its key first
                key, message = named[1], message[named.end() :]
            key = key or "(top level)"
            if err["type"] == "extra_forbidden":
                message = "unknown key"
            elif err["type"] == "literal_error" and "[key]" in err["loc"]:
                message = f"unknown actor {shown(err['input'])}: {message}"
            problems[key] = message  # of union members, the last (the number's) says most
        shown_problems = [f"{k}: {m}" for k, m in list(problems.items())[:3]]
        raise DataFileError(f"{file}: " + "; ".join(shown_problems)) from None


def _exists(path: Path) -> bool:
    """Whether ``path`` exists; a name the system cannot even look up (too long) does not."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def load(scenario: str | Path = "default", changes: dict[str, float] | None = None) -> Scenario:
    """A shipped scenario by name (``"default"``) or a user's scenario file by path, with
    ``changes`` (see :func:`change`) made to its parameters before it is validated."""
    text = str(scenario)
    if not text.strip() or text.strip() == ".":
        raise InputError(
            f"no scenario given (empty name): give a shipped one ({', '.join(shipped())}) "
            "or the path of a TOML file"
        )
    path = Path(text)
    if text in shipped():
        path = data_dir() / SCENARIO_DIR / f"{text}.toml"
    elif not path.suffix and not _exists(path):
        raise InputError(
            f"no scenario {shown(text)}: give a shipped one ({', '.join(shipped())}) "
            "or the path of a TOML file"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"scenario file {shown(text)} does not exist") from None
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte, not UTF-8 ...
        raise InputError(
            f"scenario file {shown(text)} cannot be read ({first_line(exc)})"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"{path}: not valid TOML ({exc})") from None
    loaded = parse(data, str(path))
    if not changes:
        return loaded
    return parse(change(data, loaded, changes), str(path))


#: The largest value a parameter can be changed to (rounds, or rounds per day, month or year).
MAX_PARAMETER = 1_000_000_000
#: The unit of each kind of parameter.
_UNITS = {
    "capacity": "rounds per year",
    "start_stock": "rounds",
    "target": "rounds per year",
    "per_day": "rounds per day",
    "per_month": "rounds per month",
    "per_year": "rounds per year",
}


def parameters(scenario: Scenario) -> list[dict[str, Any]]:
    """The numbers of a scenario that can be changed (:func:`change`), one dict each:
    ``key`` (its dotted path in the TOML, e.g. ``actors.RUS.flows.0.per_day``), ``value``,
    ``unit`` (rounds, or rounds per day, month or year), ``label`` (actor, kind and period)
    and ``source`` (the scenario's source text; empty for an assumption without one)."""
    out = []

    def add(key: str, value: float, label: str, source: str) -> None:
        unit = _UNITS[key.rsplit(".", 1)[1]]
        out.append({"key": key, "value": value, "unit": unit, "label": label, "source": source})

    for code, plan in scenario.actors.items():
        where = f"actors.{code}"
        if plan.capacity != "estimates":
            add(f"{where}.capacity", plan.capacity, f"{code} production capacity", "")
        start = f"{code} stock at the start ({scenario.start})"
        add(f"{where}.start_stock", plan.start_stock, start, plan.start_stock_source)
        for i, ramp in enumerate(plan.ramps):
            label = f"{code} production ramp ({ramp.shape}), {ramp.start} to {ramp.end}"
            add(f"{where}.ramps.{i}.target", ramp.target, label, ramp.source)
        for i, flow in enumerate(plan.flows):
            rate = next(
                k for k in ("per_day", "per_month", "per_year") if getattr(flow, k) is not None
            )
            towards = {"import": " from ", "transfer": " to "}.get(flow.kind, "")
            what = f"{flow.kind}{towards}{flow.counterpart}" + (
                f" ({flow.label})" if flow.label else ""
            )
            label = f"{code} {what}, {flow.start} to {flow.end}"
            add(f"{where}.flows.{i}.{rate}", getattr(flow, rate), label, flow.source)
    return out


def change(data: dict[str, Any], scenario: Scenario, changes: dict[str, float]) -> dict[str, Any]:
    """A copy of a scenario's parsed TOML ``data`` with ``changes`` (dotted key -> number) made:
    only a parameter of :func:`parameters` can be changed, to a number from 0 to
    :data:`MAX_PARAMETER`; anything else is a one-line InputError naming the key."""
    known = [p["key"] for p in parameters(scenario)]
    changed = copy.deepcopy(data)
    for key, value in changes.items():
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise InputError(
                f"changes: {shown(key)} is not a parameter of scenario {scenario.name}: "
                f"{hint}give a key of its parameters, e.g. {known[0]}"
            )
        if isinstance(value, bool) or not 0 <= value <= MAX_PARAMETER:
            raise InputError(
                f"changes: {key} = {shown(value)}: give a number from 0 to {MAX_PARAMETER:,} "
                f"({_UNITS[key.rsplit('.', 1)[1]]})"
            )
        *path, leaf = key.split(".")
        node: Any = changed
        for part in path:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[leaf] = value
    return changed

"""How uncertain GDP and spending are: the settings of the Monte Carlo model, their presets
(``milex/data/uncertainty.toml``) and the ranges a sensitivity (tornado) analysis tries.

Pure Python and numpy: importing this module imports no pandas, DuckDB or the rest of milex
(except :mod:`milex.errors`), so process and Dask workers stay light.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from milex.errors import DataFileError, InputError, shown

#: The numeric settings of :class:`Uncertainty`, in the order of its fields.
SETTINGS: tuple[str, ...] = (
    "growth_sd",
    "inflation_sd",
    "rho",
    "corr",
    "horizon_slope",
    "growth_bias",
    "inflation_bias",
    "recession_prob",
    "recession_growth",
    "country_corr",
    "spend_sd",
    "spend_bias",
)

#: Settings that may be None (= calibrate from the NATO editions held, done by the projection
#: layer); spelled ``"calibrated"`` in TOML, which has no null.
CALIBRATED = ("spend_sd", "spend_bias")

#: Keys of a preset or file that are not settings: ``source`` (shown to users), ``note``
#: (documentation only) and ``base`` (the preset whose values fill the keys not given).
_TEXT_KEYS = ("source", "note", "base")

_DATA_FILE = "milex/data/uncertainty.toml"


def _range_error(name: str, value: float, accepted: str, hint: str) -> InputError:
    return InputError(f"Uncertainty.{name} is {shown(value)}; it must be {accepted}. {hint}")


#: Per setting: (test of the value, what is accepted, a suggestion).  Units are in the
#: :class:`Uncertainty` docstring.
_CHECKS: dict[str, tuple[Any, str, str]] = {
    "growth_sd": (lambda v: v >= 0, ">= 0 (percentage points)", "Use 0 for no uncertainty."),
    "inflation_sd": (lambda v: v >= 0, ">= 0 (percentage points)", "Use 0 for no uncertainty."),
    "rho": (
        lambda v: 0 <= v < 1,
        "in [0, 1) (the year-to-year autocorrelation)",
        "0 = independent years, e.g. 0.3; for a near-permanent shock use 0.99.",
    ),
    "corr": (
        lambda v: -1 < v < 1,
        "strictly between -1 and 1 (the growth-inflation correlation)",
        "E.g. 0.25; use +-0.99 for near-perfect co-movement.",
    ),
    "horizon_slope": (
        lambda v: v >= 0,
        ">= 0 (fraction per projection year)",
        "0 keeps the sd the same in every year; 0.1 makes it 10% larger each year.",
    ),
    "growth_bias": (lambda v: True, "a finite number (percentage points)", ""),
    "inflation_bias": (lambda v: True, "a finite number (percentage points)", ""),
    "recession_prob": (
        lambda v: 0 <= v < 1,
        "in [0, 1) (a probability per projection year)",
        "0 turns the recession regime off, e.g. 0.125.",
    ),
    "recession_growth": (
        lambda v: v <= 0,
        "<= 0 (percentage points added to real growth in a recession year)",
        "A recession lowers growth, e.g. -3.0; 0 turns the regime off.",
    ),
    "country_corr": (
        lambda v: 0 <= v <= 1,
        "in [0, 1] (the correlation between two countries' shocks)",
        "0 = countries independent, 1 = one shock for all.",
    ),
    "spend_sd": (
        lambda v: v >= 0,
        ">= 0 (percent of planned spending) or calibrated (None in Python)",
        "Use 0 for spending as planned, or calibrated (None in Python) to calibrate it from "
        "the NATO editions held.",
    ),
    "spend_bias": (
        lambda v: v > -100,
        "> -100 (percent of planned spending) or calibrated (None in Python)",
        "Negative = under-execution, e.g. -1.5; calibrated (None in Python) to calibrate it.",
    ),
}


@dataclass(frozen=True)
class Uncertainty:
    """How uncertain the GDP path and planned spending are.

    Attributes:
        growth_sd: percentage points; standard deviation of the error of a real GDP growth
            forecast (percent per year) in the first projection year.
        inflation_sd: percentage points; the same for GDP-deflator inflation.
        rho: year-to-year autocorrelation of the standardised shocks, in [0, 1).
        corr: correlation of the growth and inflation shocks of one country and year, in
            (-1, 1).
        source: where the numbers come from (free text, shown to users).
        horizon_slope: fraction per year, >= 0: the sd in projection year ``t`` (``t = 0`` is
            the first year after the base year) is ``sd * (1 + horizon_slope * t)``.
        growth_bias: percentage points; forecasts exceed outcomes by this on average, so drawn
            growth is centred on ``growth - growth_bias``.
        inflation_bias: percentage points; the same for inflation.
        recession_prob: probability, in [0, 1), that a projection year of a draw is a recession
            year, common to all countries of the run.
        recession_growth: percentage points, <= 0, added to real growth in a recession year.
        country_corr: correlation, in [0, 1], between two countries' growth shocks (and between
            their inflation shocks): one common factor,
            ``e = sqrt(country_corr) * common + sqrt(1 - country_corr) * own``.
        spend_sd: percent of planned spending, >= 0: sd of the relative execution/revision
            error; ``None`` = calibrate from the NATO editions held (the projection layer does).
        spend_bias: percent of planned spending, > -100: mean relative error, outturn minus
            plan (negative = under-execution); ``None`` = calibrate.
        name: the preset or file the settings came from ("" when built by hand).

    Change one setting with ``dataclasses.replace(u, growth_sd=2.5)`` (validated again).

    Raises:
        InputError: a setting is not a finite number or is outside its range.
    """

    growth_sd: float
    inflation_sd: float
    rho: float
    corr: float
    source: str = ""
    horizon_slope: float = 0.0
    growth_bias: float = 0.0
    inflation_bias: float = 0.0
    recession_prob: float = 0.0
    recession_growth: float = 0.0
    country_corr: float = 0.0
    spend_sd: float | None = None
    spend_bias: float | None = None
    name: str = ""

    def __post_init__(self) -> None:
        for name in SETTINGS:
            value = getattr(self, name)
            if value is None and name in CALIBRATED:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise InputError(
                    f"Uncertainty.{name} must be a number, got {shown(value)}; "
                    f"pass a float such as {name}=0.5"
                    + (
                        " or calibrated (None in Python) to calibrate it."
                        if name in CALIBRATED
                        else "."
                    )
                )
            if not math.isfinite(float(value)):
                raise InputError(
                    f"Uncertainty.{name} is {shown(value)}; it must be a finite number: "
                    f"replace NaN/inf with a value (see {_DATA_FILE} for the defaults)."
                )
            value = float(value)
            test, accepted, hint = _CHECKS[name]
            if not test(value):
                raise _range_error(name, value, accepted, hint)
            object.__setattr__(self, name, value)
        for name in ("source", "name"):
            if not isinstance(getattr(self, name), str):
                raise InputError(
                    f"Uncertainty.{name} must be text, got {shown(getattr(self, name))}."
                )

    @property
    def calibrated(self) -> bool:
        """True when both spending settings are numbers (no calibration left to do)."""
        return self.spend_sd is not None and self.spend_bias is not None


def _read_toml(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"{where} is not valid TOML: {exc}") from exc


def _data() -> dict[str, Any]:
    """The shipped ``uncertainty.toml`` as a dict (``presets`` and ``sensitivity`` tables)."""
    resource = files("milex") / "data" / "uncertainty.toml"
    try:
        text = resource.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"{_DATA_FILE} cannot be read: {exc}") from exc
    data = _read_toml(text, _DATA_FILE)
    for table in ("presets", "sensitivity"):
        if not isinstance(data.get(table), dict):
            raise DataFileError(f"{_DATA_FILE} lacks its [{table}] table.")
    return data


def presets() -> list[str]:
    """The names of the presets in ``milex/data/uncertainty.toml``, sorted."""
    return sorted(_data()["presets"])


def _from_table(
    table: dict[str, Any], name: str, where: str, known: dict[str, Any], depth: int = 0
) -> Uncertainty:
    """An :class:`Uncertainty` from a preset or file table; keys it lacks come from its
    ``base`` preset (when given) or from the field defaults."""
    allowed = (*SETTINGS, *_TEXT_KEYS)
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        hint = (
            "; a file gives them at its top level, not under [presets.<name>]"
            if unknown[0] in ("presets", "sensitivity")
            else ""
        )
        raise InputError(
            f"{where} has an unknown key {unknown[0]!r}; the keys are {', '.join(allowed)}"
            f"{hint} (see {_DATA_FILE} for what each means)."
        )
    values: dict[str, Any] = {}
    base = table.get("base")
    if base is not None:
        if not isinstance(base, str) or base not in known or depth > len(known):
            raise InputError(
                f"{where}: base = {shown(base)} is not a preset; the presets are "
                f"{', '.join(sorted(known))}."
            )
        parent = _from_table(known[base], base, f"{_DATA_FILE} [presets.{base}]", known, depth + 1)
        values = {f.name: getattr(parent, f.name) for f in fields(parent)}
    else:
        missing = [k for k in ("growth_sd", "inflation_sd", "rho", "corr") if k not in table]
        if missing:
            raise InputError(
                f'{where} lacks {", ".join(missing)}; give them, or base = "default" to '
                "take every key not given from the default preset."
            )
    for key, value in table.items():
        if key in ("note", "base"):
            continue
        if key in CALIBRATED and isinstance(value, str):
            if value != "calibrated":
                raise InputError(
                    f"{where}: {key} = {shown(value)}; give a number (percent of planned "
                    'spending) or "calibrated" to calibrate it from the NATO editions held.'
                )
            value = None
        values[key] = value
    values["name"] = name
    try:
        return Uncertainty(**values)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from exc


def checked(uncertainty: object) -> Uncertainty:
    """``uncertainty`` for a run: None is the ``default`` preset, an :class:`Uncertainty` is
    itself, anything else an InputError (a preset's name or a file goes through
    :func:`load_uncertainty` first)."""
    if uncertainty is None:
        return load_uncertainty()
    if not isinstance(uncertainty, Uncertainty):
        raise InputError(
            f"uncertainty must be an Uncertainty, got {type(uncertainty).__name__}; use "
            "load_uncertainty('default'), a TOML file's path through it, or Uncertainty(...)."
        )
    return uncertainty


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; False for a name the system cannot even look up (too long,
    a NUL byte), which ``Path.is_file`` raises on."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def load_uncertainty(spec: str | os.PathLike[str] = "default") -> Uncertainty:
    """The settings of a preset of ``milex/data/uncertainty.toml`` or of a TOML file.

    Args:
        spec: a preset name (see :func:`presets`: ``default``, ``none`` ...) or the path of a
            TOML file with the keys of a preset at its top level (the numeric settings of
            :data:`SETTINGS`, ``source``, ``note``, and ``base``, a preset whose values fill the
            keys the file does not give). ``spend_sd``/``spend_bias`` may be ``"calibrated"``.
            A preset name wins over a file of the same name; any other string that names an
            existing file, ends in ``.toml`` or holds a path separator is read as a path. An
            :class:`Uncertainty` is returned as it is.

    Returns:
        The :class:`Uncertainty`, its ``name`` the preset or the file's path.

    Raises:
        InputError: an unknown preset (the message lists them), a file that does not exist or
            is not valid TOML, an unknown key (named, with the keys accepted), a bad value.
        DataFileError: the shipped data file is damaged.
    """
    if isinstance(spec, Uncertainty):
        return spec
    if not isinstance(spec, str | os.PathLike):
        raise InputError(
            f"uncertainty must be a preset name or a TOML file path, got {shown(spec)}; "
            f"the presets are {', '.join(presets())}."
        )
    known = _data()["presets"]
    text_spec = os.fspath(spec)
    path = Path(text_spec)
    if isinstance(spec, str) and text_spec in known:
        where = f"{_DATA_FILE} [presets.{text_spec}]"
        return _from_table(known[text_spec], text_spec, where, known)
    looks_like_path = text_spec.endswith(".toml") or "/" in text_spec or os.sep in text_spec
    if isinstance(spec, str) and not (looks_like_path or _is_file(path)):
        raise InputError(
            f"no uncertainty preset named {shown(text_spec)}; the presets are "
            f"{', '.join(sorted(known))}, or give the path of a TOML file with the same keys."
        )
    if not _is_file(path):
        raise InputError(
            f"the uncertainty file {shown(text_spec)} does not exist (or is not a file); give "
            "the path "
            f"of a TOML file, or a preset: {', '.join(sorted(known))}."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"the uncertainty file {text_spec} cannot be read: {exc}") from exc
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"the uncertainty file {text_spec} is not valid TOML: {exc}") from exc
    return _from_table(table, text_spec, f"the uncertainty file {text_spec}", known)


def apply_settings(
    base: Uncertainty, settings: Mapping[str, object] | Iterable[str]
) -> Uncertainty:
    """``base`` with some settings changed: what ``--set key=value`` asks for.

    Args:
        base: the settings to start from (a preset or file, :func:`load_uncertainty`).
        settings: ``{"country_corr": 0.5}`` or ``["country_corr=0.5", "spend_sd=4"]``; values
            are numbers or number texts, in the units of :class:`Uncertainty`;
            ``spend_sd``/``spend_bias`` also take ``calibrated``.

    Returns:
        A new :class:`Uncertainty` (validated), named ``"<base name> with k=v, ..."``.

    Raises:
        InputError: an assignment without ``=``, an unknown setting (the message lists
            :data:`SETTINGS`), a value that is not a number, or one outside its range.
    """
    if isinstance(settings, Mapping):
        pairs = [(str(k), v) for k, v in settings.items()]
    else:
        if isinstance(settings, str):
            settings = [settings]
        pairs = []
        for item in settings:
            key, sep, value = str(item).partition("=")
            if not sep:
                raise InputError(
                    f"a setting is given as key=value, got {shown(item)}; e.g. country_corr=0.5"
                )
            pairs.append((key.strip(), value.strip()))
    changes: dict[str, float | None] = {}
    for key, value in pairs:
        if key not in SETTINGS:
            raise InputError(
                f"no uncertainty setting named {shown(key)}; the settings are "
                f"{', '.join(SETTINGS)}."
            )
        changes[key] = _setting_value(key, value)
    if not changes:
        return base
    told = ", ".join(f"{k}={'calibrated' if v is None else f'{v:g}'}" for k, v in changes.items())
    return replace(base, **changes, name=f"{base.name or 'custom'} with {told}")


def _setting_value(key: str, value: object) -> float | None:
    """A setting's value from a number or a text (``calibrated`` = None for spending)."""
    if isinstance(value, str):
        if key in CALIBRATED and value.strip().lower() in ("calibrated", "none"):
            return None
        try:
            return float(value)
        except ValueError:
            extra = ' or "calibrated"' if key in CALIBRATED else ""
            raise InputError(
                f"{key}={shown(value)} is not a number; give a number{extra}, e.g. {key}=0.5"
            ) from None
    if value is None and key in CALIBRATED:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise InputError(f"{key} must be a number, got {shown(value)}; e.g. {key}=0.5")
    return float(value)


def sensitivity_ranges(base: Uncertainty) -> dict[str, tuple[float, float, str]]:
    """Per setting, the (low, high, why) a tornado tries around ``base``.

    Read from the ``[sensitivity]`` table of ``milex/data/uncertainty.toml``: a setting's range
    is given either as ``values = [low, high]`` (absolute, in the setting's units), as
    ``scale = [a, b]`` (``base * a``, ``base * b``: e.g. half and double an sd) or as
    ``shift = [a, b]`` (``base + a``, ``base + b``), with ``why``. Each bound is clipped to the
    setting's accepted range, so every (low, high) is valid for ``dataclasses.replace``.

    Raises:
        InputError: ``base.spend_sd`` or ``base.spend_bias`` is None (resolve the calibration
            first), or ``base`` is not an :class:`Uncertainty`.
        DataFileError: a ``[sensitivity]`` entry is malformed.
    """
    if not isinstance(base, Uncertainty):
        raise InputError(f"base must be an Uncertainty, got {shown(base)}.")
    if not base.calibrated:
        raise InputError(
            "sensitivity_ranges needs numeric spend_sd and spend_bias; resolve the calibration "
            "first (milex.projection.calibration.spending_errors, then dataclasses.replace)."
        )
    table = _data()["sensitivity"]
    out: dict[str, tuple[float, float, str]] = {}
    for name in SETTINGS:
        entry = table.get(name)
        if entry is None:
            continue
        where = f"{_DATA_FILE} [sensitivity.{name}]"
        kinds = [k for k in ("values", "scale", "shift") if k in entry]
        pair = entry.get(kinds[0]) if len(kinds) == 1 else None
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pair)
            or not isinstance(entry.get("why"), str)
        ):
            raise DataFileError(
                f"{where} needs exactly one of values/scale/shift = [low, high] and a why text."
            )
        value = getattr(base, name)
        if kinds[0] == "values":
            low, high = pair
        elif kinds[0] == "scale":
            low, high = value * pair[0], value * pair[1]
        else:
            low, high = value + pair[0], value + pair[1]
        out[name] = (_clip(name, float(low)), _clip(name, float(high)), entry["why"])
    return out


#: The accepted interval of each bounded setting (open ends are nudged just inside).
_BOUNDS: dict[str, tuple[float, float]] = {
    "growth_sd": (0.0, math.inf),
    "inflation_sd": (0.0, math.inf),
    "rho": (0.0, 0.99),
    "corr": (-0.99, 0.99),
    "horizon_slope": (0.0, math.inf),
    "recession_prob": (0.0, 0.99),
    "recession_growth": (-math.inf, 0.0),
    "country_corr": (0.0, 1.0),
    "spend_sd": (0.0, math.inf),
    "spend_bias": (-99.0, math.inf),
}


def _clip(name: str, value: float) -> float:
    low, high = _BOUNDS.get(name, (-math.inf, math.inf))
    return min(max(value, low), high)

"""The uncertainty settings: validation, presets, files, sensitivity ranges, and the
calibrations written in milex/data/uncertainty.toml recomputed from the data they cite."""

from __future__ import annotations

import dataclasses
import itertools
import math
import subprocess
import sys
import tomllib
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from milex.errors import InputError
from milex.montecarlo import Uncertainty, load_uncertainty
from milex.montecarlo.uncertainty import SETTINGS, apply_settings, presets, sensitivity_ranges

DATA = tomllib.loads((files("milex") / "data" / "uncertainty.toml").read_text("utf-8"))
OBS = Path(files("milex") / "data" / "observations")  # type: ignore[arg-type]
VALID = {"growth_sd": 1.0, "inflation_sd": 1.0, "rho": 0.3, "corr": 0.0, "source": "t"}


# ---------------------------------------------------------------------------- the dataclass


def test_settings_are_the_numeric_fields_in_order():
    names = [f.name for f in dataclasses.fields(Uncertainty)]
    assert tuple(n for n in names if n not in ("source", "name")) == SETTINGS
    assert len(SETTINGS) == 12


def test_contract_defaults_of_the_new_fields():
    u = Uncertainty(1.0, 1.0, 0.3, 0.0)
    assert (u.horizon_slope, u.growth_bias, u.inflation_bias) == (0.0, 0.0, 0.0)
    assert (u.recession_prob, u.recession_growth, u.country_corr) == (0.0, 0.0, 0.0)
    assert u.spend_sd is None and u.spend_bias is None and not u.calibrated
    assert dataclasses.replace(u, spend_sd=2.0, spend_bias=-1.0).calibrated


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"growth_sd": -0.1}, r"growth_sd is -0.1; it must be >= 0"),
        ({"inflation_sd": -1.0}, r"inflation_sd is -1.0"),
        ({"rho": 1.0}, r"rho is 1.0; it must be in \[0, 1\)"),
        ({"rho": -0.2}, r"rho is -0.2"),
        ({"corr": 1.0}, r"corr is 1.0; it must be strictly between -1 and 1"),
        ({"corr": -1.0}, r"corr is -1.0"),
        ({"growth_sd": float("nan")}, r"growth_sd is nan; it must be a finite number"),
        ({"rho": "0.3"}, r"rho must be a number"),
        ({"horizon_slope": -0.01}, r"horizon_slope is -0.01; it must be >= 0"),
        ({"growth_bias": float("inf")}, r"growth_bias is inf; it must be a finite number"),
        ({"recession_prob": 1.0}, r"recession_prob is 1.0; it must be in \[0, 1\)"),
        ({"recession_prob": -0.1}, r"recession_prob is -0.1"),
        ({"recession_growth": 0.5}, r"recession_growth is 0.5; it must be <= 0"),
        ({"country_corr": 1.01}, r"country_corr is 1.01; it must be in \[0, 1\]"),
        ({"country_corr": -0.01}, r"country_corr is -0.01"),
        ({"spend_sd": -1.0}, r"spend_sd is -1.0; it must be >= 0 .* or calibrated"),
        ({"spend_bias": -100.0}, r"spend_bias is -100.0; it must be > -100"),
        ({"spend_bias": True}, r"spend_bias must be a number, got True; .* or calibrated"),
        ({"name": 3}, r"Uncertainty.name must be text"),
    ],
)
def test_bad_settings_raise_input_error(fields, message):
    with pytest.raises(InputError, match=message):
        Uncertainty(**{**VALID, **fields})


def test_edges_of_the_ranges_are_accepted():
    u = Uncertainty(
        **VALID, country_corr=1.0, recession_growth=0.0, recession_prob=0.0, spend_sd=0.0
    )
    assert u.country_corr == 1.0
    assert Uncertainty(**{**VALID, "rho": 0.0, "corr": -0.99}).corr == -0.99


def test_replace_validates_again():
    with pytest.raises(InputError, match=r"country_corr is 2\.0"):
        dataclasses.replace(load_uncertainty(), country_corr=2.0)


def test_numpy_numbers_become_floats():
    u = Uncertainty(np.float32(1.5), np.int64(1), 0.3, 0.0, spend_sd=np.float64(2.0))
    assert type(u.growth_sd) is float and type(u.inflation_sd) is float
    assert type(u.spend_sd) is float


# ---------------------------------------------------------------------------- presets


def test_presets_listed():
    assert presets() == ["default", "independent", "no-recession", "none"]


def test_none_is_all_zero():
    u = load_uncertainty("none")
    assert all(getattr(u, k) == 0.0 for k in SETTINGS)
    assert u.name == "none" and u.calibrated


def test_default_values_and_their_calibrations():
    u = load_uncertainty()
    assert u.name == "default"
    assert (u.inflation_sd, u.rho, u.corr, u.horizon_slope) == (1.6, 0.3, 0.25, 0.1)
    assert (u.recession_prob, u.recession_growth, u.country_corr) == (0.125, -3.0, 0.2)
    assert u.spend_sd is None and u.spend_bias is None  # calibrated at run time
    # (a) CEPR euro-area chronology, 1999Q1-2024Q4: 2008Q2-2009Q2 (5 quarters),
    # 2011Q4-2013Q1 (6), 2020Q1-2020Q2 (2): 13 of 104 quarters.
    assert u.recession_prob == (5 + 6 + 2) / (26 * 4)
    # (c) the one-year RMSE of the model equals Oller & Barot's 1.9 to the rounding of growth_sd:
    # variance of the normal part + mixture variance p(1-p)g^2 + squared mean error (pg)^2.
    p, g = u.recession_prob, u.recession_growth
    rmse = math.sqrt(u.growth_sd**2 + p * (1 - p) * g**2 + (p * g) ** 2)
    assert abs(rmse - 1.9) < 0.005
    assert "Oller & Barot" in u.source and "CEPR" in u.source


def test_derived_presets_change_only_what_they_say():
    base = load_uncertainty()
    ind = load_uncertainty("independent")
    assert ind.country_corr == 0.0
    assert dataclasses.replace(ind, country_corr=base.country_corr, source="", name="") == (
        dataclasses.replace(base, source="", name="")
    )
    nor = load_uncertainty("no-recession")
    assert (nor.recession_prob, nor.recession_growth, nor.growth_sd) == (0.0, 0.0, 1.9)
    assert (nor.inflation_sd, nor.country_corr) == (base.inflation_sd, base.country_corr)


def test_every_default_number_is_documented():
    """Each setting of the default preset has a comment in the file (its source, calibration
    or 'judgement')."""
    text = (files("milex") / "data" / "uncertainty.toml").read_text("utf-8")
    block = text.split("[presets.default]")[1].split("[presets.none]")[0]
    for name in SETTINGS:
        line = next(line for line in block.splitlines() if line.startswith(f"{name} "))
        assert "#" in line, name
        assert any(w in line for w in ("judgement", "calibrat", "[OB00]", "[IEO14]")), name


def test_unknown_preset_lists_the_presets():
    with pytest.raises(InputError, match=r"'optimistic'; the presets are default, independent"):
        load_uncertainty("optimistic")


# ---------------------------------------------------------------------------- files


def test_file_with_base_takes_the_rest_from_the_preset(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('base = "default"\ncountry_corr = 0.5\nspend_sd = 3.0\n', "utf-8")
    u = load_uncertainty(path)
    assert (u.country_corr, u.spend_sd, u.spend_bias) == (0.5, 3.0, None)
    assert u.growth_sd == load_uncertainty().growth_sd
    assert u.name == str(path)
    assert load_uncertainty(str(path)) == u


def test_file_without_base_needs_the_four_core_settings(tmp_path):
    path = tmp_path / "u.toml"
    path.write_text("growth_sd = 1.0\ninflation_sd = 1.0\nrho = 0.0\ncorr = 0.0\n", "utf-8")
    u = load_uncertainty(path)
    assert u.recession_prob == 0.0 and u.spend_sd is None
    path.write_text("growth_sd = 1.0\n", "utf-8")
    with pytest.raises(InputError, match=r"lacks inflation_sd, rho, corr; .*base = \"default\""):
        load_uncertainty(path)


def test_file_with_an_unknown_key_names_it(tmp_path):
    path = tmp_path / "u.toml"
    path.write_text('base = "default"\ngrowth_sdd = 1.0\n', "utf-8")
    with pytest.raises(InputError, match=r"unknown key 'growth_sdd'; the keys are growth_sd, "):
        load_uncertainty(path)


def test_missing_files_and_bad_specs(tmp_path):
    with pytest.raises(InputError, match=r"file '.*nothere.toml' does not exist"):
        load_uncertainty(tmp_path / "nothere.toml")
    with pytest.raises(InputError, match=r"does not exist"):
        load_uncertainty("nothere.toml")
    with pytest.raises(InputError, match=r"a preset name or a TOML file path, got 3"):
        load_uncertainty(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("growth_sd = = 1\n", r"is not valid TOML"),
        ('base = "optimistic"\n', r"base = 'optimistic' is not a preset; the presets are"),
        ('base = "default"\nrho = 1.5\n', r"bad.toml: Uncertainty.rho is 1.5"),
        ('base = "default"\nspend_sd = "auto"\n', r"spend_sd = 'auto'; give a number .* or \""),
        ("[presets.mine]\ngrowth_sd = 1.0\n", r"unknown key 'presets'; .* not under \[presets"),
    ],
)
def test_bad_files_are_told(tmp_path, text, message):
    bad = tmp_path / "bad.toml"
    bad.write_text(text, "utf-8")
    with pytest.raises(InputError, match=message):
        load_uncertainty(bad)


# ---------------------------------------------------------------------------- --set key=value


def test_apply_settings_from_texts_and_a_mapping():
    base = load_uncertainty()
    u = apply_settings(base, ["country_corr=0.5", " spend_sd = 4 ", "spend_bias=calibrated"])
    assert (u.country_corr, u.spend_sd, u.spend_bias) == (0.5, 4.0, None)
    assert u.name == "default with country_corr=0.5, spend_sd=4, spend_bias=calibrated"
    assert u.growth_sd == base.growth_sd and u.source == base.source
    assert apply_settings(base, {"rho": 0}).rho == 0.0
    assert apply_settings(base, "rho=0.5").rho == 0.5
    assert apply_settings(base, []) is base


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (["rho"], r"given as key=value, got 'rho'; e\.g\. country_corr=0\.5"),
        (["growth=1"], r"no uncertainty setting named 'growth'; the settings are growth_sd, "),
        (["rho=high"], r"rho='high' is not a number; give a number, e\.g\. rho=0\.5"),
        (["spend_sd=x"], r"spend_sd='x' is not a number; give a number or \"calibrated\""),
        (["rho=1.5"], r"Uncertainty\.rho is 1\.5; it must be in \[0, 1\)"),
        ({"rho": [1]}, r"rho must be a number, got \[1\]"),
        ({"rho": None}, r"rho must be a number, got None"),
    ],
)
def test_apply_settings_refuses_bad_input(settings, message):
    with pytest.raises(InputError, match=message):
        apply_settings(load_uncertainty(), settings)


# ---------------------------------------------------------------------------- sensitivity


def test_sensitivity_ranges_cover_every_setting_and_are_valid():
    base = dataclasses.replace(load_uncertainty(), spend_sd=4.0, spend_bias=-1.0)
    ranges = sensitivity_ranges(base)
    assert set(ranges) == set(SETTINGS)
    for name, (low, high, why) in ranges.items():
        assert low <= getattr(base, name) <= high, name
        assert low < high and why, name
        dataclasses.replace(base, **{name: low})
        dataclasses.replace(base, **{name: high})
    # scale = [0.5, 2.0] on an sd; shift = [-2, 2] on the bias; absolute values elsewhere
    assert ranges["spend_sd"][:2] == (2.0, 8.0)
    assert ranges["spend_bias"][:2] == (-3.0, 1.0)
    assert ranges["growth_sd"][:2] == (0.79, 3.16)
    assert ranges["recession_growth"][:2] == (-7.5, -1.0)


def test_sensitivity_needs_the_calibration_resolved():
    with pytest.raises(InputError, match="needs numeric spend_sd and spend_bias"):
        sensitivity_ranges(load_uncertainty())


# ---------------------------------------------------------------------------- calibrations


def _allies_growth() -> pd.DataFrame:
    weo = pd.read_csv(OBS / "weo_2026-04.csv")
    growth = weo[weo.indicator == "gdp_real_growth"].pivot(
        index="year", columns="iso3", values="value"
    )
    return growth.drop(columns=["CHN", "RUS", "UKR"])  # not allies


def test_country_corr_recomputed_from_the_weo_held():
    """Calibration (d): mean pairwise correlation of the allies' growth, 2014-2019 and
    2022-2025."""
    growth = _allies_growth()
    assert growth.shape[1] == 32
    years = [y for y in range(2014, 2026) if y not in (2020, 2021)]
    corr = growth.loc[years].corr().to_numpy()
    pairs = list(itertools.combinations(range(32), 2))
    assert len(pairs) == 496
    mean = sum(corr[i, j] for i, j in pairs) / len(pairs)
    assert abs(mean - 0.1998) < 5e-5
    assert load_uncertainty().country_corr == round(mean, 1)


def test_recession_shortfall_of_2020_recomputed():
    """Calibration (b): the 2020 shortfall that sets the low end of recession_growth."""
    growth = _allies_growth()
    mean_2020 = growth.loc[2020].mean()
    mean_before = growth.loc[2015:2019].to_numpy().mean()
    assert abs(mean_2020 - -4.70) < 0.005 and abs(mean_before - 2.84) < 0.005
    assert DATA["sensitivity"]["recession_growth"]["values"][0] == round(mean_2020 - mean_before, 1)


def test_importing_the_module_stays_light():
    code = (
        "import sys, milex.montecarlo.uncertainty as u; u.load_uncertainty(); "
        "print(sorted(m for m in ('pandas', 'duckdb', 'milex.store') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("spec", [Path("A" * 100_000), "A" * 5_000 + ".toml", Path("a\x00b")])
def test_a_path_the_system_cannot_look_up_is_refused_cleanly(spec):
    # a name too long for the file system, or with a NUL byte, makes Path.is_file raise
    with pytest.raises(InputError, match="does not exist") as caught:
        load_uncertainty(spec)
    assert len(str(caught.value)) < 400  # the name is cut short, not echoed whole

"""The typed result: its frame in one step, its strict JSON envelope and its notebook view."""

from __future__ import annotations

import dataclasses
import json
import math
import tomllib

import numpy as np
import pandas as pd
import pytest

import milex
from milex.catalog import data_dir
from milex.result import CITATION_COLUMNS, Result, plain


def _strict(text: str) -> dict:
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))


@dataclasses.dataclass
class Base:
    iso3: str
    year: int
    share: float


def _result() -> Result:
    frame = pd.DataFrame(
        {
            "iso3": ["DEU", "ISL"],
            "year": np.array([2024, 2024], dtype="int64"),
            "share_gdp": [2.00, math.nan],
            "meets": pd.array([True, pd.NA], dtype="boolean"),
            "spend": pd.array([93747, pd.NA], dtype="Int64"),
        }
    )
    sources = pd.DataFrame(
        [
            {
                "id": "nato-2026-07-7",
                "source": "nato",
                "vintage": "2026-07",
                "title": "Defence Investment of NATO Countries (2014-2026)",
                "published": "2026-07-10",
                "url": "https://www.nato.int/",
                "licence": "NATO: reuse permitted with credit to NATO",
                "cite": "NATO (2026), Defence Investment of NATO Countries (2014-2026), July 2026.",
            }
        ],
        columns=CITATION_COLUMNS,
    )
    return Result(
        kind="status",
        frame=frame,
        units={"share_gdp": "percent of GDP", "spend": "USD million current"},
        sources=sources,
        query={"year": np.int64(2024), "years": (2014, 2024), "vintage": None},
        notes=["Iceland has no armed forces <none>"],
        caveats=["5% includes 1.5% that no NATO table shows"],
        extra={
            "missing": {"ISL": "no armed forces"},
            "probability": np.float32(0.25),
            "eur_per_usd": {"current": 0.92, "constant": math.nan},
            "base": Base("DEU", 2024, 2.0),
        },
    )


def test_df_is_the_frame():
    result = _result()
    assert result.df is result.frame
    assert len(result) == 2 and not result.empty
    assert result["iso3"].tolist() == ["DEU", "ISL"]
    copy = result.to_frame()
    copy.loc[0, "iso3"] = "XXX"
    assert result.frame.loc[0, "iso3"] == "DEU"


def test_to_json_is_strict_and_round_trips():
    result = _result()
    text = result.to_json()
    assert "NaN" not in text and "Infinity" not in text
    doc = _strict(text)
    assert doc == result.to_dict()
    assert doc == _strict(json.dumps(doc))  # plain JSON types only
    assert doc == _strict(result.to_json(indent=None))
    assert doc["schema"] == "milex.status.v1"
    assert doc["query"] == {"year": 2024, "years": [2014, 2024], "vintage": None}
    assert doc["units"] == {"share_gdp": "percent of GDP", "spend": "USD million current"}
    assert doc["notes"] == ["Iceland has no armed forces <none>"]
    assert doc["caveats"] == ["5% includes 1.5% that no NATO table shows"]
    # extras sit at the top level, missing values as null
    assert doc["missing"] == {"ISL": "no armed forces"}
    assert doc["probability"] == 0.25
    assert doc["eur_per_usd"] == {"current": 0.92, "constant": None}
    assert doc["base"] == {"iso3": "DEU", "year": 2024, "share": 2.0}
    assert doc["rows"] == [
        {"iso3": "DEU", "year": 2024, "share_gdp": 2.0, "meets": True, "spend": 93747},
        {"iso3": "ISL", "year": 2024, "share_gdp": None, "meets": None, "spend": None},
    ]
    assert [s["id"] for s in doc["sources"]] == ["nato-2026-07-7"]
    # the rows give back the frame's figures
    back = pd.DataFrame(doc["rows"])
    pd.testing.assert_series_equal(
        back["share_gdp"].astype(float), result.frame["share_gdp"], check_names=False
    )
    assert back["iso3"].tolist() == result.frame["iso3"].tolist()


def test_plain_turns_missing_values_into_none():
    assert plain(
        [math.nan, math.inf, -math.inf, pd.NA, pd.NaT, None, np.float64(1.5), np.int32(3)]
    ) == [None, None, None, None, None, None, 1.5, 3]
    assert plain({1: np.array([1.0, np.nan])}) == {"1": [1.0, None]}


def test_repr_html_shows_table_units_notes_and_citation():
    page = _result()._repr_html_()
    assert "<table" in page and "</table>" in page
    assert "<td>DEU</td>" in page and "<td>93747</td>" in page
    assert "percent of GDP" in page and "USD million current" in page
    assert "NATO (2026), Defence Investment of NATO Countries (2014-2026), July 2026." in page
    assert "Caveat: 5% includes 1.5% that no NATO table shows" in page
    assert "&lt;none&gt;" in page and "<none>" not in page  # text is escaped
    assert page.count("Source:") == 1


def test_citations_once_each():
    result = _result()
    result.sources = pd.concat([result.sources] * 3, ignore_index=True)
    assert result.citations() == [
        "NATO (2026), Defence Investment of NATO Countries (2014-2026), July 2026."
    ]
    assert Result(kind="x", frame=pd.DataFrame()).citations() == []


def test_a_real_result_in_a_notebook_and_as_json(store):
    """Gap to 2% in 2023, June 2024 edition: Albania 1.75% of GDP, USD 397 m, so its gap is
    0.25 points of a GDP of 397 / 1.75 * 100, i.e. USD 56.7 m; no constant prices embedded."""
    result = milex.gap(2, 2023, vintage="2024-06", store=store)
    assert isinstance(result, milex.Result) and result.df is result.frame
    albania = result.df.set_index("iso3").loc["ALB"]
    assert albania["gap_usd_current"] == pytest.approx(0.25 * 397 / 1.75)
    doc = _strict(result.to_json())
    rows = {r["iso3"]: r for r in doc["rows"]}
    assert rows["ALB"]["gap_usd_const"] is None
    assert doc["units"]["gap_usd_current"] == "USD million current"
    with (data_dir() / "editions.toml").open("rb") as handle:
        cite = tomllib.load(handle)["nato"]["2024-06"]["cite"]
    assert result.citations() == [cite]
    page = result._repr_html_()
    assert "<table" in page and "Albania" in page and cite in page
    assert "USD million current" in page

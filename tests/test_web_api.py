"""The JSON API of ``milex serve`` through the ASGI test client: each route's answer checked
against the published figures in src/milex/data, the errors (400 with milex's message, 422,
404, 413), the munitions parameters, the cache and answers under concurrent requests."""

from __future__ import annotations

import csv
import io
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest

with warnings.catch_warnings():  # starlette's TestClient notes a future httpx
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from milex.web.app import create_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

#: NATO, Defence Investment of NATO Countries (2014-2026), July 2026 edition, Table 3 (share of
#: real GDP, percent), as embedded in src/milex/data/observations/nato_2026-07.csv (source id
#: nato-2026-07-7): Poland 2024 3.75 (actual), Germany 2014 1.16, 2024 2.0 (actual), 2026 2.69
#: (estimate), Netherlands 2024 2.02.
POL_2024, DEU_2014, DEU_2024, DEU_2026, NLD_2024 = 3.75, 1.16, 2.0, 2.69, 2.02
NATO_TABLE_3 = "nato-2026-07-7"


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app())


def rows_of(answer, key="iso3"):
    return {row[key]: row for row in answer.json()["rows"]}


# ------------------------------------------------------------------------ results


def test_status_gives_the_published_shares_of_the_edition(client):
    answer = client.get("/api/status", params={"year": 2024})
    assert answer.status_code == 200
    body = answer.json()
    assert body["schema"] == "milex.status.v1"
    assert body["query"] == {"year": 2024, "source": "nato", "vintage": None}
    rows = rows_of(answer)
    assert rows["POL"]["share_gdp"] == POL_2024
    assert rows["POL"]["status"] == "actual"
    assert rows["POL"]["meets_hague_3_5"] is True
    assert rows["DEU"]["share_gdp"] == DEU_2024
    assert rows["DEU"]["meets_wales_2"] is True and rows["DEU"]["meets_hague_3_5"] is False
    assert rows["POL"]["vintage"] == "2026-07"
    assert ("nato", "2026-07") in {(s["source"], s["vintage"]) for s in body["sources"]}
    assert body["units"]["share_gdp"] == "percent of GDP"


def test_series_takes_countries_repeated_or_as_a_comma_list(client):
    params = {"indicators": "share_gdp", "years": "2014-2024"}
    listed = client.get("/api/series", params={**params, "country": "DEU,NLD"})
    repeated = client.get("/api/series", params={**params, "country": ["DEU", "NLD"]})
    assert listed.status_code == 200
    assert listed.json() == repeated.json()
    rows = listed.json()["rows"]
    assert len(rows) == 22  # 2014-2024 for two allies
    figures = {(r["iso3"], r["year"]): r["value"] for r in rows}
    assert figures["DEU", 2014] == DEU_2014
    assert figures["DEU", 2024] == DEU_2024
    assert figures["NLD", 2024] == NLD_2024
    assert {(r["source"], r["vintage"], r["source_id"]) for r in rows} == {
        ("nato", "2026-07", NATO_TABLE_3)
    }
    cited = {s["id"]: s for s in listed.json()["sources"]}
    assert set(cited) == {NATO_TABLE_3}
    assert "Table 3" in cited[NATO_TABLE_3]["citation"]


def test_series_of_every_source(client):
    rows = client.get("/api/series", params={"country": "DEU", "source": "all"}).json()["rows"]
    assert {r["source"] for r in rows} == {"nato", "weo", "wdi"}  # SIPRI: a subset, no DEU


def test_gap_in_points_from_the_published_shares(client):
    params = {"target": "3.5", "year": 2024, "countries": "POL,DEU"}
    answer = client.get("/api/gap", params=params)
    assert answer.status_code == 200
    rows = rows_of(answer)
    assert rows["DEU"]["gap_pp"] == pytest.approx(3.5 - DEU_2024)
    assert rows["POL"]["gap_pp"] == pytest.approx(3.5 - POL_2024)  # above: negative
    assert answer.json()["query"]["target"] == 3.5
    by_id = client.get("/api/gap", params={**params, "target": "hague-3.5"}).json()
    assert by_id["rows"] == answer.json()["rows"]


def test_path_starts_at_natos_figure_and_reaches_the_target(client):
    answer = client.get("/api/path", params={"country": "Duitsland", "target": "3.5", "by": 2035})
    assert answer.status_code == 200
    rows = answer.json()["rows"]
    assert rows[0]["year"] == 2026
    assert rows[0]["share_gdp"] == pytest.approx(DEU_2026, abs=0.005)  # published rounded
    assert rows[-1]["year"] == 2035
    assert rows[-1]["share_gdp"] == pytest.approx(3.5)
    assert answer.json()["query"]["country"] == "DEU"


def test_pledges_of_one_ally(client):
    rows = client.get("/api/pledges", params={"country": "POL"}).json()["rows"]
    # data/pledges.csv: Poland's 4.7% for 2025 and 4.8% for 2026
    assert {(r["target_share_gdp"], r["target_year"]) for r in rows} == {(4.7, 2025), (4.8, 2026)}


def test_simulate_is_reproducible_with_its_seed(client):
    params = {"country": "DEU", "draws": 2000, "seed": 7}
    first = client.get("/api/simulate", params=params).json()
    again = client.get("/api/simulate", params=params).json()
    assert first["schema"] == "milex.simulate.v1"
    assert first["seed"] == 7 and first["draws"] == 2000
    assert 0 <= first["probability"] <= 1
    assert first["rows"] == again["rows"]


def test_simulate_draws_are_capped_for_the_web(client):
    answer = client.get("/api/simulate", params={"country": "DEU", "draws": 200_001})
    assert answer.status_code == 422
    assert "draws" in answer.json()["error"] and "200000" in answer.json()["error"]


def test_compare_and_race(client):
    params = {"side_a": "europe-canada", "side_b": "RUS", "years": "2025", "basis": "mer"}
    compared = client.get("/api/compare", params=params).json()
    assert compared["schema"] == "milex.compare.v1"
    spending = next(r for r in compared["rows"] if r["measure"] == "spending")
    assert spending["basis"] == "mer" and spending["unit"] == "USD million current"
    race = client.get("/api/race", params={"years": "2025"}).json()
    assert race["schema"] == "milex.race.v1"
    assert race["query"]["side_a"] == "RUS"


def test_munitions_ratio_from_the_published_estimates(client):
    rows = rows_of(client.get("/api/munitions/ratio", params={"a": "RUS"}), "side")
    # data/munitions.csv, Russia's yearly output: 2.0 m (Kasčiūnas, 152mm, Jul 2024) to 4.5 m
    # (Estonian intelligence; Bain), 3.0 m central (NATO via CNN, Mar 2024)
    assert (rows["a"]["low"], rows["a"]["central"], rows["a"]["high"]) == (2e6, 3e6, 4.5e6)


def test_check_by_get_and_by_post_judges_a_dutch_sentence(client):
    # Poland 2024: 3.75% in NATO's 2026-07 edition, as the sentence says: supported.
    # Germany 2014: 1.16%, not the 2% the sentence says: contradicted.
    text = (
        "Polen gaf in 2024 3,75% van zijn bbp uit aan defensie. "
        "Duitsland gaf in 2014 2% van zijn bbp uit aan defensie."
    )
    by_get = client.get("/api/check", params={"text": text})
    by_post = client.post("/api/check", json={"text": text, "lang": "nl"})
    assert by_get.status_code == by_post.status_code == 200
    assert by_get.json()["rows"] == by_post.json()["rows"]
    rows = by_post.json()["rows"]
    assert [(r["actors"], r["year"], r["verdict"]) for r in rows] == [
        ("POL", 2024, "supported"),
        ("DEU", 2014, "contradicted"),
    ]
    assert all(r["editions"] == "nato 2026-07" for r in rows)
    assert "1,16%" in rows[1]["reason"]  # in the sentence's language


def test_check_by_post_refuses_a_long_body_with_413(client):
    answer = client.post("/api/check", content=b'{"text": "' + b"x" * 1_000_000 + b'"}')
    assert answer.status_code == 413
    assert "1,000,000 bytes" in answer.json()["error"]
    chunks = (b"x" * 100_000 for _ in range(11))  # no Content-Length: read up to the limit
    assert client.post("/api/check", content=chunks).status_code == 413
    # the body limit is 1,000,000 bytes, not less: a body of 999,990 bytes (166,663 escaped
    # characters "\u00e9" of 6 bytes, and 12 bytes of JSON) is read, and refused for the
    # text's length (more than 100,000 characters), not the body's
    fits = client.post("/api/check", content=b'{"text": "' + b"\\u00e9" * 166_663 + b'"}')
    assert fits.status_code == 413 and "100,000 characters" in fits.json()["error"]


def test_check_refuses_a_text_longer_than_100_000_characters_with_413(client):
    """A long article has about 30,000 characters; the web checker takes 100,000 and says
    so in one line, pointing to checking in parts or milex check --file."""
    answer = client.post("/api/check", json={"text": "x" * 100_001})
    assert answer.status_code == 413
    message = answer.json()["error"]
    assert "\n" not in message and "100,000 characters" in message
    assert "in parts" in message and "milex check --file" in message
    fits = client.post("/api/check", json={"text": "x" * 100_000})
    assert fits.status_code == 200 and fits.json()["rows"] == []


def test_check_by_post_refuses_a_malformed_body_with_422(client):
    answer = client.post("/api/check", json={"txt": "Polen"})
    assert answer.status_code == 422
    assert "text: Field required" in answer.json()["error"]
    assert client.post("/api/check", content=b"{not json").status_code == 422


def test_ask_answers_in_the_questions_language(client):
    body = client.get("/api/ask", params={"question": "Hoeveel gaf Polen in 2024 uit?"}).json()
    assert body["answered"] is True
    assert "3,75% van het bbp" in body["answer"] and "NATO 2026-07" in body["answer"]


@pytest.mark.parametrize(
    ("route", "key", "value", "field", "expected"),
    [
        ("countries", "code", "POL", "nato_since", 1999),
        ("groups", "group", "nato", "aggregate", "NATO_TOTAL"),
        ("guidelines", "id", "hague-3.5", "threshold", 3.5),
        ("indicators", "indicator", "share_gdp", "max", 200.0),  # Kuwait 1991: 117%
    ],
)
def test_lookups(client, route, key, value, field, expected):
    assert rows_of(client.get(f"/api/{route}"), key)[value][field] == expected


def test_sources_lists_the_editions(client):
    rows = client.get("/api/sources").json()["rows"]
    assert ("nato", "2026-07") in {(r["source"], r["vintage"]) for r in rows}


def test_csv_has_the_citation_and_a_file_name(client):
    answer = client.get("/api/status", params={"year": 2024, "format": "csv"})
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="milex-status.csv"' in answer.headers["content-disposition"]
    lines = answer.text.splitlines()
    assert lines[0].startswith("# NATO (2026), Defence Investment of NATO Countries")
    table = csv.DictReader(io.StringIO("\n".join(ln for ln in lines if not ln.startswith("#"))))
    assert {r["iso3"]: r["share_gdp"] for r in table}["POL"] == "3.75"


# ------------------------------------------------------------------------ munitions parameters


def test_munitions_lists_its_editable_parameters(client):
    body = client.get("/api/munitions", params={"until": 2025}).json()
    params = {p["key"]: p for p in body["parameters"]}
    consumption = params["actors.RUS.flows.0.per_day"]
    assert consumption["value"] == 44500  # data/scenarios/default.toml (Syrskyi, Aug 2024)
    assert consumption["unit"] == "rounds per day"
    assert consumption["label"] == "RUS consumption (high-intensity war), 2024-01 to 2030-12"
    assert consumption["source"].startswith("median of the 2024 daily figures")
    assert params["actors.NATO_EUROPE.ramps.0.target"]["unit"] == "rounds per year"
    assert params["actors.RUS.start_stock"]["unit"] == "rounds"
    assert params["actors.RUS.flows.1.per_month"]["label"].startswith("RUS import from PRK")


def test_more_russian_consumption_leaves_a_smaller_stock(client):
    """While the stock stays above zero it is start + production + imports - consumption, so
    1,000 more rounds a day over 2024-01..2030-12 (2,557 days: seven years, two of them leap
    years) leave 2,557,000 rounds fewer at the end."""

    def end_stock(per_day: int) -> float:
        answer = client.get(
            "/api/munitions", params={"set": f"actors.RUS.flows.0.per_day={per_day}"}
        )
        assert answer.status_code == 200
        body = answer.json()
        assert body["query"]["changes"] == {"actors.RUS.flows.0.per_day": per_day}
        params = {p["key"]: p["value"] for p in body["parameters"]}
        assert params["actors.RUS.flows.0.per_day"] == per_day
        russia = [r for r in body["rows"] if r["actor"] == "RUS"]
        assert not any(r["shortfall"] for r in russia)  # never empty: the stock is linear
        return russia[-1]["stock"]

    low, high = end_stock(1000), end_stock(2000)
    assert high < low
    assert low - high == pytest.approx(2_557_000)


def test_munitions_changes_are_checked(client):
    def error(*settings):
        answer = client.get("/api/munitions", params={"set": list(settings)})
        assert answer.status_code == 400
        return answer.json()["error"]

    assert "not a parameter of scenario default" in error("actors.RUS.flows.0.per_week=5")
    assert "from 0 to 1,000,000,000 (rounds per day)" in error("actors.RUS.flows.0.per_day=-1")
    assert "from 0 to 1,000,000,000" in error("actors.RUS.flows.0.per_day=1e12")
    assert "give key=number" in error("actors.RUS.flows.0.per_day")
    assert "give key=number" in error("actors.RUS.flows.0.per_day=nan")
    assert "given twice" in error("actors.RUS.start_stock=1", "actors.RUS.start_stock=2")


def test_munitions_runs_shipped_scenarios_only(client):
    answer = client.get("/api/munitions", params={"scenario": "/etc/passwd"})
    assert answer.status_code == 422
    assert "scenario: Input should be 'default'" in answer.json()["error"]


# ------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("url", "params", "says"),
    [
        ("/api/status", {"year": 99999}, "year: got 99999"),
        ("/api/status", {"year": 0}, "give a year from 1900 to 2100"),
        ("/api/status", {"source": "nope"}, "unknown source 'nope'"),
        ("/api/series", {"country": "Atlantis"}, "Atlantis"),
        ("/api/series", {"country": "x" * 10_000}, "countries"),
        ("/api/gap", {"target": "nan"}, "nan"),
        ("/api/path", {"country": "DEU", "growth_after": "inf"}, "growth_after"),
        ("/api/path", {"country": ""}, "country"),
        ("/api/pledges", {"tolerance_pp": 1e308}, "tolerance_pp"),
        ("/api/compare", {"side_a": "DEU", "side_b": "RUS", "basis": "ppp,mer"}, "one basis"),
        ("/api/check", {"text": "x", "date": "2024-13-01"}, "date"),
        ("/api/check", {"text": "x", "lang": "tlh"}, "lang"),
    ],
)
def test_refused_input_is_a_400_with_milexs_message(client, url, params, says):
    answer = client.get(url, params=params)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert says in error
    assert "\n" not in error and len(error) < 400


@pytest.mark.parametrize(
    ("url", "params", "says"),
    [
        ("/api/status", {"year": "abc"}, "year: Input should be a valid integer"),
        ("/api/simulate", {"country": "DEU", "draws": -5}, "draws"),
        ("/api/path", {}, "country: Field required"),
        ("/api/status", {"format": "xml"}, "format"),
    ],
)
def test_unreadable_parameters_are_a_422(client, url, params, says):
    answer = client.get(url, params=params)
    assert answer.status_code == 422
    assert says in answer.json()["error"]


@pytest.mark.parametrize("given", ["/etc/passwd", "../pyproject.toml", "zzz"])
def test_the_web_reads_no_uncertainty_file(client, given):
    # a file name would have the server read its own files and echo what it found
    params = {"country": "DEU", "by": 2029, "draws": 100, "seed": 1, "uncertainty": given}
    answer = client.get("/api/simulate", params=params)
    assert answer.status_code == 400
    message = answer.json()["error"]
    assert "give a preset: default, independent, no-recession, none" in message
    assert "TOML" not in message and "key" not in message


def test_the_web_judges_the_plan_by_default(client):
    params = {"country": "DEU", "by": 2029, "draws": 1000, "seed": 1, "uncertainty": "none"}
    doc = client.get("/api/simulate", params=params).json()
    # Germany's plan of 153 bn in 2029 is 2.99% of projected GDP: with no uncertainty, never 3.5%
    assert doc["query"]["method"] == "plan" and doc["probability"] == 0.0
    assert doc["rows"][-1]["amount"] == 153_000.0 and "sensitivity" not in doc


def test_an_unknown_route_is_a_404_in_json(client):
    answer = client.get("/api/nothing-here")
    assert answer.status_code == 404
    assert answer.json() == {
        "error": "no route /api/nothing-here: the routes are listed at /openapi.json"
    }


def test_a_method_not_answered_is_a_405_naming_the_methods(client):
    answer = client.delete("/api/check")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, POST"
    assert client.head("/api/status").headers["allow"] == "GET"


# ------------------------------------------------------------------------ cache, threads


def test_a_repeated_request_is_answered_from_the_cache():
    client = TestClient(create_app())
    params = {"year": 2024}
    first, second = (client.get("/api/status", params=params) for _ in range(2))
    assert first.headers["x-milex-cache"] == "miss"
    assert second.headers["x-milex-cache"] == "hit"
    assert first.content == second.content
    reordered = client.get("/api/series", params=[("years", "2024"), ("country", "DEU")])
    again = client.get("/api/series", params=[("country", "DEU"), ("years", "2024")])
    assert (reordered.headers["x-milex-cache"], again.headers["x-milex-cache"]) == ("miss", "hit")


def test_a_simulation_without_seed_is_never_cached():
    client = TestClient(create_app())
    params = {"country": "DEU", "draws": 100}
    seeds = {client.get("/api/simulate", params=params).json()["seed"] for _ in range(3)}
    assert len(seeds) == 3
    seeded = [client.get("/api/simulate", params={**params, "seed": 3}) for _ in range(2)]
    assert [a.headers["x-milex-cache"] for a in seeded] == ["miss", "hit"]


def test_the_cache_keeps_at_most_its_bytes():
    client = TestClient(create_app(cache_bytes=50_000))  # one status answer: ~15 KB
    for year in range(2014, 2027):
        client.get("/api/status", params={"year": year})
    kept = client.get("/api/status", params={"year": 2026}).headers["x-milex-cache"]
    dropped = client.get("/api/status", params={"year": 2014}).headers["x-milex-cache"]
    assert (kept, dropped) == ("hit", "miss")


def test_answers_are_right_under_concurrent_requests():
    """Eight threads asking at once (without the cache, so every request queries the one
    shared store) get the same answers as one thread asking alone."""
    client = TestClient(create_app(cache_bytes=0))
    requests = [("/api/status", {"year": y}) for y in (2014, 2020, 2024)] + [
        ("/api/series", {"country": c, "indicators": "share_gdp"}) for c in ("DEU", "POL", "NLD")
    ]
    expected = [client.get(url, params=params).json() for url, params in requests]
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(lambda i: client.get(requests[i % 6][0], params=requests[i % 6][1]), range(96))
        )
    assert all(a.status_code == 200 for a in answers)
    assert [a.json() for a in answers] == [expected[i % 6] for i in range(96)]
    polish = next(r for r in answers[2].json()["rows"] if r["iso3"] == "POL")
    assert polish["share_gdp"] == POL_2024

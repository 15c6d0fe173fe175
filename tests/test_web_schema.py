"""schemathesis over the OpenAPI schema of the JSON API: generated requests (valid and not)
to every route never get a 5xx, and every answer conforms to the schema (status code, content
type, body)."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import HealthCheck, settings

with warnings.catch_warnings():  # starlette's TestClient notes a future httpx
    warnings.simplefilter("ignore", DeprecationWarning)
    import schemathesis
    from schemathesis.checks import positive_data_acceptance

from milex.web.app import create_app

app = create_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


def test_the_schema_bounds_draws_for_the_web():
    """Generated simulations stay small: the schema states the web's limit on draws."""
    params = schema.raw_schema["paths"]["/api/simulate"]["get"]["parameters"]
    draws = next(p for p in params if p["name"] == "draws")
    assert draws["schema"]["maximum"] == 200_000
    assert draws["schema"]["minimum"] == 1


#: Routes taking about a second an answer (the munitions model, comparisons, the pledge
#: check): fewer examples, so that the whole run stays under a minute.
SLOW = r"^/api/(munitions|compare|race|pledges)$"
CHECKS = {"deadline": None, "suppress_health_check": list(HealthCheck), "database": None}


def validate(case) -> None:
    # Which names exist (countries, editions, guideline ids) is data, not schema: a request the
    # schema allows may still be refused with 400 naming what is known, so schemathesis's
    # check that schema-valid data is accepted does not apply.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@schema.exclude(path_regex=SLOW).parametrize()
@settings(max_examples=25, **CHECKS)
def test_the_api_answers_every_request_within_its_schema(case):
    validate(case)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@schema.include(path_regex=SLOW).parametrize()
@settings(max_examples=6, **CHECKS)
def test_the_slow_routes_answer_every_request_within_the_schema(case):
    validate(case)

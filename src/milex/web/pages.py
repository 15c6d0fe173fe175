"""The HTML pages, rendered from the API's results with Jinja2 templates."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)

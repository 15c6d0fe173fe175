"""The FastAPI application: the JSON API under ``/api``, the pages, and the static files
(milex's own CSS and JavaScript, and plotly.js from the installed plotly package, so that every
chart draws offline)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from milex import __version__

#: milex's own CSS, JavaScript and images.
STATIC = Path(__file__).with_name("static")


def plotly_js() -> Path:
    """The minified plotly.js shipped inside the installed plotly package."""
    import plotly

    return Path(plotly.__file__).with_name("package_data") / "plotly.min.js"


def create_app() -> FastAPI:
    """The milex web application (``milex serve`` runs it with uvicorn)."""
    from milex.web import pages, routes

    app = FastAPI(
        title="milex",
        version=__version__,
        description="Military expenditure against alliance commitments, with sources and "
        "editions: the JSON API over milex's typed results (docs/json.md).",
    )
    app.include_router(routes.router)
    app.include_router(pages.router)
    app.mount("/static/plotly", StaticFiles(directory=plotly_js().parent), name="plotly")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app

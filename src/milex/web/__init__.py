"""The web front end: a FastAPI application serving a JSON API and HTML pages over the API's
typed results (docs/web.md), the static site export and the reports.

No analysis happens here: every route calls :mod:`milex.api` and renders the
:class:`milex.result.Result` it returns (as its JSON envelope, a page or a chart of
:mod:`milex.charts`). Modules: ``app`` (the application factory), ``routes`` (the JSON API),
``pages`` (the HTML pages), ``site`` (``milex site``: the pages as static files), ``report``
(``milex report``: one self-contained HTML or PDF file).
"""

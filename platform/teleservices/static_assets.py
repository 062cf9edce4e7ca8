"""Static assets with fingerprinted URLs (POR-3 speed): ``url_for('static', filename=…)`` adds
``?v=<first 12 hex of the file's SHA-256>``; a request carrying that fingerprint is cached for a
year (``immutable``), any other for an hour. A changed file gets a new URL, so browsers never keep
a stale stylesheet. Files referenced from inside the DSFR stylesheets (fonts, icons) follow the
pinned DSFR version and get the one-hour policy."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask.wrappers import Response

YEAR = 365 * 24 * 3600
HOUR = 3600


@functools.cache
def _digest(folder: str, filename: str) -> str:
    path = Path(folder) / filename
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return ""


def init_app(app: Flask) -> None:
    folder = str(app.static_folder)

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            digest = _digest(folder, str(values["filename"]))
            if digest:
                values["v"] = digest

    @app.after_request
    def _cache(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code == 200:
            filename = (request.view_args or {}).get("filename", "")
            fresh = request.args.get("v") == _digest(folder, str(filename))
            response.cache_control.max_age = YEAR if fresh else HOUR
            response.cache_control.public = True
            if fresh:
                response.cache_control.immutable = True
        return response

"""Tenant resolution: the ``/<academy>/`` URL prefix, or a host name declared in ``tenants/``.

The academy is resolved before any view runs; an unknown academy is a 404. A request arriving on a
declared host name is rewritten to that academy's prefix, so both addressings share one route table.

The id of an academy code already resolved by this process is remembered, so the tenant scope (and
with it PostgreSQL's ``app.academy_id``, set once per transaction) is in place before the academy
row is read; the row itself is read at every request, and a remembered id it contradicts is dropped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, abort, current_app, g
from sqlalchemy import select

from teleservices.extensions import db
from teleservices.tenancy.context import reset_request_scope, set_request_scope
from teleservices.tenancy.models import Academy

ACADEMY_ARG = "academy"
KNOWN_IDS = "academy_ids"


def _pull_academy(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if not values or ACADEMY_ARG not in values:
        return
    code = values.pop(ACADEMY_ARG)
    known: dict[str, int] = current_app.extensions[KNOWN_IDS]
    remembered = known.get(code)
    if remembered is not None:
        g.tenant_token = set_request_scope(remembered)
    academy = db.session.execute(select(Academy).filter_by(code=code)).scalar_one_or_none()
    if academy is not None and academy.id == remembered:
        g.academy = academy
        return
    if remembered is not None:
        reset_request_scope(g.pop("tenant_token"))
        known.pop(code, None)
    if academy is None:
        abort(404)
    known[code] = academy.id
    g.academy = academy
    g.tenant_token = set_request_scope(academy.id)


def _push_academy(endpoint: str, values: dict[str, Any]) -> None:
    academy = g.get("academy")
    if academy is None or ACADEMY_ARG in values:
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, ACADEMY_ARG):
        values[ACADEMY_ARG] = academy.code


def _reset(_exc: BaseException | None) -> None:
    token = g.pop("tenant_token", None)
    if token is not None:
        reset_request_scope(token)


class HostTenantMiddleware:
    """Map a request's host name to its academy prefix (hosts come from the academies table)."""

    ttl_seconds = 30.0

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app
        self._hosts: dict[str, str] = {}
        self._loaded_at = -1e9

    def _host_map(self) -> dict[str, str]:
        if time.monotonic() - self._loaded_at > self.ttl_seconds:
            with self.app.app_context():
                rows = db.session.execute(select(Academy.code, Academy.host_names)).all()
                db.session.remove()
            self._hosts = {h.lower(): code for code, hosts in rows for h in (hosts or [])}
            self._loaded_at = time.monotonic()
        return self._hosts

    def forget(self) -> None:
        """Drop the cached host map (after a tenants sync)."""
        self._loaded_at = -1e9

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        host = environ.get("HTTP_HOST", "").split(":")[0].lower()
        code = self._host_map().get(host) if host else None
        if code:
            path = environ.get("PATH_INFO", "") or "/"
            if not (path == f"/{code}" or path.startswith(f"/{code}/")):
                environ["PATH_INFO"] = f"/{code}{path}"
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    app.extensions[KNOWN_IDS] = {}
    app.url_value_preprocessor(_pull_academy)
    app.url_defaults(_push_academy)
    app.teardown_request(_reset)
    middleware = HostTenantMiddleware(app.wsgi_app, app)
    app.extensions["tenant_hosts"] = middleware
    app.wsgi_app = middleware  # type: ignore[method-assign]

"""The whole home page of a logged-in family, kept in Redis per session for a short while (POR-1).

A family coming back to its home (after a service page, a refresh, the back button) is shown
the page built for it last time, without a single SQL query, as long as nothing it was built
from has changed. An entry is keyed by everything the page depends on besides the data: the
academy and host, the whole session (account and its session nonce, session-protection
identifier, current child, language, « Dernière connexion », CSRF secret) and the Paris date (plugin summaries such as « N nouvelles notes depuis 7 jours » change at midnight). It
is a Redis hash (the page compressed with zlib, the establishments' scopes and the
generations), looked up with one Lua script, so a kept page costs one round trip. It
holds the generations (``freshness``) of the platform, the academy, the account and the
establishments of the account's children, read before the page was built: any committed write
there (a login, an import into one of those establishments, a setting, a logout elsewhere that
rotates the session nonce) voids it at once; a write in another establishment does not. It also
expires after ``PORTAL_PAGE_SECONDS`` (60 by default, 0 turns the cache off), which bounds what a
write made outside the application could leave.

Only a plain ``GET`` of the home with no query string, by a family or student session that
Flask-Login's strong session protection accepts and that has no message waiting, is served from
or kept in the cache; staff simulations never are. The CSRF token the kept page carries (logout
form) is this session's, and tokens do not expire (``WTF_CSRF_TIME_LIMIT`` is None). Without Redis, or when it cannot be reached, every home is built.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import Any

from flask import Flask, abort, current_app, g, request, session
from flask_login.utils import _create_identifier
from redis.exceptions import RedisError

from teleservices import freshness, i18n
from teleservices.accounts.models import Account
from teleservices.jobs import redis_connection
from teleservices.portal import children
from teleservices.tenancy.resolution import KNOWN_IDS

ENDPOINT = "accounts.home"
PREFIX = "portal_page_prefix"
SCRIPT = "portal_page_lookup"
_PENDING = "portal_page"


def _seconds() -> int:
    return int(current_app.config.get("PORTAL_PAGE_SECONDS", 60) or 0)


def _candidate(academy_code: str) -> tuple[str, list[str]] | None:
    """This request's cache key and the scopes its page depends on, or None if it is built."""
    if request.method != "GET" or request.args or not _seconds():
        return None
    if not current_app.config.get("REDIS_URL") or session.get("_flashes"):
        return None
    user_id = session.get("_user_id")
    if not isinstance(user_id, str) or not user_id.startswith("account:"):
        return None
    if session.get("_id") != _create_identifier():
        return None  # Flask-Login will refuse this session: let it
    academy_id = current_app.extensions[KNOWN_IDS].get(academy_code)
    account_id = user_id.split(":")[1]
    if academy_id is None or not account_id.isdigit():
        return None
    material = {
        "academy": academy_code,
        "host": request.host,
        "session": dict(session),
        "today": i18n.local_today().isoformat(),
    }
    digest = hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode())
    scopes = [
        freshness.ALL,
        freshness.academy_scope(academy_id),
        freshness.account_scope(int(account_id)),
    ]
    return f"{current_app.extensions[PREFIX]}:{digest.hexdigest()}", scopes


@dataclass(frozen=True)
class _Pending:
    """What the page about to be built depends on, with the generations read before: those of the
    platform, academy and account, then (once ``prepare`` has read them) of the establishments."""

    generation: list[int]
    establishments: frozenset[int] | None = None
    establishment_scopes: tuple[str, ...] = ()


# One round trip: the kept entry, the counters of the platform, academy and account (ARGV[2…]),
# and the counters of the scopes the entry lists (its children's establishments).
LOOKUP = """
local entry = redis.call('HMGET', KEYS[1], 'scopes', 'generation', 'page')
local base = {}
for i = 2, #ARGV do base[i - 1] = ARGV[1] .. ':' .. ARGV[i] end
local counters = redis.call('MGET', unpack(base))
if entry[1] then
  for _, scope in ipairs(cjson.decode(entry[1])) do
    table.insert(counters, redis.call('GET', ARGV[1] .. ':' .. scope) or false)
  end
end
return {entry, counters}
"""


def _lookup(cache_key: str, scopes: list[str]) -> tuple[list[Any], list[int]]:
    script = current_app.extensions.get(SCRIPT)
    if script is None:
        script = current_app.extensions[SCRIPT] = redis_connection().register_script(LOOKUP)
    prefix = current_app.extensions[freshness.PREFIX]
    entry, counters = script(keys=[cache_key], args=[prefix, *scopes])
    return entry, [int(value or 0) for value in counters]


def _serve_cached(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Answer with the kept page when it is still valid; else note what to keep after the build.
    Runs before the academy is resolved, so a kept page costs no SQL query."""
    if endpoint != ENDPOINT or not values or "academy" not in values:
        return
    candidate = _candidate(str(values["academy"]))
    if candidate is None:
        return
    cache_key, scopes = candidate
    try:
        (_establishments, generation, page), counters = _lookup(cache_key, scopes)
    except RedisError:
        current_app.logger.warning("Redis injoignable : accueil construit sans cache")
        return
    if page is not None and json.loads(generation) == counters:
        abort(current_app.response_class(zlib.decompress(page), mimetype="text/html"))
    freshness.remember(scopes, counters[: len(scopes)])
    g.setdefault(_PENDING, _Pending(counters[: len(scopes)]))


def prepare(account: Account) -> None:
    """Before the home is built (after the account is read, before anything else): read the
    generations of the establishments of the account's children, which the page depends on."""
    pending: _Pending | None = g.get(_PENDING)
    if pending is None:
        return
    establishments = frozenset(children.establishment_ids(account))
    scopes = tuple(freshness.establishment_scope(e) for e in sorted(establishments))
    counters = freshness.generations(scopes) if scopes else []
    if counters is None:
        g.pop(_PENDING)
        return
    prepared = _Pending(pending.generation + counters, establishments, scopes)
    setattr(g, _PENDING, prepared)


def keep(html: str, account_id: str, establishments: set[int]) -> str:
    """Keep the home just built (``account_id``: the ``get_id()`` of the account it shows,
    ``establishments``: its children's) when the request may be served from the cache next
    time; return it unchanged."""
    pending: _Pending | None = g.pop(_PENDING, None)
    if pending is None or pending.establishments is None:
        return html
    if account_id != session.get("_user_id") or session.get("_flashes"):
        return html
    if freshness.has_pending() or not establishments <= pending.establishments:
        return html  # changed meanwhile by this request, or a child changed establishment
    # The key of the session as it will be saved (the build may have given it a CSRF secret).
    candidate = _candidate(g.academy.code)
    if candidate is None:
        return html
    key = candidate[0]
    entry = {
        "scopes": json.dumps(pending.establishment_scopes),
        "generation": json.dumps(pending.generation),
        "page": zlib.compress(html.encode(), 1),
    }
    try:
        transaction = redis_connection().pipeline()
        transaction.delete(key)
        transaction.hset(key, mapping=entry)
        transaction.expire(key, _seconds())
        transaction.execute()
    except RedisError:
        current_app.logger.warning("Redis injoignable : accueil non gardé")
    return html


def init_app(app: Flask) -> None:
    """Name the entries (per database) and look them up before any other URL processing."""
    prefix = app.extensions[freshness.PREFIX].replace(":freshness:", ":home:")
    app.extensions[PREFIX] = prefix
    app.url_value_preprocessors.setdefault(None, []).insert(0, _serve_cached)

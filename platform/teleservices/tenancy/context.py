"""The current tenant: a ``ContextVar`` set per request, job or command, and reset afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


class TenantRequiredError(RuntimeError):
    """A tenant-owned table was queried while no tenant was set."""


@dataclass(frozen=True)
class TenantScope:
    """Who the current unit of work acts for: one academy, or explicitly all of them."""

    academy_id: int | None
    all_academies: bool = False


_scope: ContextVar[TenantScope | None] = ContextVar("teleservices_tenant", default=None)


def current_scope() -> TenantScope | None:
    return _scope.get()


def current_academy_id() -> int:
    """Return the current academy id, raising when no single academy is set."""
    scope = _scope.get()
    if scope is None or scope.academy_id is None:
        raise TenantRequiredError("No academy is set for this unit of work.")
    return scope.academy_id


@contextmanager
def tenant(academy_id: int) -> Iterator[None]:
    """Run the block for one academy (requests, jobs and commands enter it this way)."""
    token = _scope.set(TenantScope(academy_id=academy_id))
    try:
        yield
    finally:
        _scope.reset(token)


@contextmanager
def all_academies() -> Iterator[None]:
    """Opt in to cross-tenant work (platform administration, academy sync, roll-ups)."""
    token = _scope.set(TenantScope(academy_id=None, all_academies=True))
    try:
        yield
    finally:
        _scope.reset(token)


def set_request_scope(academy_id: int) -> object:
    """Set the scope for a request; return the token that ``reset_request_scope`` takes."""
    return _scope.set(TenantScope(academy_id=academy_id))


def reset_request_scope(token: object) -> None:
    _scope.reset(token)  # type: ignore[arg-type]

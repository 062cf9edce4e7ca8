"""Render a mass notification's letters on several cores (NOT-4 performance target).

WeasyPrint is single-threaded: a 3,000-letter PDF on one core takes minutes. The chunks of letters
are rendered by a pool of processes (``LETTER_WORKERS``, default: the number of cores, at most 4),
each with its own application built from the current configuration, and merged in order by the
caller. One chunk, or one worker, renders in the calling process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from teleservices.accounts.models import Account
from teleservices.extensions import db
from teleservices.notifications.context import letter_context
from teleservices.notifications.letters import render_letters
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Academy, Establishment

_app: Flask | None = None


def workers() -> int:
    configured = current_app.config.get("LETTER_WORKERS")
    if configured:
        return max(1, int(configured))
    return max(1, min(4, os.cpu_count() or 1))


def _portable_config() -> dict[str, Any]:
    """The configuration values a worker process needs to rebuild the application."""
    simple = (str, int, float, bool, type(None))
    return {
        key: value
        for key, value in current_app.config.items()
        if key.isupper() and isinstance(value, simple) and key != "SQLALCHEMY_DATABASE_URI"
    }


def _start_worker(config: dict[str, Any], instance_path: str) -> None:
    global _app
    os.environ["TELESERVICES_INSTANCE_PATH"] = instance_path
    from teleservices.app import create_app

    _app = create_app(config)


def render_chunk(academy_id: int, establishment_id: int, account_ids: Sequence[int]) -> bytes:
    """The PDF of these accounts' letters, in this order (in the current application)."""
    with tenant(academy_id):
        academy = db.session.get(Academy, academy_id)
        establishment = db.session.scalar(
            select(Establishment).where(Establishment.id == establishment_id)
        )
        assert academy is not None and establishment is not None
        by_id = {
            a.id: a for a in db.session.scalars(select(Account).where(Account.id.in_(account_ids)))
        }
        accounts = [by_id[i] for i in account_ids if i in by_id]
        return render_letters(accounts, letter_context(academy, establishment))


def _render_in_worker(academy_id: int, establishment_id: int, ids: list[int]) -> bytes:
    assert _app is not None
    with _app.app_context():
        try:
            return render_chunk(academy_id, establishment_id, ids)
        finally:
            db.session.remove()


def render_chunks(academy_id: int, establishment_id: int, chunks: list[list[int]]) -> list[bytes]:
    """Every chunk's PDF, in order, rendered by the pool when there is more than one chunk."""
    count = min(workers(), len(chunks))
    if count <= 1:
        return [render_chunk(academy_id, establishment_id, chunk) for chunk in chunks]
    db.session.commit()  # the workers read what this job has written
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=count,
        mp_context=context,
        initializer=_start_worker,
        initargs=(_portable_config(), current_app.instance_path),
    ) as pool:
        count_chunks = len(chunks)
        return list(
            pool.map(
                _render_in_worker,
                [academy_id] * count_chunks,
                [establishment_id] * count_chunks,
                chunks,
            )
        )

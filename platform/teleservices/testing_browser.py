"""Browser-test fixtures: a live server on the test database and Debian's Chromium via Playwright.

Browser tests run on PostgreSQL only (the production database); screenshots are written to
``test-artifacts/`` so that a person can look at what the tests saw.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path.cwd() / "test-artifacts"


class LiveServer:
    """The application served over HTTP on a free local port, in a thread."""

    def __init__(self, app: Flask) -> None:
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(
    make_app: Callable[..., Flask], backend: str
) -> Iterator[Callable[..., LiveServer]]:
    """Start the platform on a free port (``live_server(**config)``); PostgreSQL only."""
    if backend != "postgresql":
        pytest.skip("browser tests run on PostgreSQL")
    servers: list[LiveServer] = []

    def start(**config: Any) -> LiveServer:
        app = make_app(WTF_CSRF_ENABLED=True, **config)
        server = LiveServer(app)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (``playwright install`` cannot download here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser page at 1280 px wide, French locale."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under ``test-artifacts/`` and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def family_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """``family_page(server, academy, uai)``: a second browser (own cookies) logged in as a used
    representative account whose child is enrolled in ``uai``, on the portal's home."""
    from teleservices.accounts.portal_testing import PASSWORD
    from teleservices.accounts.testing import activate, make_family

    contexts = []

    def open_page(
        server: LiveServer, academy: Any, uai: str = "0251711Z", width: int = 1280
    ) -> Any:
        app = cast(Flask, server.server.app)
        family = make_family(app, academy, uai=uai, last_name="FAMILLE")
        activate(app, academy.id, family.representative_account_id, PASSWORD, "f@example.fr")
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{server.url}/{academy.code}/connexion")
        page.get_by_label("votre identifiant", exact=True).fill(family.representative_identifier)
        page.get_by_label("votre mot de passe", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Valider").click()
        page.wait_for_url(f"**/{academy.code}/accueil")
        return page

    yield open_page
    for context in contexts:
        context.close()


AXE = Path.cwd() / "node_modules" / "axe-core" / "axe.min.js"


def accessibility_violations(page: Any) -> list[str]:
    """axe-core (npm ``axe-core``, installed by ``make setup``) on the page: the serious and
    critical WCAG 2.1 A/AA violations, as "rule: target" strings."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: "
        "{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        f"{violation['id']}: {node['target']}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]

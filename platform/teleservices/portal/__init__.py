"""The family portal (PRODUCT.md §8): the home of a representative or a student, the child
selector, and the establishment's pages (contact, useful links), help and legal pages.

Modules: ``children`` (the account's children and the current one, remembered in the session),
``home`` (what the home shows, and the short-lived cache of the per-establishment data it reads),
``page_cache`` (the whole home page kept per session while nothing it shows changes), ``views``
(the pages).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from teleservices.portal import (
        home,
        page_cache,
        views,  # noqa: F401 - the views attach to the blueprint
    )
    from teleservices.portal.views import bp, service_page_context

    home.init_app(app)
    page_cache.init_app(app)
    app.register_blueprint(bp)
    # The plugins' pages (blueprint « services » and its children) get the portal layout's data.
    app.template_context_processors.setdefault("services", []).append(service_page_context)

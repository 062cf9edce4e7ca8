"""The staff administration (PRODUCT.md §6): staff accounts and roles, login with a second factor
for administrators, « Ouverture / fermeture » and configuration of the téléservices, Paramétrage,
delegation and the audit log.

Modules: ``models`` (staff accounts), ``accounts`` (their operations), ``access`` (roles and
scopes), ``login_flow`` and ``totp`` (login), ``establishment_settings`` (activation and
Paramétrage, read by the portal), ``offer`` (national availability, experimental téléservices,
academic services), ``sanitizer`` (welcome message HTML), ``audit`` and ``audit_export`` (the log),
``plugin_settings`` (plugin configuration forms), ``forms`` and ``academy_forms``, ``views_*``
(screens: establishment, academy, platform, SIECLE upload), ``cli`` (``teleservices staff``).
"""

from __future__ import annotations

from flask import Flask

from teleservices import auth


def init_app(app: Flask) -> None:
    """Register the staff loaders, the admin blueprints and the ``staff`` command."""
    from teleservices.admin import (  # noqa: F401 - the views attach to the blueprints
        accounts,
        simulation,
        views_academy,
        views_academy_offer,
        views_api_token,
        views_assistance,
        views_audit,
        views_auth,
        views_delegation,
        views_home,
        views_opening,
        views_parametrage,
        views_platform,
        views_upload,
    )
    from teleservices.admin.blueprints import bp, platform_bp
    from teleservices.admin.cli import staff_group

    auth.register_loader("staff", accounts.load_staff)
    auth.register_loader("platform", accounts.load_platform_admin)
    app.register_blueprint(bp)
    app.register_blueprint(platform_bp)
    app.cli.add_command(staff_group)
    simulation.init_app(app)

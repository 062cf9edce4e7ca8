"""Plugin registry rules: loading, validation, opening rules, settings, the 404 gate."""

import pytest
from flask import Blueprint
from sqlalchemy import select

from teleservices import opening, sdk
from teleservices.accounts.portal_testing import Portal
from teleservices.extensions import db
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Academy, Establishment


def _establishment(uai):
    return db.session.execute(select(Establishment).filter_by(uai=uai)).scalar_one()


class BrokenAtDeclare:
    @sdk.hookimpl
    def teleservices_declare(self):
        raise RuntimeError("boom")


class MisspeltHook:
    @sdk.hookimpl
    def teleservices_declare(self):
        return sdk.Teleservice(code="misspelt", label="Misspelt", description="")

    @sdk.hookimpl
    def teleservices_home_entri(self):
        return None


class WrongDeclaration:
    @sdk.hookimpl
    def teleservices_declare(self):
        return {"code": "dict", "label": "A dict"}


class Cantine:
    """A third-party téléservice made mandatory by an academy and closed by default."""

    blueprint = Blueprint("cantine", __name__)

    @sdk.hookimpl
    def teleservices_declare(self):
        return sdk.Teleservice(
            code="cantine", label="Cantine", description="Menus", default_open=False
        )

    @sdk.hookimpl
    def teleservices_portal_pages(self):
        return sdk.PortalPages(code="cantine", blueprint=self.blueprint)


Cantine.blueprint.add_url_rule("/", "index", lambda: "Menus de la semaine")


def test_a_broken_plugin_does_not_stop_the_platform(make_app, academy):
    app = make_app(
        EXTRA_PLUGINS=[
            "teleservices_nowhere",
            BrokenAtDeclare(),
            MisspeltHook(),
            WrongDeclaration(),
        ]
    )
    registry = app.extensions["teleservices_registry"]
    assert "notes" in registry.teleservices
    assert set(registry.failed) == {
        "teleservices_nowhere",
        "BrokenAtDeclare",
        "MisspeltHook",
        "WrongDeclaration",
    }
    assert "boom" in registry.failed["BrokenAtDeclare"]
    assert "teleservices_home_entri" in registry.failed["MisspeltHook"]
    assert "misspelt" not in registry.teleservices
    portal = Portal(app, academy, app.test_client())
    assert portal.get("notes", "0251711Z").status_code == 200


def test_closed_page_is_404_there_and_200_where_open(client, app, academy, portal):
    with app.app_context(), tenant(academy.id):
        registry = app.extensions["teleservices_registry"]
        opening.set_open(registry, _establishment("0251711Z"), academy, "notes", False)
        db.session.commit()
    assert portal.get("notes", "0251711Z").status_code == 404
    assert portal.get("notes", "0250001R").status_code == 200


def test_missing_siecle_module_greys_the_service_closed(app, academy, portal):
    with app.app_context(), tenant(academy.id):
        registry = app.extensions["teleservices_registry"]
        etab = _establishment("0251711Z")
        etab.siecle_modules = ["edt"]
        db.session.commit()
        state = opening.statuses(registry, etab, academy)["notes"]
        assert (state.is_open, state.locked) == (False, True)
        assert "Notes" in state.reason
        with pytest.raises(opening.ServiceLockedError):
            opening.set_open(registry, etab, academy, "notes", True)
    assert portal.get("notes", "0251711Z").status_code == 404


def test_academy_mandatory_service_cannot_be_closed(make_app, academy):
    app = make_app(EXTRA_PLUGINS=[Cantine()])
    portal = Portal(app, academy, app.test_client())
    portal.child("0251711Z")
    registry = app.extensions["teleservices_registry"]
    with app.app_context(), tenant(academy.id):
        academy = db.session.get(Academy, academy.id)
        etab = _establishment("0251711Z")
        assert opening.statuses(registry, etab, academy)["cantine"].is_open is False
        assert portal.get("cantine", "0251711Z").status_code == 404
        academy.mandatory_teleservices = ["cantine"]
        db.session.add(academy)
        db.session.commit()
        state = opening.statuses(registry, etab, academy)["cantine"]
        assert (state.is_open, state.locked) == (True, True)
        with pytest.raises(opening.ServiceLockedError, match="académie"):
            opening.set_open(registry, etab, academy, "cantine", False)
    page = portal.get("cantine", "0251711Z")
    assert page.status_code == 200
    assert "Menus de la semaine" in page.text


def test_settings_survive_closing_and_take_effect_at_once(client, app, academy, portal):
    with app.app_context(), tenant(academy.id):
        registry = app.extensions["teleservices_registry"]
        etab = _establishment("0251711Z")
        assert opening.get_settings(registry, etab, "notes") == {
            "publication_mode": "fil_de_l_eau",
            "publication_dates": [],
        }
        opening.save_settings(etab, "notes", {"publication_mode": "echeance"})
        db.session.commit()
    assert "à échéance" in portal.get("notes", "0251711Z").text
    with app.app_context(), tenant(academy.id):
        etab = _establishment("0251711Z")
        opening.set_open(registry, etab, academy, "notes", False)
        opening.set_open(registry, etab, academy, "notes", True)
        db.session.commit()
        assert opening.get_settings(registry, etab, "notes")["publication_mode"] == "echeance"
    assert "à échéance" in portal.get("notes", "0251711Z").text


def test_disabled_plugins_are_not_loaded(make_app, academy):
    app = make_app(DISABLED_PLUGINS="notes")
    portal = Portal(app, academy, app.test_client())
    assert "notes" not in app.extensions["teleservices_registry"].teleservices
    assert portal.get("notes", "0251711Z").status_code == 404


def test_settings_with_decimals_are_stored_as_json(app, academy):
    from decimal import Decimal

    with app.app_context(), tenant(academy.id):
        registry = app.extensions["teleservices_registry"]
        etab = _establishment("0250001R")
        opening.save_settings(etab, "paiement", {"minimum_amount": Decimal("2.50")})
        db.session.commit()
        assert opening.get_settings(registry, etab, "paiement")["minimum_amount"] == "2.50"


def test_plain_listing_shows_rules_readably(app):
    output = app.test_cli_runner().invoke(args=["plugins", "list"]).output
    bourses = next(line for line in output.splitlines() if line.startswith("bourses"))
    assert "obligatoire=lp, lycee" in bourses

"""How a request's transaction ends (transactions.py): a request that only read commits, so the
driver keeps its prepared statements; anything a view wrote or changed without committing it is
still rolled back, and so is the transaction of a request that failed."""

import pytest
from sqlalchemy import event, select, update

from teleservices.extensions import db
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Establishment

COLLEGE = "0251711Z"


@pytest.fixture
def ends(app):
    """The ends of the transactions (``commit`` or ``rollback``) during the test."""
    seen = []
    with app.app_context():
        engine = db.engine
    listeners = {kind: (lambda _c, kind=kind: seen.append(kind)) for kind in ("commit", "rollback")}
    for kind, listener in listeners.items():
        event.listen(engine, kind, listener)
    yield seen
    for kind, listener in listeners.items():
        event.remove(engine, kind, listener)


def phone(app, academy):
    with app.app_context(), tenant(academy.id):
        return db.session.scalar(select(Establishment.phone).filter_by(uai=COLLEGE))


def _routes(app, academy):
    def write_without_commit():
        with tenant(academy.id):
            db.session.execute(update(Establishment).values(phone="01 00 00 00 00"))
        return "écrit"

    def change_without_flush():
        with tenant(academy.id):
            row = db.session.scalar(select(Establishment).filter_by(uai=COLLEGE))
            row.phone = "02 00 00 00 00"
        return "modifié"

    def fail_after_reading():
        with tenant(academy.id):
            db.session.scalar(select(Establishment.phone).filter_by(uai=COLLEGE))
        raise RuntimeError("panne")

    app.add_url_rule("/_test/ecrit", view_func=write_without_commit)
    app.add_url_rule("/_test/modifie", view_func=change_without_flush)
    app.add_url_rule("/_test/panne", view_func=fail_after_reading)


def test_a_request_that_only_read_commits(app, academy, portal, ends):
    portal.child(COLLEGE)
    ends.clear()
    assert portal.client.get("/ac-test/accueil").status_code == 200
    assert ends == ["commit"]


def test_what_a_view_did_not_commit_is_rolled_back(make_app, academy):
    app = make_app()
    _routes(app, academy)
    before = phone(app, academy)
    client = app.test_client()
    assert client.get("/_test/ecrit").status_code == 200
    assert client.get("/_test/modifie").status_code == 200
    assert phone(app, academy) == before


def test_a_failed_request_is_rolled_back(make_app, academy):
    app = make_app()
    _routes(app, academy)
    seen = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", lambda _c: seen.append("commit"))
    with pytest.raises(RuntimeError, match="panne"):  # the test app propagates errors
        app.test_client().get("/_test/panne")
    assert seen == []

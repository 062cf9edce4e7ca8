"""``teleservices tenants sync``: idempotent, errors reported with file and key, nothing half-done."""

import shutil
from pathlib import Path

from sqlalchemy import func, select

from teleservices.extensions import db
from teleservices.tenancy.context import all_academies
from teleservices.tenancy.models import Academy, Establishment

ROOT = Path(__file__).resolve().parent.parent


def _sync(app, directory):
    return app.test_cli_runner().invoke(args=["tenants", "sync", "--dir", str(directory)])


def _counts(app):
    with app.app_context(), all_academies():
        return (
            db.session.scalar(select(func.count()).select_from(Academy)),
            db.session.scalar(select(func.count()).select_from(Establishment)),
        )


def test_the_shipped_demo_academy_syncs_idempotently(app, tmp_path):
    shutil.copy(ROOT / "tenants" / "ac-demo.toml", tmp_path)
    first = _sync(app, tmp_path)
    assert first.exit_code == 0, first.output
    assert "Académies créées : 1" in first.output
    assert "établissements créés : 4" in first.output
    second = _sync(app, tmp_path)
    assert "inchangées : 1" in second.output
    assert "établissements créés : 0, mis à jour : 0" in second.output
    assert _counts(app) == (1, 4)
    page = app.test_client().get("/ac-demo/")
    assert "Lycée Louis Pasteur" in page.text


def test_a_change_in_the_file_updates_the_database(app, tmp_path):
    target = tmp_path / "ac-demo.toml"
    shutil.copy(ROOT / "tenants" / "ac-demo.toml", target)
    _sync(app, tmp_path)
    target.write_text(
        target.read_text(encoding="utf-8").replace("Collège Jules Ferry", "Collège J. Ferry"),
        encoding="utf-8",
    )
    result = _sync(app, tmp_path)
    assert "mises à jour : 1" in result.output
    assert "mis à jour : 1" in result.output
    assert "Collège J. Ferry" in app.test_client().get("/ac-demo/").text


def test_errors_name_file_and_key_and_change_nothing(app, tmp_path):
    shutil.copy(ROOT / "tenants" / "ac-demo.toml", tmp_path)
    (tmp_path / "ac-bad.toml").write_text(
        'code = "ac-bad"\nname = "Mauvaise"\nmandatory_teleservices = ["inconnu"]\n'
        '[[establishments]]\nuai = "0251711A"\ntype = "ecole"\nname = "X"\n',
        encoding="utf-8",
    )
    result = _sync(app, tmp_path)
    assert result.exit_code == 1
    assert "ac-bad.toml: establishments[0].uai" in result.output
    assert "devrait être « Z »" in result.output
    assert "ac-bad.toml: establishments[0].type" in result.output
    assert "ac-bad.toml: mandatory_teleservices: téléservice inconnu « inconnu »" in result.output
    assert "Aucune modification" in result.output
    assert _counts(app) == (0, 0)


def test_invalid_toml_is_reported(app, tmp_path):
    (tmp_path / "ac-x.toml").write_text('code = "ac-x\n', encoding="utf-8")
    result = _sync(app, tmp_path)
    assert result.exit_code == 1
    assert "ac-x.toml: TOML invalide" in result.output

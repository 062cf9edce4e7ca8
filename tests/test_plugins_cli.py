"""``teleservices plugins list``: the installed téléservices and their rules."""

import json

BUILT_IN = {
    "notes": {
        "code": "notes",
        "label": "Notes",
        "mandatory": "never",
        "default_open": True,
        "requires_module": "notes",
        "audiences": ["representatives", "students"],
    },
    "absences": {
        "code": "absences",
        "label": "Absences",
        "mandatory": "never",
        "default_open": True,
        "requires_module": "vie_scolaire",
        "audiences": ["representatives", "students"],
    },
    "fiche": {
        "code": "fiche",
        "label": "Fiche de renseignements",
        "mandatory": "always",
        "default_open": True,
        "requires_module": None,
        "audiences": ["representatives"],
    },
    "paiement": {
        "code": "paiement",
        "label": "Paiement des factures",
        "mandatory": "never",
        "default_open": False,
        "requires_module": None,
        "audiences": ["representatives"],
    },
    "emploi_du_temps": {
        "code": "emploi_du_temps",
        "label": "Emploi du temps",
        "mandatory": "never",
        "default_open": True,
        "requires_module": "edt",
        "audiences": ["representatives", "students"],
    },
    "bourses": {
        "code": "bourses",
        "label": "Bourses",
        "mandatory": ["lp", "lycee"],
        "default_open": True,
        "requires_module": None,
        "audiences": ["representatives"],
    },
}


def test_json_lists_the_six_built_in_teleservices_with_their_rules(app):
    result = app.test_cli_runner().invoke(args=["plugins", "list", "--json"])
    assert result.exit_code == 0, result.output
    listing = json.loads(result.output)
    by_code = {row["code"]: row for row in listing["plugins"]}
    assert {code: by_code.get(code) for code in BUILT_IN} == BUILT_IN
    assert listing["failed"] == {}


def test_json_is_ordered_by_label(app):
    result = app.test_cli_runner().invoke(args=["plugins", "list", "--json"])
    labels = [row["label"] for row in json.loads(result.output)["plugins"]]
    assert labels == sorted(labels, key=str.casefold)


def test_text_listing_shows_one_line_per_teleservice(app):
    result = app.test_cli_runner().invoke(args=["plugins", "list"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line.strip()}
    assert set(BUILT_IN) <= set(lines)
    assert "Paiement des factures" in lines["paiement"]
    assert "ouvert_par_défaut=False" in lines["paiement"]
    assert "obligatoire=always" in lines["fiche"]
    assert "module=edt" in lines["emploi_du_temps"]

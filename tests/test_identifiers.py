"""Account identifiers: the normalisation rule (ACC-2) and homonym numbering in the academy."""

import pytest
from sqlalchemy import select

from teleservices.accounts.identifiers import (
    IdentifierAllocator,
    allocate_identifiers,
    identifier_base,
    identifier_stem,
)
from teleservices.accounts.models import Account, AccountKind
from teleservices.extensions import db
from teleservices.tenancy.context import tenant


@pytest.mark.parametrize(
    ("first_name", "last_name", "usage_name", "expected"),
    [
        ("Jean-Noël", "D'ALMEIDA", "MARTIN", "jean-noel.martin"),
        ("Zoé", "DUVAL-ÉTIENNE", "", "zoe.duval-etienne"),
        ("Chloé", "LE GOFF", "", "chloe.legoff"),
        ("José", "D'ALMEIDA", "", "jose.dalmeida"),
        ("Anne", "D’ARC", "", "anne.darc"),
        ("Cœur", "BŒUF", "", "coeur.boeuf"),
        ("Lætitia", "CÆSAR", "", "laetitia.caesar"),
        ("François", "GARÇON", "", "francois.garcon"),
        ("Anaïs", "HÉLÈNE-ÖZIL", "", "anais.helene-ozil"),
        ("Marie Claire", "DE LA FONTAINE", "", "marieclaire.delafontaine"),
        ("Ève", "N'GUYEN", "  ", "eve.nguyen"),
        ("Lou", "NGUYEN", "DUPONT", "lou.dupont"),
        ("Jean", "DUPONT (2)", "", "jean.dupont2"),
        ("Åsa", "ØSTERGÅRD", "", "asa.stergard"),
        ("-Léo-", "'", "", "leo.inconnu"),
        ("", "MARTIN", "", "inconnu.martin"),
    ],
)
def test_normalisation(first_name, last_name, usage_name, expected):
    assert identifier_stem(first_name, last_name, usage_name) == expected


def test_only_the_first_given_name_is_used():
    # PRENOM2 and PRENOM3 never enter the identifier; a compound PRENOM keeps its hyphen.
    assert identifier_stem("Jean-Pierre", "MARTIN") == "jean-pierre.martin"


def test_homonyms_get_the_smallest_free_number():
    allocator = IdentifierAllocator(["jean.dupont", "jean.dupont2"])
    assert [allocator.allocate("jean.dupont") for _ in range(3)] == [
        "jean.dupont1",
        "jean.dupont3",
        "jean.dupont4",
    ]
    assert allocator.allocate("zoe.martin") == "zoe.martin"
    assert allocator.allocate("zoe.martin") == "zoe.martin1"


def test_a_stem_ending_with_digits_does_not_collide_with_numbered_homonyms():
    allocator = IdentifierAllocator([])
    assert allocator.allocate("jean.dupont1") == "jean.dupont1"
    assert allocator.allocate("jean.dupont") == "jean.dupont"
    assert allocator.allocate("jean.dupont") == "jean.dupont2"
    assert identifier_base("jean.dupont12") == identifier_base("jean.dupont1") == "jean.dupont"


def test_allocation_reads_the_academy_and_ignores_other_academies(app, academy, other_academy):
    with app.app_context():
        for academy_id in (academy.id, other_academy.id):
            with tenant(academy_id):
                db.session.add_all(
                    Account(identifier=i, identifier_base=identifier_base(i), kind=kind)
                    for i, kind in (
                        ("jean.dupont", AccountKind.STUDENT),
                        ("jean.dupont1", AccountKind.REPRESENTATIVE),
                    )
                )
                db.session.commit()
        with tenant(other_academy.id):
            db.session.add(
                Account(
                    identifier="zoe.martin",
                    identifier_base="zoe.martin",
                    kind=AccountKind.STUDENT,
                )
            )
            db.session.commit()
        with tenant(academy.id):
            assert allocate_identifiers(["jean.dupont", "zoe.martin", "jean.dupont"]) == [
                "jean.dupont2",
                "zoe.martin",
                "jean.dupont3",
            ]
            assert set(db.session.scalars(select(Account.identifier))) == {
                "jean.dupont",
                "jean.dupont1",
            }

"""UAI validation (7 digits and a check letter)."""

import pytest

from teleservices.tenancy.uai import is_valid_uai, normalise_uai


@pytest.mark.parametrize("uai", ["0251711Z", "0251711z", " 0250001R ", "0009991K"])
def test_valid_uai(uai):
    assert is_valid_uai(uai)


@pytest.mark.parametrize("uai", ["0251711A", "025171Z", "02517111Z", "ABCDEFGH", "", "0251711I"])
def test_invalid_uai(uai):
    assert not is_valid_uai(uai)


def test_normalise_explains_the_expected_letter():
    assert normalise_uai(" 0251711z") == "0251711Z"
    with pytest.raises(ValueError, match="devrait être « Z »"):
        normalise_uai("0251711A")
    with pytest.raises(ValueError, match="7 chiffres"):
        normalise_uai("12345")

"""Languages: French by default, English on request (remembered), French date formats."""

from datetime import UTC, date, datetime

from teleservices.i18n import short_date, short_datetime


def test_french_by_default_and_english_on_request(client, academy):
    page = client.get("/ac-test/")
    assert '<html lang="fr"' in page.text
    assert "Établissements et téléservices ouverts" in page.text
    english = client.get("/ac-test/?lang=en")
    assert '<html lang="en"' in english.text
    assert "Schools and open online services" in english.text
    again = client.get("/ac-test/")
    assert "Schools and open online services" in again.text
    assert "Français" in again.text
    back = client.get("/ac-test/?lang=fr")
    assert "Établissements et téléservices ouverts" in back.text


def test_error_pages_are_translated(client, academy):
    assert "Page introuvable" in client.get("/ac-test/nulle-part").text
    assert "Page not found" in client.get("/ac-test/nulle-part?lang=en").text


def test_dates_in_french_format(app):
    with app.test_request_context("/"):
        assert short_date(date(2011, 2, 21)) == "lun. 21/02/2011"
        assert short_datetime(datetime(2011, 2, 21, 13, 5, tzinfo=UTC)) == "lun. 21/02/2011 à 14:05"
        assert short_datetime(datetime(2011, 7, 4, 12, 0)) == "lun. 04/07/2011 à 14:00"
    with app.test_request_context("/?lang=en"):
        assert short_date(date(2011, 2, 21)) == "Mon 21/02/2011"

"""The platform answers on both backends."""


def test_landing_lists_the_academy(client, academy):
    response = client.get("/")
    assert response.status_code == 200
    assert "Académie de Test" in response.text


def test_unknown_academy_is_404(client, academy):
    assert client.get("/ac-inconnue/").status_code == 404

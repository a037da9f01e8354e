import pytest


@pytest.mark.django_db
def test_home_renders_without_events(client):
    response = client.get("/")
    assert response.status_code == 200

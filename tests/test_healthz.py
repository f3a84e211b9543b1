import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_reports_database_down(client, monkeypatch):
    from recommendations.views import pages as views

    def broken_cursor():
        raise OperationalError("connection refused")

    monkeypatch.setattr(views.connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


@pytest.mark.django_db
def test_a_lost_database_gives_a_clear_retryable_503(client, monkeypatch):
    from recommendations.views import pages

    def broken(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(pages.Recommendation.objects, "for_list", broken)
    response = client.get("/recommendations/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Nothing you just sent was saved" in response.content.decode()

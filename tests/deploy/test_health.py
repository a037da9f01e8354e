"""/healthz and /readyz, and the error pages: 503 when the database is down, 500 otherwise."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client

from bench import servers
from portal import health

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_redis_client():
    health._redis_client = None
    yield
    health._redis_client = None


def test_healthz_answers_whatever_the_host_and_without_a_redirect(settings):
    settings.ALLOWED_HOSTS = ["meetup.example.org"]
    settings.SECURE_SSL_REDIRECT = True

    response = Client().get("/healthz", HTTP_HOST="10.0.0.5:8001")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_other_paths_still_check_the_host(settings):
    settings.ALLOWED_HOSTS = ["meetup.example.org"]

    response = Client().get("/healthz/", HTTP_HOST="10.0.0.5:8001")

    assert response.status_code == 400


@pytest.mark.django_db
def test_readyz_checks_the_database(settings):
    settings.REDIS_URL = ""

    response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.django_db
def test_readyz_checks_redis_when_there_is_one(settings):
    port = servers.free_port()
    redis = servers.start_redis(port=port)
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    try:
        up = Client().get("/readyz")
    finally:
        servers.stop(redis)
    down = Client().get("/readyz")

    assert (up.status_code, up.json()) == (
        200,
        {"status": "ok", "checks": {"database": "ok", "redis": "ok"}},
    )
    assert (down.status_code, down.json()) == (
        503,
        {"status": "unavailable", "checks": {"database": "ok", "redis": "unavailable"}},
    )


def _error_page(rf, exc: Exception):
    request = rf.get("/")
    request.request_id = "0123456789abcdef0123456789abcdef"
    try:
        raise exc
    except Exception:
        # Django calls handler500 while handling the exception, as here.
        return health.server_error(request)


def test_a_database_error_answers_503_with_the_request_id(rf):
    response = _error_page(rf, OperationalError("connection refused"))
    page = response.content.decode()

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "The portal is briefly unavailable" in page
    assert "<code data-request-id>0123456789abcdef0123456789abcdef</code>" in page


def test_any_other_error_answers_500_with_the_request_id(rf):
    response = _error_page(rf, RuntimeError("a bug"))
    page = response.content.decode()

    assert response.status_code == 500
    assert response.has_header("Retry-After") is False
    assert "Something went wrong on our side" in page
    assert "<code data-request-id>0123456789abcdef0123456789abcdef</code>" in page
    assert "a bug" not in page


def test_an_unreachable_database_is_a_503_page_not_a_traceback(tmp_path):
    """A real production-settings process whose PostgreSQL does not answer."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        # No collectstatic here: the pages' static URLs come from the finders.
        "settings.STORAGES = {**settings.STORAGES, 'staticfiles': "
        "{'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}; "
        "from django.test import Client; "
        "r = Client(raise_request_exception=False).get('/', HTTP_HOST='meetup.example.org', "
        "secure=True); "
        "print(json.dumps({'status': r.status_code, 'retry': r.get('Retry-After'), "
        "'id': r['X-Request-ID'], 'page': r.content.decode()}))"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "meetup.example.org",
        "DATABASE_URL": f"postgres://portal:x@127.0.0.1:{servers.free_port()}/portal",
        "DATABASE_POOL_TIMEOUT": "1",
        "PORTAL_VAR_DIR": str(tmp_path),
        "LOG_LEVEL": "CRITICAL",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])

    assert (found["status"], found["retry"]) == (503, "5")
    assert f"<code data-request-id>{found['id']}</code>" in found["page"]
    assert "Traceback" not in found["page"]

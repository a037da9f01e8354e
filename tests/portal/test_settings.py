"""Settings read from the environment, checked in a fresh interpreter each time."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _settings_with(tmp_path, **env) -> dict:
    code = (
        "import json, portal.settings as s; "
        "print(json.dumps({'db': s.DATABASES['default'], 'layers': s.CHANNEL_LAYERS}, default=str))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DEBUG": "1", "PORTAL_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_postgres_gets_a_bounded_connection_pool(tmp_path):
    found = _settings_with(tmp_path, DATABASE_URL="postgres://u:p@db.example.org:5432/portal")

    assert found["db"]["ENGINE"] == "django.db.backends.postgresql"
    assert found["db"]["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 20, "timeout": 10}
    assert found["db"]["CONN_MAX_AGE"] == 0


def test_postgres_pool_can_be_turned_off(tmp_path):
    found = _settings_with(
        tmp_path, DATABASE_URL="postgres://u:p@db/portal", DATABASE_POOL_MAX_SIZE="0"
    )

    assert "pool" not in found["db"].get("OPTIONS", {})
    assert found["db"]["CONN_MAX_AGE"] == 600


def test_sqlite_connections_stay_open_between_requests(tmp_path):
    # Bounded HTTP threads (portal/asgi_http.py) make persistent connections safe.
    found = _settings_with(tmp_path)

    assert found["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert found["db"]["CONN_MAX_AGE"] == 600


def test_embedded_defaults_are_sqlite_and_the_in_memory_layer(tmp_path):
    found = _settings_with(tmp_path)

    assert found["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert found["db"]["NAME"] == str(tmp_path / "db.sqlite3")
    assert found["layers"]["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"


def test_redis_url_switches_to_the_redis_channel_layer(tmp_path):
    found = _settings_with(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0")

    assert found["layers"]["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert found["layers"]["default"]["CONFIG"]["hosts"] == ["redis://127.0.0.1:6379/0"]


def test_a_404_is_logged_once(tmp_path):
    code = (
        "import django; django.setup(); from django.test import Client; "
        "Client(HTTP_HOST='localhost').get('/no-such-page/')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "1", "PORTAL_VAR_DIR": str(tmp_path),
             "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )  # fmt: skip
    assert result.stderr.count("Not Found: /no-such-page/") == 1

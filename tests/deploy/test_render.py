"""The configuration the deployment is made of: nginx's (checked by nginx itself), the site
shipped for a real server, supervisord's environment, the body limit nginx takes from Django."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deploy import render
from deploy.config import ROOT, Stack
from deploy.stack import upload_limit

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def test_the_shipped_nginx_site_is_what_the_template_renders():
    rendered = subprocess.run(
        [sys.executable, "-m", "deploy.stack", "site"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    assert rendered.stdout == (ROOT / "deploy" / "nginx" / "meetup-portal.conf").read_text()


def _portal_env(tmp_path, **extra) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "SECRET_KEY": "x" * 50,
        "PORTAL_VAR_DIR": str(tmp_path),
        **extra,
    }


def test_nginx_takes_the_body_limit_from_the_portal_s_settings(tmp_path):
    default = upload_limit(_portal_env(tmp_path))
    bigger = upload_limit(
        _portal_env(tmp_path, DJANGO_SETTINGS_MODULE="tests.deploy.settings_big_uploads")
    )

    # The biggest of the portal's own limits: a talk's PDF slides (20 MiB) with the rest of
    # their form (64 KiB), under /slides/ and /api/slides/; the portal enforces each path itself.
    assert default == 20 * 1024 * 1024 + 64 * 1024
    assert bigger == 7654321
    assert render.nginx_size(default) == "21037056"
    assert render.nginx_size(5 * 1024 * 1024) == "5m"
    assert render.nginx_size(bigger) == "7654321"


@pytest.mark.skipif(not os.path.exists(NGINX), reason="needs nginx (make stack-packages)")
def test_the_stack_s_nginx_configuration_passes_nginx_t(tmp_path):
    stack = Stack.from_env({"SERVE_DIR": str(tmp_path / "serve"), "SERVE_WORKERS": "3"})
    for sub in ("logs", "tmp"):
        (stack.nginx_dir / sub).mkdir(parents=True)
    stack.cert.parent.mkdir(parents=True)
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(stack.key),
            "-out",
            str(stack.cert),
        ],
        check=True,
        capture_output=True,
    )
    (stack.nginx_dir / "site.conf").write_text(render.stack_site(stack, body_limit=5 << 20))
    (stack.nginx_dir / "nginx.conf").write_text(render.stack_nginx_conf(stack, user=None))

    checked = subprocess.run(
        [
            NGINX,
            "-t",
            "-p",
            str(stack.nginx_dir),
            "-c",
            str(stack.nginx_dir / "nginx.conf"),
            "-e",
            str(stack.nginx_dir / "logs" / "error.log"),
        ],
        capture_output=True,
        text=True,
    )

    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.count("syntax is ok") == 1
    site = (stack.nginx_dir / "site.conf").read_text()
    assert site.count("server unix:") == 3


def test_the_workers_get_the_portal_s_environment_exactly(tmp_path):
    env = {"SECRET_KEY": 'a "quoted", back\\slash, 100% sure=yes', "OTHER": ""}
    path = tmp_path / "portal.env"
    path.write_text(render.env_file(env))
    code = "import json, os; print(json.dumps({k: os.environ[k] for k in ('SECRET_KEY', 'OTHER')}))"

    started = subprocess.run(
        [
            sys.executable,
            str(ROOT / "deploy" / "launch.py"),
            str(path),
            "--",
            sys.executable,
            "-c",
            code,
        ],
        capture_output=True,
        text=True,
        check=True,
    )

    assert json.loads(started.stdout) == env


def test_a_line_break_in_a_value_is_refused():
    with pytest.raises(SystemExit, match="EMAIL_HOST_PASSWORD: a value for the stack"):
        render.env_file({"EMAIL_HOST_PASSWORD": "two\nlines"})


def test_the_stack_defaults_stay_clear_of_make_run_and_debian_s_services():
    stack = Stack.from_env({})

    assert (stack.port, stack.pg_port, stack.redis_port) == (8080, 5433, 6380)
    assert stack.dir == Path(ROOT / "var" / "serve")
    assert stack.site_url == "https://127.0.0.1:8080"
    assert stack.django_env()["DEBUG"] == "0"

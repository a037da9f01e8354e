"""The portal's production shape on this machine, as one command.

    python -m deploy.stack up        # `make serve`: install, configure, migrate, start
    python -m deploy.stack down      # `make stop`: stop everything `up` started
    python -m deploy.stack status
    python -m deploy.stack manage createsuperuser      # manage.py with the stack's settings
    python -m deploy.stack backup | restore <dir>      # `make backup` / `make restore`
    python -m deploy.stack site --server-name meetup.example.org   # a real server's nginx site

One supervisord (Debian's `supervisor`) runs PostgreSQL, Redis, SERVE_WORKERS daphne workers on
UNIX sockets, the task worker and nginx (TLS on 127.0.0.1:SERVE_PORT); it restarts whatever dies.
State, logs and generated secrets live in SERVE_DIR (var/serve). See docs/deploy.md.
"""

import argparse
import hashlib
import json
import os
import ssl
import stat
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import backup, packages, postgres, render
from .config import PYTHON, ROOT, Stack, base_env, is_root, system_user, which
from .shell import chown, run, say
from .supervisor import Supervisor

STYLES = ROOT / "theme" / "static" / "css" / "dist" / "styles.css"
DEFAULT_UPLOAD_LIMIT = 5 * 1024 * 1024
# Source the workers run: a change here since the last `up` restarts them one at a time.
_NOT_SOURCE = {
    ".git",
    ".venv",
    "var",
    "node_modules",
    "tests",
    "docs",
    "bench",
    "__pycache__",
    ".hypothesis",
    ".ruff_cache",
    ".pytest_cache",
    "artifacts",
}


def service_users(stack: Stack) -> dict[str, str | None]:
    """Who runs what when we are root: PostgreSQL, Redis and nginx as their system users
    (nginx as www-data only if it can read the static files), the portal as us."""
    nginx = system_user("www-data")
    if nginx and not _others_can_traverse(stack.static_root):
        nginx = None
    return {"postgres": system_user("postgres"), "redis": system_user("redis"), "nginx": nginx}


def _others_can_traverse(path: Path) -> bool:
    return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents] if p.exists())


def manage(stack: Stack, *args: str, capture: bool = False, check: bool = True):
    return run(
        [PYTHON, ROOT / "manage.py", *args], env=stack.django_env(), capture=capture, check=check
    )


def deploy_check(stack: Stack) -> str | None:
    """What Django's deployment checklist says about the stack's settings (None: nothing)."""
    found = manage(stack, "check", "--deploy", "--fail-level", "WARNING", capture=True, check=False)
    if found.returncode == 0:
        return None
    return (found.stderr or found.stdout).strip()


def upload_limit(env: dict[str, str]) -> int:
    """The biggest body the portal accepts anywhere, as its settings say: nginx's
    client_max_body_size. `portal.limits.largest_body_limit()` where the portal has it, else
    REQUEST_MAX_UPLOAD_BYTES and its per-path raises, else 5 MiB."""
    code = (
        "import django; django.setup(); from django.conf import settings as s\n"
        "try:\n"
        "    from portal.limits import largest_body_limit\n"
        "except ImportError:\n"
        "    largest_body_limit = lambda: max([\n"
        f"        getattr(s, 'REQUEST_MAX_UPLOAD_BYTES', {DEFAULT_UPLOAD_LIMIT}),\n"
        "        *getattr(s, 'REQUEST_MAX_UPLOAD_BYTES_BY_PATH', {}).values()])\n"
        "print(largest_body_limit())"
    )
    return int(run([PYTHON, "-c", code], env=env, capture=True).stdout.strip())


def server_site_for(args) -> str:
    env = {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "PYTHONPATH": str(ROOT),
        "SECRET_KEY": "rendering-the-nginx-site-only",
        "PORTAL_VAR_DIR": str(ROOT / "var"),
    }
    return render.server_site(
        server_name=args.server_name,
        workers=args.workers,
        root=args.root,
        media_root=args.media_root or args.root / "var" / "media",
        body_limit=upload_limit(env),
    )


def prepare(stack: Stack, users: dict[str, str | None]) -> None:
    stack.dir.mkdir(parents=True, exist_ok=True)
    for path, mode in (
        (stack.logs_dir, 0o755),
        (stack.media_root, 0o755),
        (stack.backups_dir, 0o700),
        (stack.run_dir, 0o750),
    ):
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(mode)
    # Only we and nginx may connect to the workers' sockets: the portal trusts the proxy
    # headers (X-Forwarded-Proto, X-Forwarded-For) of whoever can.
    chown(stack.run_dir, None, group=users["nginx"])
    stack.redis_dir.mkdir(exist_ok=True)
    stack.redis_dir.chmod(0o750)
    chown(stack.redis_dir, users["redis"], group=users["redis"], recursive=True)
    for sub in ("logs", "tmp"):
        (stack.nginx_dir / sub).mkdir(parents=True, exist_ok=True)
    chown(stack.nginx_dir, users["nginx"], group=users["nginx"], recursive=True)
    stack.secret("django-secret-key")


def ensure_certificate(stack: Stack, users: dict[str, str | None]) -> None:
    """A self-signed certificate for the stack's hosts, unless SERVE_TLS_CERT names one."""
    if stack.tls_cert or stack.cert.exists():
        return
    stack.cert.parent.mkdir(parents=True, exist_ok=True)
    names = ",".join(
        f"IP:{h}" if h.replace(".", "").isdigit() or ":" in h else f"DNS:{h}" for h in stack.hosts
    )
    say(f"creating a self-signed certificate for {', '.join(stack.hosts)}")
    run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-sha256",
            "-days",
            "825",
            "-subj",
            f"/CN={stack.hosts[0]}",
            "-addext",
            f"subjectAltName={names}",
            "-keyout",
            stack.key,
            "-out",
            stack.cert,
        ],
        capture=True,
    )
    stack.key.chmod(0o640)
    chown(stack.key, None, group=users["nginx"])


def _write(path: Path, text: str, *, mode: int = 0o644, group: str | None = None) -> str:
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    path.chmod(mode)
    chown(path, None, group=group)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write_configs(stack: Stack, users: dict[str, str | None]) -> None:
    limit = upload_limit(stack.django_env())
    site = _write(stack.nginx_dir / "site.conf", render.stack_site(stack, body_limit=limit))
    main_user = "root" if is_root() and users["nginx"] is None else None
    main = _write(stack.nginx_dir / "nginx.conf", render.stack_nginx_conf(stack, user=main_user))
    redis = _write(
        stack.redis_dir / "redis.conf", render.redis_conf(stack), mode=0o640, group=users["redis"]
    )
    portal = _write(stack.env_file, render.env_file(stack.django_env()), mode=0o600)
    conf = render.supervisord_conf(
        stack,
        pg_bin=packages.pg_bin(),
        redis_server=which("redis-server"),
        nginx=which("nginx"),
        users=users,
        config_hashes={"nginx": site + main, "redis": redis, "portal": portal},
    )
    _write(stack.supervisor_conf, conf, mode=0o600)


def release_id() -> str:
    """Changes whenever a source file the workers load changes (committed or not). By
    content: `make tailwind` rewrites the same CSS on every run."""
    digest = hashlib.sha256()
    for directory, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in _NOT_SOURCE)
        for name in sorted(files):
            path = Path(directory) / name
            digest.update(f"{path.relative_to(ROOT)}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def worker_names(stack: Stack) -> list[str]:
    return [f"web:web-{n}" for n in range(stack.workers)]


def wait_worker(stack: Stack, n: int, timeout: float = 60) -> None:
    """Until worker `n` answers /healthz on its socket."""
    import http.client
    import socket

    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.settimeout(2)
                sock.connect(str(stack.worker_socket(n)))
                sock.sendall(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")
                response = http.client.HTTPResponse(sock)
                response.begin()
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"web-{n} did not answer /healthz")
        time.sleep(0.1)


def tls_context(stack: Stack) -> ssl.SSLContext:
    """Trust the stack's own certificate (or, for one of yours, just encrypt to loopback)."""
    if stack.tls_cert:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=str(stack.cert))


def wait_ready(stack: Stack, timeout: float = 90) -> dict:
    """Until /readyz answers 200 through nginx; returns its checks."""
    url = f"https://127.0.0.1:{stack.port}/readyz"
    request = urllib.request.Request(url, headers={"Host": f"{stack.hosts[0]}:{stack.port}"})
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(request, context=tls_context(stack), timeout=5) as answer:  # noqa: S310
                return json.load(answer)
        except (OSError, urllib.error.URLError, ValueError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def up(stack: Stack) -> None:
    packages.ensure()
    if not STYLES.exists():
        raise SystemExit(f"{STYLES} is missing: run `make tailwind` (or `make serve`) first")
    users = service_users(stack)
    prepare(stack, users)
    ensure_certificate(stack, users)
    postgres.initdb(stack)
    write_configs(stack, users)
    sup = Supervisor(stack.supervisor_sock)
    if sup.running():
        changed = sup.update()
        if changed:
            say(f"configuration changed: restarted {', '.join(changed)}")
    else:
        say(f"starting supervisord ({stack.supervisor_conf})")
        run(["supervisord", "-c", stack.supervisor_conf])
        sup.wait_running()
    was_running = {n for n, p in sup.processes().items() if p["statename"] == "RUNNING"}
    postgres.wait_ready(stack)
    postgres.ensure_database(stack)
    manage(stack, "migrate", "--no-input", "-v0")
    release, release_file = release_id(), stack.dir / "release"
    previous = release_file.read_text() if release_file.exists() else None
    if release != previous or not (stack.static_root / "staticfiles.json").exists():
        manage(stack, "collectstatic", "--no-input", "-v0")
    if stack.demo:
        manage(stack, "load_demo")
    portal = [*worker_names(stack), "tasks"]
    if previous is not None and release != previous:
        # New code: one process at a time, so the other workers keep serving.
        for name in [n for n in portal if n in was_running]:
            say(f"restarting {name} for the new release")
            sup.stop(name)
            sup.start(name)
            if name.startswith("web:"):
                wait_worker(stack, int(name.rsplit("-", 1)[1]))
    try:
        sup.start_all([*portal, "nginx"])
    except RuntimeError as error:
        raise SystemExit(f"{error}; see its log in {stack.logs_dir}") from None
    for n in range(stack.workers):
        wait_worker(stack, n)
    release_file.write_text(release)
    checks = wait_ready(stack)
    if problems := deploy_check(stack):
        say(f"`manage.py check --deploy` is not clean (set EMAIL_HOST for real email):\n{problems}")
    say(f"ready: {stack.site_url}/  ({json.dumps(checks['checks'])})")
    say(f"{stack.workers} web workers, state and logs in {stack.dir}; `make stop` stops it all")
    if not stack.tls_cert:
        say(f"the certificate is self-signed: {stack.cert}")


def down(stack: Stack) -> None:
    sup = Supervisor(stack.supervisor_sock)
    if not sup.running():
        say("not running")
        return
    pid = int(stack.supervisor_pid.read_text())
    sup.shutdown()
    deadline = time.monotonic() + 120
    while _alive(pid):
        if time.monotonic() > deadline:
            raise SystemExit(f"supervisord (pid {pid}) did not stop within 120 s")
        time.sleep(0.1)
    say("stopped")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def status(stack: Stack) -> int:
    sup = Supervisor(stack.supervisor_sock)
    if not sup.running():
        print("not running")
        return 3
    for name, info in sorted(sup.processes().items()):
        print(f"{name:12} {info['statename']:9} {info['description']}")
    try:
        print("readyz:", json.dumps(wait_ready(stack, timeout=5)))
    except OSError as error:
        print("readyz:", error)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.stack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("install", help="install the Debian packages the stack needs")
    commands.add_parser("up", help="bring the stack up (again: nothing changes)")
    commands.add_parser("down", help="stop everything `up` started")
    commands.add_parser("status", help="the processes and /readyz")
    run_manage = commands.add_parser("manage", help="manage.py with the stack's settings")
    run_manage.add_argument("args", nargs=argparse.REMAINDER)
    site = commands.add_parser("site", help="print the nginx site for a real server")
    site.add_argument("--server-name", default="meetup.example.org")
    site.add_argument("--workers", type=int, default=2)
    site.add_argument("--root", type=Path, default=Path("/srv/meetup-portal"))
    site.add_argument("--media-root", type=Path, help="default: ROOT/var/media")
    backup.add_commands(commands)
    args = parser.parse_args(argv)
    stack = Stack.from_env()
    if args.command == "install":
        packages.ensure()
    elif args.command == "up":
        up(stack)
    elif args.command == "down":
        down(stack)
    elif args.command == "status":
        return status(stack)
    elif args.command == "manage":
        manage(stack, *args.args)
    elif args.command == "site":
        print(server_site_for(args), end="")
    else:
        return backup.run_command(args, stack)
    return 0


if __name__ == "__main__":
    os.environ.update({k: v for k, v in base_env().items() if k not in os.environ})
    sys.exit(main())

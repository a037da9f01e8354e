"""Configuration files from `deploy/templates/`: nginx (the stack's and a real server's site),
supervisord and Redis.

Templates hold `{{ name }}` placeholders and nothing else (nginx's own `$variables` and
braces pass through untouched); loops and choices are made here, in Python.
"""

import re
import shlex
from pathlib import Path

from .config import PYTHON, ROOT, VENV_BIN, WS_MAX_MESSAGE, Stack

TEMPLATES = Path(__file__).resolve().parent / "templates"
_PLACEHOLDER = re.compile(r"\{\{ (\w+) \}\}")


def render(template: str, **values) -> str:
    text = (TEMPLATES / template).read_text()
    missing = set(_PLACEHOLDER.findall(text)) - values.keys()
    if missing:
        raise KeyError(f"{template} needs {sorted(missing)}")
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)


def nginx_size(limit: int) -> str:
    """nginx's spelling of a byte count (`5m` for 5 MiB, else bytes)."""
    mib = 1024 * 1024
    return f"{limit // mib}m" if limit % mib == 0 else str(limit)


def nginx_site(
    *,
    purpose: str,
    command: str,
    sockets: list[Path],
    listen: list[str],
    server_name: str,
    cert: Path,
    key: Path,
    access_log: Path,
    body_limit: int,
    static_root: Path,
    media_root: Path,
    redirect_http: bool,
) -> str:
    # A worker that refuses a connection (dead, restarting) is left alone for 3 s while the
    # others serve; its sockets reconnect to them.
    upstreams = "\n".join(
        f"    server unix:{sock} max_fails=1 fail_timeout=3s;" for sock in sockets
    )
    redirect = ""
    if redirect_http:
        redirect = (
            "\n# Plain HTTP only answers certificate challenges and redirects to HTTPS.\n"
            "server {\n"
            "    listen 80;\n"
            "    listen [::]:80;\n"
            f"    server_name {server_name};\n"
            "    location /.well-known/acme-challenge/ {\n"
            "        root /var/www/letsencrypt;\n"
            "    }\n"
            "    location / {\n"
            "        return 301 https://$host$request_uri;\n"
            "    }\n"
            "}\n"
        )
    return render(
        "site.conf",
        purpose=purpose,
        command=command,
        upstream_servers=upstreams,
        http_redirect=redirect,
        listen="\n".join(f"    listen {address} ssl http2;" for address in listen),
        server_name=server_name,
        ssl_certificate=cert,
        ssl_certificate_key=key,
        access_log=access_log,
        client_max_body_size=nginx_size(body_limit),
        static_root=static_root,
        media_root=media_root,
    )


def stack_site(stack: Stack, *, body_limit: int) -> str:
    return nginx_site(
        purpose="this machine's stack (make serve), on loopback only.",
        command="up",
        sockets=[stack.worker_socket(n) for n in range(stack.workers)],
        listen=[f"127.0.0.1:{stack.port}"],
        server_name=" ".join(stack.hosts),
        cert=stack.cert,
        key=stack.key,
        access_log=stack.nginx_dir / "logs" / "access.log",
        body_limit=body_limit,
        static_root=stack.static_root,
        media_root=stack.media_root,
        redirect_http=False,
    )


def server_site(
    *, server_name: str, workers: int, root: Path, media_root: Path, body_limit: int
) -> str:
    """A real server's site (deploy/nginx/meetup-portal.conf): systemd's workers
    (deploy/systemd/), Let's Encrypt's certificate, port 80 redirecting to 443."""
    return nginx_site(
        purpose=f"{server_name}, {workers} workers (deploy/systemd/meetup-portal-web@.service).",
        command=f"site --server-name {server_name} --workers {workers} --root {root}",
        sockets=[Path(f"/run/meetup-portal/web-{n}.sock") for n in range(1, workers + 1)],
        listen=["443", "[::]:443"],
        server_name=server_name,
        cert=Path(f"/etc/letsencrypt/live/{server_name}/fullchain.pem"),
        key=Path(f"/etc/letsencrypt/live/{server_name}/privkey.pem"),
        access_log=Path("/var/log/nginx/meetup-portal.access.log"),
        body_limit=body_limit,
        static_root=root / "var" / "staticfiles",
        media_root=media_root,
        redirect_http=True,
    )


def stack_nginx_conf(stack: Stack, *, user: str | None) -> str:
    return render("nginx.conf", nginx_dir=stack.nginx_dir, user=f"user {user};\n" if user else "")


def redis_conf(stack: Stack) -> str:
    return render(
        "redis.conf",
        port=stack.redis_port,
        password=stack.secret("redis-password"),
        dir=stack.redis_dir,
    )


# -- supervisord ---------------------------------------------------------------------------


def env_file(env: dict[str, str]) -> str:
    """The portal's environment for deploy/launch.py: KEY=value lines, values literal."""
    for key, value in env.items():
        if "\n" in value or "\r" in value or "=" in key:
            raise SystemExit(f"{key}: a value for the stack cannot hold a line break")
    return "".join(f"{key}={value}\n" for key, value in sorted(env.items()))


def _command(args: list[str]) -> str:
    return " ".join(shlex.quote(str(a)) for a in args).replace("%", "%%")


def _program(
    name: str,
    args: list[str],
    *,
    stack: Stack,
    priority: int,
    autostart: bool,
    user: str | None = None,
    env: dict[str, str] | None = None,
    stopsignal: str = "TERM",
    stopwaitsecs: int = 10,
    startsecs: int = 1,
) -> str:
    lines = [
        f"[program:{name}]",
        f"command={_command(args)}",
        f"priority={priority}",
        f"autostart={'true' if autostart else 'false'}",
        "autorestart=true",
        f"startsecs={startsecs}",
        # A program that keeps dying is retried, with supervisord's growing back-off.
        "startretries=100",
        f"stopsignal={stopsignal}",
        f"stopwaitsecs={stopwaitsecs}",
        "stopasgroup=true",
        "killasgroup=true",
        "redirect_stderr=true",
        f"stdout_logfile={stack.logs_dir / name}.log",
        "stdout_logfile_maxbytes=20MB",
        "stdout_logfile_backups=3",
    ]
    if user:
        lines.append(f"user={user}")
    if env:
        # Only plain values here (ports, hashes); the portal's settings go through env_file.
        assert all(v.replace("-", "").isalnum() for v in env.values()), env
        lines.append("environment=" + ",".join(f'{k}="{v}"' for k, v in sorted(env.items())))
    return "\n".join(lines) + "\n"


def supervisord_conf(
    stack: Stack,
    *,
    pg_bin: Path,
    redis_server: str,
    nginx: str,
    users: dict[str, str | None],
    config_hashes: dict[str, str],
) -> str:
    """`config_hashes` (program -> hash of the files it reads) sits in each program's
    environment, so a changed file makes supervisord see a changed program on `up`. The web
    and task workers start through deploy/launch.py, which reads the portal's environment
    from `stack.env_file`."""
    django = stack.django_env()
    max_connections = stack.workers * int(django.get("DATABASE_POOL_MAX_SIZE", "20")) + 30
    launch = [PYTHON, ROOT / "deploy" / "launch.py", stack.env_file, "--"]
    portal_env = {"STACK_CONFIG": config_hashes["portal"]}
    programs = [
        _program(
            "postgres",
            [
                pg_bin / "postgres",
                "-D",
                stack.pg_data,
                "-p",
                stack.pg_port,
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=",
                "-c",
                f"max_connections={max_connections}",
            ],
            stack=stack,
            priority=10,
            autostart=True,
            user=users["postgres"],
            stopsignal="INT",  # "fast" shutdown: roll back open transactions, then stop
            stopwaitsecs=30,
        ),
        _program(
            "redis",
            [redis_server, stack.redis_dir / "redis.conf"],
            stack=stack,
            priority=10,
            autostart=True,
            user=users["redis"],
            env={"STACK_CONFIG": config_hashes["redis"]},
        ),
    ]
    for n in range(stack.workers):
        programs.append(
            _program(
                f"web-{n}",
                [
                    *launch,
                    VENV_BIN / "daphne",
                    "-u",
                    stack.worker_socket(n),
                    "--proxy-headers",
                    "--websocket-max-message-size",
                    WS_MAX_MESSAGE,
                    # Screens' heartbeats (50 s) keep their sockets alive; daphne pings only
                    # one silent for a minute (its default pinged each between heartbeats).
                    "--ping-interval",
                    "60",
                    "--ping-timeout",
                    "30",
                    "-v",
                    "0",
                    "portal.asgi:application",
                ],
                stack=stack,
                priority=20,
                autostart=False,
                env={**portal_env, "METRICS_PORT": str(stack.worker_metrics_port(n))},
                startsecs=2,
            )
        )
    programs.append(
        _program(
            "tasks",
            [*launch, PYTHON, ROOT / "manage.py", "task_worker", "--worker-id", "stack-tasks-0"],
            stack=stack,
            priority=20,
            autostart=False,
            env={**portal_env, "METRICS_PORT": str(stack.task_metrics_port)},
            # SIGTERM lets the email being sent finish; SIGKILL after this long.
            stopwaitsecs=60,
            startsecs=2,
        )
    )
    programs.append(
        _program(
            "nginx",
            [
                nginx,
                "-p",
                stack.nginx_dir,
                "-c",
                stack.nginx_dir / "nginx.conf",
                "-e",
                stack.nginx_dir / "logs" / "error.log",
                "-g",
                "daemon off;",
            ],
            stack=stack,
            priority=30,
            autostart=False,
            user=users["nginx"],
            env={"STACK_CONFIG": config_hashes["nginx"]},
            stopsignal="QUIT",  # graceful: finish the requests in flight
        )
    )
    workers = ",".join(f"web-{n}" for n in range(stack.workers))
    programs.append(f"[group:web]\nprograms={workers}\npriority=20\n")
    return render(
        "supervisord.conf",
        run_dir=stack.run_dir,
        logs_dir=stack.logs_dir,
        root=ROOT,
        programs="\n".join(programs),
    )

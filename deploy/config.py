"""What a stack is: its ports, its directories under `var/serve/`, its secrets, and the
environment its Django processes get.

Everything comes from `SERVE_*` variables with defaults that do not clash with `make run`
(8000) or with Debian's own PostgreSQL (5432) and Redis (6379), so the same code serves
`make serve` and the test suite's throw-away stacks (which pick free ports and a temp dir).
"""

import os
import pwd
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = VENV_BIN / "python"
# Above live's LIVE_MAX_FRAME_BYTES, so an oversized client frame reaches the consumer (4009).
WS_MAX_MESSAGE = 65536
# Environment variables handed through to the portal when set (email, time zone, logging).
PASSTHROUGH = (
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "DEFAULT_FROM_EMAIL",
    "TIME_ZONE",
    "LOG_LEVEL",
    "HTTP_THREADS",
    "DATABASE_POOL_MAX_SIZE",
    "ACCOUNT_EMAIL_VERIFICATION",
    "LIVE_PRESENCE_TICK_SECONDS",
)


def _int(environ: dict, name: str, default: int) -> int:
    value = environ.get(name, "")
    return int(value) if value.strip() else default


def is_root() -> bool:
    return os.geteuid() == 0


def system_user(name: str) -> str | None:
    """`name` when we are root and it exists (the service runs as it), else None (as us)."""
    if not is_root():
        return None
    try:
        pwd.getpwnam(name)
    except KeyError:
        return None
    return name


@dataclass(frozen=True)
class Stack:
    dir: Path
    port: int
    workers: int
    pg_port: int
    redis_port: int
    metrics_port: int
    hosts: tuple[str, ...]
    tls_cert: Path | None = None
    tls_key: Path | None = None
    demo: bool = False
    passthrough: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "Stack":
        env = dict(os.environ if environ is None else environ)
        hosts = tuple(h.strip() for h in env.get("SERVE_HOSTS", "127.0.0.1").split(",") if h)
        cert, key = env.get("SERVE_TLS_CERT", ""), env.get("SERVE_TLS_KEY", "")
        return cls(
            dir=Path(env.get("SERVE_DIR") or ROOT / "var" / "serve").resolve(),
            port=_int(env, "SERVE_PORT", 8080),
            workers=max(1, _int(env, "SERVE_WORKERS", os.cpu_count() or 1)),
            pg_port=_int(env, "SERVE_PG_PORT", 5433),
            redis_port=_int(env, "SERVE_REDIS_PORT", 6380),
            metrics_port=_int(env, "SERVE_METRICS_PORT", 9180),
            hosts=hosts or ("127.0.0.1",),
            tls_cert=Path(cert).resolve() if cert else None,
            tls_key=Path(key).resolve() if key else None,
            demo=env.get("SERVE_DEMO", "") in {"1", "true", "yes"},
            passthrough={k: env[k] for k in PASSTHROUGH if env.get(k)},
        )

    # -- where things live ---------------------------------------------------------------

    @property
    def secrets_dir(self) -> Path:
        return self.dir / "secrets"

    @property
    def run_dir(self) -> Path:
        """Worker sockets and supervisord's socket: only we and nginx may enter."""
        return self.dir / "run"

    @property
    def logs_dir(self) -> Path:
        return self.dir / "logs"

    @property
    def pg_dir(self) -> Path:
        return self.dir / "postgres"

    @property
    def pg_data(self) -> Path:
        return self.pg_dir / "data"

    @property
    def redis_dir(self) -> Path:
        return self.dir / "redis"

    @property
    def nginx_dir(self) -> Path:
        return self.dir / "nginx"

    @property
    def media_root(self) -> Path:
        return self.dir / "media"

    @property
    def backups_dir(self) -> Path:
        return self.dir / "backups"

    @property
    def static_root(self) -> Path:
        # STATIC_ROOT in portal/settings.py (not under PORTAL_VAR_DIR).
        return ROOT / "var" / "staticfiles"

    @property
    def env_file(self) -> Path:
        """The portal's environment (secrets included; mode 0600), for deploy/launch.py."""
        return self.dir / "portal.env"

    @property
    def supervisor_conf(self) -> Path:
        return self.dir / "supervisord.conf"

    @property
    def supervisor_sock(self) -> Path:
        return self.run_dir / "supervisor.sock"

    @property
    def supervisor_pid(self) -> Path:
        return self.run_dir / "supervisord.pid"

    @property
    def cert(self) -> Path:
        return self.tls_cert or self.dir / "tls" / "cert.pem"

    @property
    def key(self) -> Path:
        return self.tls_key or self.dir / "tls" / "key.pem"

    def worker_socket(self, n: int) -> Path:
        return self.run_dir / f"web-{n}.sock"

    def worker_metrics_port(self, n: int) -> int:
        return self.metrics_port + 1 + n

    @property
    def task_metrics_port(self) -> int:
        return self.metrics_port

    @property
    def site_url(self) -> str:
        port = "" if self.port == 443 else f":{self.port}"
        return f"https://{self.hosts[0]}{port}"

    # -- secrets ---------------------------------------------------------------------------

    def secret(self, name: str) -> str:
        """A generated secret kept in `secrets/` (created on first use, never printed)."""
        path = self.secrets_dir / name
        if not path.exists():
            self.secrets_dir.mkdir(parents=True, exist_ok=True)
            self.secrets_dir.chmod(0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48 if name == "django-secret-key" else 24))
        return path.read_text().strip()

    @property
    def database_url(self) -> str:
        password = self.secret("db-password")
        return f"postgres://portal:{password}@127.0.0.1:{self.pg_port}/portal"

    @property
    def redis_url(self) -> str:
        return f"redis://:{self.secret('redis-password')}@127.0.0.1:{self.redis_port}/0"

    def django_env(self) -> dict[str, str]:
        """The portal's environment: production settings behind this stack's TLS proxy."""
        return {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "PYTHONPATH": str(ROOT),
            "DEBUG": "0",
            "SECRET_KEY": self.secret("django-secret-key"),
            "ALLOWED_HOSTS": ",".join(self.hosts),
            "CSRF_TRUSTED_ORIGINS": ",".join(
                f"https://{h}{'' if self.port == 443 else f':{self.port}'}" for h in self.hosts
            ),
            "SITE_URL": self.site_url,
            "DATABASE_URL": self.database_url,
            "DATABASE_CONN_HEALTH_CHECKS": "1",
            "DATABASE_POOL_TIMEOUT": "2",
            "REDIS_URL": self.redis_url,
            "TASKS_BACKEND": "database",
            "BEHIND_TLS_PROXY": "1",
            "LOG_FORMAT": "json",
            "PORTAL_VAR_DIR": str(self.dir),
            "MEDIA_ROOT": str(self.media_root),
            **self.passthrough,
        }


def base_env() -> dict[str, str]:
    """What every process the stack starts inherits: nothing from the caller's shell (the
    Makefile exports DEBUG=1, a test run exports pytest's variables)."""
    return {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG": "C.UTF-8",
        "HOME": os.environ.get("HOME", "/root"),
    }


def which(name: str) -> str | None:
    return shutil.which(name, path=base_env()["PATH"])

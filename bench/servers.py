"""Start and stop real servers on loopback for the live benchmark and the multi-process tests.

Everything binds 127.0.0.1 on a free port; every process started here is stopped by its pid.
"""

import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
DAPHNE = str(ROOT / ".venv" / "bin" / "daphne")
# Above LIVE_MAX_FRAME_BYTES, so oversized client frames reach the consumer (close 4009).
WS_MAX_MESSAGE = 65536


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port: int, *, timeout: float = 60, proc: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server on {port} exited with {proc.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port}")


def server_env(db_path: Path, *, redis_url: str = "", debug: bool = False, **extra) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "SECRET_KEY": "live-bench-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "1" if debug else "0",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": redis_url,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(extra)
    return env


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 16384)), hard))


def start_daphne(
    app: str, *, port: int, env: dict, cpu: int | None = None, log: Path | None = None
) -> subprocess.Popen:
    cmd = [DAPHNE, "-b", "127.0.0.1", "-p", str(port), "-v", "0",
           "--websocket-max-message-size", str(WS_MAX_MESSAGE), app]  # fmt: skip
    if profile := os.environ.get("LIVE_BENCH_PROFILE"):
        # Where the server's time goes: cProfile writes `<dir>/<port>.prof` at a clean exit.
        cmd = [PYTHON, "-m", "cProfile", "-o", f"{profile}/{port}.prof", *cmd]
    if cpu is not None and shutil.which("taskset"):
        cmd = ["taskset", "-c", str(cpu), *cmd]
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=out, stderr=out, preexec_fn=_raise_fd_limit
    )
    try:
        wait_listening(port, proc=proc)
    except Exception:
        stop(proc)
        raise
    return proc


def stop(proc: subprocess.Popen | None, *, timeout: float = 10) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


def migrate(db_path: Path) -> None:
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT, env=server_env(db_path), check=True, timeout=300,
    )  # fmt: skip


def seed(db_path: Path, *, users: int = 3, questions: int = 0) -> dict:
    """A running event with `users` signed-in members (sessions + CSRF) and some questions."""
    out = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "live_seed.py"), "--users", str(users),
         "--questions", str(questions)],
        cwd=ROOT, env=server_env(db_path), check=True, timeout=300, capture_output=True,
    )  # fmt: skip
    return json.loads(out.stdout)


def start_redis(*, port: int, cpu: int | None = None) -> subprocess.Popen:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    cmd = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly",
           "no", "--protected-mode", "yes"]  # fmt: skip
    if cpu is not None and shutil.which("taskset"):
        cmd = ["taskset", "-c", str(cpu), *cmd]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_listening(port, proc=proc)
    return proc


if __name__ == "__main__":  # pragma: no cover - manual helper
    print(free_port(), file=sys.stdout)

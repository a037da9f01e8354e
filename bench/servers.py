"""Start and stop real servers on loopback for the live benchmark and the multi-process tests.

Everything binds 127.0.0.1; every process started here is stopped by its pid. A server started
without a port gets one no other process can take first: daphne is handed a socket this module
has already bound and put into listening (`--fd`), and redis-server listens on a unix socket in
a private directory. A port picked with `free_port()` and bound later by another process can
be taken in between; it is kept for callers that must pass a number to a program's config.
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
# One keep-alive, not two: live screens send their heartbeat every LIVE_HEARTBEAT_SECONDS (50)
# and daphne counts any frame as activity, so it pings only a socket silent for a minute (as
# in deploy/ and the Makefile; its default, 20 s, pinged every screen between heartbeats).
PING_FLAGS = ["--ping-interval", "60", "--ping-timeout", "30"]


# The ASGI server the benchmarks serve with: daphne (the portal's), or, to compare,
# BENCH_SERVER=uvicorn (uvloop, httptools, and BENCH_WS for its websocket protocol, by default
# websockets-sansio): docs/benchmarks.md, "daphne against uvicorn". Deployed and tested: daphne.
UVICORN = str(ROOT / ".venv" / "bin" / "uvicorn")


def server_command(app: str, *, fd: int | None = None, port: int = 0, ping: bool = True) -> list:
    """The command serving `app` on the inherited listening socket `fd`, else on `port`, with
    the deployment's websocket limits; `ping`: its keep-alive flags (PING_FLAGS), else the
    server's defaults."""
    if os.environ.get("BENCH_SERVER", "daphne") == "uvicorn":
        by_port = ["--host", "127.0.0.1", "--port", str(port)]
        listen = ["--fd", str(fd)] if fd is not None else by_port
        pings = ["--ws-ping-interval", "60", "--ws-ping-timeout", "30"] if ping else []
        return [UVICORN, *listen, "--log-level", "warning", "--no-access-log", "--loop", "uvloop",
                "--http", "httptools", "--ws", os.environ.get("BENCH_WS", "websockets-sansio"),
                "--ws-max-size", str(WS_MAX_MESSAGE), *pings, app]  # fmt: skip
    listen = ["--fd", str(fd)] if fd is not None else ["-b", "127.0.0.1", "-p", str(port)]
    daphne = [DAPHNE]
    if os.environ.get("BENCH_SERVER") == "daphne-uvloop":  # bench/daphne_uvloop.py
        daphne = [PYTHON, str(ROOT / "bench" / "daphne_uvloop.py")]
    return [*daphne, *listen, "-v", "0", "--websocket-max-message-size", str(WS_MAX_MESSAGE),
            *(PING_FLAGS if ping else ()), app]  # fmt: skip


def serve_bare_app_as_the_portal() -> None:
    """For a bare baseline app, at its import: the same server as the portal's, i.e. daphne
    with the portal's eager writes (portal/asgi.py, portal/twisted_writes.py);
    BENCH_BARE_SERVER=stock leaves daphne as released, to compare."""
    if os.environ.get("BENCH_BARE_SERVER") != "stock":
        from portal.twisted_writes import write_eagerly

        write_eagerly()


def free_port() -> int:
    """A port free right now; racy (see the module's docstring): prefer a started server's."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening_socket() -> socket.socket:
    """A TCP socket on 127.0.0.1, bound to a port the kernel chose and already listening, to
    hand to the server that will accept on it: the port is never free in between."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def wait_http(port: int, *, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Block until the server on `port` answers an HTTP request (any status: its application
    is loaded). The socket listens before the server runs, so the request simply waits in the
    backlog; if the server dies first, the kernel resets the connection."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            status_line = sock.makefile("rb").readline()
    except OSError as error:  # reset by a dying server, or the timeout
        status_line = repr(error).encode()
    if not status_line.startswith(b"HTTP/"):
        raise RuntimeError(f"server on {port} did not answer ({proc.poll()=}): {status_line!r}")


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
    app: str,
    *,
    env: dict,
    port: int | None = None,
    cpu: int | None = None,
    log: Path | None = None,
) -> subprocess.Popen:
    """daphne serving `app`; its port is `proc.port`. Without `port`, daphne accepts on a
    socket bound here first (race-free); with one, it binds that port itself."""
    sock = listening_socket() if port is None else None
    port = sock.getsockname()[1] if sock else port
    cmd = server_command(app, fd=sock.fileno() if sock else None, port=port)
    if profile := os.environ.get("LIVE_BENCH_PROFILE"):
        # Where the server's time goes: cProfile writes `<dir>/<port>.prof` at a clean exit.
        cmd = [PYTHON, "-m", "cProfile", "-o", f"{profile}/{port}.prof", *cmd]
    if cpu is not None and shutil.which("taskset"):
        cmd = ["taskset", "-c", str(cpu), *cmd]
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    try:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=out, preexec_fn=_raise_fd_limit,
            pass_fds=(sock.fileno(),) if sock else (),
        )  # fmt: skip
    finally:
        if sock:
            sock.close()  # daphne has its own copy; ours would keep the port open after it dies
    proc.port = port
    try:
        if sock:
            wait_http(port, proc=proc)
        else:
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


def start_redis(
    *, port: int | None = None, socket_dir: Path | None = None, cpu: int | None = None
) -> subprocess.Popen:
    """redis-server, on `port` or (race-free) on a unix socket in `socket_dir`, a directory
    only this user can enter; `proc.url` is its URL either way."""
    if (port is None) == (socket_dir is None):
        raise ValueError("give exactly one of port and socket_dir")
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if socket_dir is not None:
        socket_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = socket_dir / "redis.sock"
        listen = ["--port", "0", "--unixsocket", str(path), "--unixsocketperm", "700"]
    else:
        listen = ["--bind", "127.0.0.1", "--port", str(port)]
    cmd = [binary, *listen, "--save", "", "--appendonly", "no", "--protected-mode", "yes"]
    if cpu is not None and shutil.which("taskset"):
        cmd = ["taskset", "-c", str(cpu), *cmd]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if socket_dir is not None:
        proc.url = f"unix://{path}?db=0"
        wait_redis_socket(path, proc=proc)
    else:
        proc.url = f"redis://127.0.0.1:{port}/0"
        wait_listening(port, proc=proc)
    return proc


def wait_redis_socket(path: Path, *, proc: subprocess.Popen, timeout: float = 30) -> None:
    """Block until redis-server answers PING on its unix socket."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"redis-server exited with {proc.returncode}")
        try:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.settimeout(5)
                sock.connect(str(path))
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
        except (FileNotFoundError, ConnectionRefusedError):
            pass  # not listening yet
        time.sleep(0.02)
    raise TimeoutError(f"redis-server not answering on {path}")


if __name__ == "__main__":  # pragma: no cover - manual helper
    print(free_port(), file=sys.stdout)

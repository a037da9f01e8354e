"""A whole stack for the tests marked `stack` (deploy/stack.py, brought up once per session),
an SMTP sink it sends its email to, and the clients the tests talk to it with.

Everything is real: nginx with TLS on a free loopback port, two daphne workers on UNIX
sockets, PostgreSQL, Redis, the task worker, supervisord. The tests reach the stack the way a
browser does (HTTPS and WSS through nginx), the way an operator does (supervisord, the
metrics ports) and, to pick which worker serves a request, on a worker's own socket, as
nginx does.
"""

import asyncio
import email
import email.policy
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest
import websockets
from aiosmtpd.controller import Controller
from prometheus_client.parser import text_string_to_metric_families

from deploy.config import PYTHON, ROOT, Stack, base_env
from deploy.supervisor import Supervisor

RUN_STACK = os.environ.get("PORTAL_TEST_STACK") == "1"
stack_only = [
    pytest.mark.stack,
    pytest.mark.skipif(not RUN_STACK, reason="needs PORTAL_TEST_STACK=1 (make test's third run)"),
]
WORKERS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_ports(count: int) -> int:
    """The first of `count` consecutive free ports."""
    for _ in range(50):
        first = free_port()
        try:
            for port in range(first, first + count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
    raise RuntimeError("no run of free ports")


# -- the SMTP sink -------------------------------------------------------------------------


class SmtpSink:
    """Keeps every message it accepts. `hold_next()` makes it stall the next transaction right
    after MAIL FROM (before any message text), so a test can kill the sender mid-send."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.lock = threading.Lock()
        self._hold: threading.Event | None = None
        self._hold_from = 0
        self._release = threading.Event()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        hold = self._hold
        if hold is not None and not hold.is_set() and len(self.messages) >= self._hold_from:
            hold.set()
            while not self._release.is_set():
                await asyncio.sleep(0.02)
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(
                {"to": list(envelope.rcpt_tos), "subject": str(message["Subject"])}
            )
        return "250 Message accepted for delivery"

    def hold_next(self, *, after: int = 0) -> threading.Event:
        """Stall the first transaction that starts once `after` more messages arrived; the
        returned event is set when it does."""
        self._release.clear()
        with self.lock:
            self._hold_from = len(self.messages) + after
        self._hold = threading.Event()
        return self._hold

    def release(self) -> None:
        self._release.set()
        self._hold = None

    def received(self, *, to: str | None = None) -> list[dict]:
        with self.lock:
            return [m for m in self.messages if to is None or to in m["to"]]

    def wait_for(self, count: int, *, to: str | None = None, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(found := self.received(to=to)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(found)} of {count} messages arrived")
            time.sleep(0.05)
        return found


# -- the stack -----------------------------------------------------------------------------


@dataclass
class RunningStack:
    stack: Stack
    env: dict[str, str]
    data: dict
    sink: SmtpSink | None
    up_output: str = ""
    sup: Supervisor = field(init=False)

    def __post_init__(self) -> None:
        self.sup = Supervisor(self.stack.supervisor_sock)

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.stack.port}"

    @property
    def ssl(self):
        from deploy.stack import tls_context

        return tls_context(self.stack)

    def command(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [PYTHON, "-m", "deploy.stack", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env={**base_env(), **self.stack.django_env()},
            capture_output=True,
            text=True,
            timeout=120,
        )

    def sql(self, query: str, params=()) -> list[tuple]:
        with psycopg.connect(self.stack.database_url, connect_timeout=5) as conn:
            return conn.execute(query, params).fetchall()

    # HTTP and websockets, through nginx (as a browser) or on one worker's socket (as nginx).

    def member(self, n: int) -> dict:
        return self.data["members"][n]

    def _member_headers(self, member: dict | None) -> dict[str, str]:
        headers = {"Origin": self.base_url, "Referer": f"{self.base_url}/"}
        if member is not None:
            headers["Cookie"] = f"sessionid={member['session']}; csrftoken={member['csrf']}"
            headers["X-CSRFToken"] = member["csrf"]
        return headers

    def client(self, member: dict | None = None, **kwargs) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            verify=self.ssl,
            headers=self._member_headers(member),
            timeout=30,
            **kwargs,
        )

    def worker_client(self, n: int, member: dict | None = None) -> httpx.Client:
        """Straight to worker `n`'s socket, with the headers nginx would set."""
        return httpx.Client(
            base_url=f"http://127.0.0.1:{self.stack.port}",
            transport=httpx.HTTPTransport(uds=str(self.stack.worker_socket(n))),
            headers={
                **self._member_headers(member),
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": "127.0.0.1",
            },
            timeout=30,
        )

    def live_path(self, *, talk: bool = True) -> str:
        qa = self.data["talk_id"] if talk else "event"
        return f"/ws/events/{self.data['event_id']}/live/?qa={qa}"

    async def open_socket(self, member: dict | None = None):
        headers = {}
        if member is not None:
            headers["Cookie"] = f"sessionid={member['session']}"
        return await websockets.connect(
            f"wss://127.0.0.1:{self.stack.port}{self.live_path()}",
            origin=self.base_url,
            ssl=self.ssl,
            additional_headers=headers,
            open_timeout=10,
        )

    # Operators' views: supervisord and each process's metrics.

    def metrics(self, port: int) -> dict[str, float]:
        """`name{label="value",...}` -> value, from a process's metrics port."""
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        found = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
                found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
        return found

    def sockets_per_worker(self) -> list[int]:
        return [
            int(self.metrics(self.stack.worker_metrics_port(n))["portal_websockets_open"])
            for n in range(self.stack.workers)
        ]


def question_ids(frame: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-question="(\d+)"', frame)]


def vote_counts(frame: str) -> dict[int, int]:
    """Question id -> the vote count shown, from a public Q&A frame."""
    counts = {}
    for item in re.findall(r'<li [^>]*data-question="\d+".*?</li>', frame, re.S):
        pk = int(re.search(r'data-question="(\d+)"', item).group(1))
        counts[pk] = int(re.search(r'<span class="text-lg[^"]*"[^>]*>(\d+)</span>', item).group(1))
    return counts


def going_count(frame: str) -> int | None:
    found = re.search(r"Going</dt><dd[^>]*>(\d+)</dd>", frame)
    return int(found.group(1)) if found else None


def start_stack(sink_port: int) -> RunningStack:
    directory = Path(tempfile.mkdtemp(prefix="portal-stack-"))
    directory.chmod(0o755)  # PostgreSQL and Redis run as their own users and must get in
    metrics = free_ports(WORKERS + 1)
    env = {
        **os.environ,
        "SERVE_DIR": str(directory),
        "SERVE_PORT": str(free_port()),
        "SERVE_PG_PORT": str(free_port()),
        "SERVE_REDIS_PORT": str(free_port()),
        "SERVE_METRICS_PORT": str(metrics),
        "SERVE_WORKERS": str(WORKERS),
        "SERVE_HOSTS": "127.0.0.1",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink_port),
        "EMAIL_USE_TLS": "0",
        # Presence is reported every half second, so a healed socket counts again soon.
        "LIVE_PRESENCE_TICK_SECONDS": "0.5",
    }
    for name in (
        "DEBUG",
        "DJANGO_SETTINGS_MODULE",
        "PORTAL_TEST_DB",
        "SERVE_TLS_CERT",
        "SERVE_TLS_KEY",
        "SERVE_DEMO",
    ):
        env.pop(name, None)
    stack = Stack.from_env(env)
    result = subprocess.run(
        [PYTHON, "-m", "deploy.stack", "up"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    running = RunningStack(stack=stack, env=env, data={}, sink=None)
    if result.returncode != 0:
        stop_stack(running)
        raise RuntimeError(f"stack up failed:\n{result.stdout}\n{result.stderr}")
    running.up_output = result.stderr
    seed = subprocess.run(
        [PYTHON, str(ROOT / "tests" / "deploy" / "seed.py"), "--members", "40"],
        cwd=ROOT,
        env={**base_env(), **stack.django_env()},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if seed.returncode != 0:
        stop_stack(running)
        raise RuntimeError(f"seeding failed:\n{seed.stderr}")
    running.data = json.loads(seed.stdout)
    return running


def stop_stack(running: RunningStack) -> None:
    subprocess.run(
        [PYTHON, "-m", "deploy.stack", "down"],
        cwd=ROOT,
        env=running.env,
        capture_output=True,
        timeout=300,
    )
    shutil.rmtree(running.stack.dir, ignore_errors=True)


def start_sink() -> tuple[SmtpSink, Controller]:
    sink = SmtpSink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    return sink, controller

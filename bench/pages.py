"""Public pages under load: the portal's pages, the same views under gunicorn, and the ceiling.

    .venv/bin/python bench/pages.py [--duration 5] [--connections 16] [--rounds 3]

Builds a fresh SQLite database in a temporary directory (`manage.py migrate`, `load_demo`;
or `--db FILE` copies one first), collects the static files there (DEBUG is off, so pages
need the manifest), and signs the demo member in (a session row; the member is going to the
next demo event). Then three servers, each pinned to --server-cpu, all on the same data:

- portal:   daphne serving portal.asgi:application, as deployed (HTTP_THREADS=2);
- gunicorn: the same Django views through bench/pages_wsgi.py, gthread, 1 worker, 2 threads;
- bare:     bench/bare_page_app.py on the same daphne, answering each path with a body of the
            size of the portal's page (the ceiling).

Pages: the next demo event's page as an anonymous visitor, home, a talk, the archive of past
events, and the event's page signed in as the member (session and CSRF cookies). Each is first
fetched once with a plain request from both Django servers: 200, the expected text in the body
(the event's title; for the signed-in page the member's RSVP, which the anonymous page must not
show); the bare app must answer 200 with the same number of bytes. Then `wrk` (one thread,
--connections keep-alive connections, pinned to --client-cpu) loads each page on each server
for --duration seconds, the servers' order rotated each round. Reported per page and server:
requests per second over all rounds, p50 (median of the rounds') and p99 (highest of the
rounds'), the ratio to the bare app's rate for the same page, and the server's CPU time per
request (user + system from /proc, master and workers). Not a test.

Needs `wrk` (Debian/Ubuntu: `apt-get install -y wrk`) and gunicorn (a dev dependency: `uv sync`).
"""

import argparse
import datetime
import html
import http.client
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import servers  # noqa: E402

GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
# wrk's own summary is text; this prints the figures we need as one JSON line at the end.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p99_us": %d, '
    .. '"status_errors": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Page:
    name: str
    path: str
    expect: list[str]  # each must be in the body
    refuse: list[str] = field(default_factory=list)  # none may be
    cookie: str = ""
    size: int = 0  # the portal's body, bytes


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    port: int

    def pids(self) -> list[int]:
        """The process and its children (gunicorn's worker)."""
        pids = [self.proc.pid]
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        return pids


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes, from /proc."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def core_busy_seconds(cpu: int) -> float:
    """Time the core spent busy (anyone's work), from /proc/stat."""
    for line in Path("/proc/stat").read_text().splitlines():
        name, *ticks = line.split()
        if name == f"cpu{cpu}":
            user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, ticks[:8])
            return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    raise ValueError(f"no cpu{cpu} in /proc/stat")


def pinned(cmd: list[str], cpu: int) -> list[str]:
    return ["taskset", "-c", str(cpu), *cmd]


# Setup -------------------------------------------------------------------------------------


def build_database(env: dict, db: Path, copy_from: Path | None) -> None:
    if copy_from:
        shutil.copyfile(copy_from, db)
    for command in (["migrate", "--no-input"], ["load_demo"], ["collectstatic", "--no-input"]):
        subprocess.run(
            [servers.PYTHON, "manage.py", *command, "-v0"],
            cwd=ROOT, env=env, check=True, timeout=600, stdout=subprocess.DEVNULL,
        )  # fmt: skip


def demo_pages(env: dict) -> list[Page]:
    """The pages, from the demo data; signs the demo member in (a session row)."""
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connections
    from django.middleware.csrf import _get_new_csrf_string

    from meetups.demo import MEMBER_EMAIL, RECONNECT_TALKS, UPCOMING
    from meetups.models import Event, Group, Talk
    from rsvp.models import Rsvp

    event = Event.objects.get(slug=UPCOMING[0]["slug"])
    talk = Talk.objects.select_related("event").get(slug=RECONNECT_TALKS[0].slug)
    group = Group.objects.get(pk=event.group_id)
    member = get_user_model().objects.get(email=MEMBER_EMAIL)
    rsvp = Rsvp.objects.get(event=event, user=member)
    if rsvp.status != Rsvp.Status.GOING:
        raise SystemExit(f"the demo member's RSVP to {event.slug} is {rsvp.status}, not going")
    store = SessionStore()
    store[SESSION_KEY] = str(member.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = member.get_session_auth_hash()
    store.create()
    cookie = (
        f"{settings.SESSION_COOKIE_NAME}={store.session_key}; "
        f"{settings.CSRF_COOKIE_NAME}={_get_new_csrf_string()}"
    )
    connections.close_all()

    def text(value: str) -> str:
        return str(html.escape(value, quote=False))

    event_path = event.get_absolute_url()
    # The signed-in panel's marks of an RSVP (rsvp/templates/rsvp/panel.html).
    rsvp_marks = ["You're going", "Cancel my RSVP"]
    return [
        Page("event, anonymous", event_path, [text(event.title)], refuse=rsvp_marks),
        Page("home", "/", [text(group.name), text(event.title)], refuse=rsvp_marks),
        Page("talk", talk.get_absolute_url(), [text(talk.title)]),
        Page("archive", "/events/past/", [text(talk.event.title)]),
        Page("event, signed in", event_path, [text(event.title), *rsvp_marks], cookie=cookie),
    ]


def fetch(port: int, page: Page) -> tuple[int, bytes]:
    """One plain request, no redirect followed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", page.path, headers={"Cookie": page.cookie} if page.cookie else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# The join code's QR image names the server's own address (port included), so its drawing
# differs between the two servers by more than a nonce does.
QR_IMAGE = re.compile(rb'<svg role="img" aria-label="QR code.*?</svg>', re.S)


def check_django_page(server: Server, page: Page) -> tuple[int, int]:
    """The page's size, and its size without the QR image (to compare the servers' pages)."""
    status, body = fetch(server.port, page)
    text = body.decode()
    problems = [f"status {status}"] if status != 200 else []
    problems += [f"missing {s!r}" for s in page.expect if s not in text]
    problems += [f"shows {s!r}" for s in page.refuse if s in text]
    if problems:
        raise SystemExit(f"{server.name} {page.path} ({page.name}): {', '.join(problems)}")
    return len(body), len(QR_IMAGE.sub(b"", body))


def check_bare_page(server: Server, page: Page) -> None:
    status, body = fetch(server.port, page)
    if status != 200 or len(body) != page.size:
        raise SystemExit(f"bare {page.path}: status {status}, {len(body)} bytes, not {page.size}")


def start_gunicorn(env: dict, cpu: int, log: Path) -> Server:
    sock = servers.listening_socket()  # bound before gunicorn starts: the port is never free
    port = sock.getsockname()[1]
    cmd = [GUNICORN, "--bind", f"fd://{sock.fileno()}", "--worker-class", "gthread",
           "--workers", "1", "--threads", "2", "--log-level", "warning",
           "--error-logfile", str(log), "bench.pages_wsgi:application"]  # fmt: skip
    try:
        proc = subprocess.Popen(
            pinned(cmd, cpu), cwd=ROOT, env=env, pass_fds=(sock.fileno(),),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    finally:
        sock.close()
    try:
        servers.wait_http(port, proc=proc)
    except Exception:
        servers.stop(proc)
        raise
    return Server("gunicorn", proc, port)


def start_daphne(name: str, app: str, env: dict, cpu: int, log: Path) -> Server:
    proc = servers.start_daphne(app, env=env, cpu=cpu, log=log)
    return Server(name, proc, proc.port)


# Measurement -------------------------------------------------------------------------------


def wrk(
    server: Server,
    page: Page,
    *,
    seconds: int,
    connections: int,
    cpu: int,
    server_cpu: int,
    script: Path,
) -> dict:
    cmd = [shutil.which("wrk"), "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
           "-s", str(script)]  # fmt: skip
    if page.cookie:
        cmd += ["-H", f"Cookie: {page.cookie}"]
    cmd.append(f"http://127.0.0.1:{server.port}{page.path}")
    pids = server.pids()
    cpu_before, core_before = cpu_seconds(pids), core_busy_seconds(server_cpu)
    wall_before = time.monotonic()
    out = subprocess.run(
        pinned(cmd, cpu), capture_output=True, text=True, check=True, timeout=seconds + 120
    )
    figures = json.loads([line for line in out.stdout.splitlines() if line.startswith("{")][-1])
    figures["server_cpu"] = cpu_seconds(pids) - cpu_before
    # What else ran on the server's core meanwhile (other processes of a shared machine).
    others = core_busy_seconds(server_cpu) - core_before - figures["server_cpu"]
    figures["others_share"] = max(others, 0) / (time.monotonic() - wall_before)
    return figures


def summarise(runs: list[dict]) -> dict:
    requests = sum(r["requests"] for r in runs)
    seconds = sum(r["duration_us"] for r in runs) / 1e6
    return {
        "rate": requests / seconds,
        "rates": [r["requests"] / (r["duration_us"] / 1e6) for r in runs],
        "p50": statistics.median(r["p50_us"] for r in runs) / 1000,
        "p99": max(r["p99_us"] for r in runs) / 1000,
        "cpu_ms": sum(r["server_cpu"] for r in runs) / max(requests, 1) * 1000,
        "errors": sum(r["status_errors"] + r["socket_errors"] for r in runs),
        "others": statistics.mean(r["others_share"] for r in runs),
    }


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--client-cpu", type=int, default=1)
    parser.add_argument("--db", type=Path, help="copy this SQLite file instead of a fresh one")
    args = parser.parse_args()

    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu), then re-run.")
    if not Path(GUNICORN).exists():
        sys.exit("gunicorn is not installed: it is a dev dependency, `make setup` or `uv sync`.")
    if not shutil.which("taskset"):
        sys.exit("taskset is not installed (util-linux): servers and wrk must be pinned.")

    tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    db = tmp / "db.sqlite3"
    env = servers.server_env(
        db, STATIC_ROOT=str(tmp / "static"), PORTAL_VAR_DIR=str(tmp / "var"), HTTP_THREADS="2"
    )
    started = time.monotonic()
    load_at_start = load_average()
    build_database(env, db, args.db)
    pages = demo_pages(env)
    script = tmp / "report.lua"
    script.write_text(WRK_SCRIPT)

    running: list[Server] = []
    try:
        portal = start_daphne(
            "portal", "portal.asgi:application", env, args.server_cpu, tmp / "daphne.log"
        )
        running.append(portal)
        gunicorn = start_gunicorn(env, args.server_cpu, tmp / "gunicorn.log")
        running.append(gunicorn)
        sizes: dict[str, dict] = {"anonymous": {}, "signed_in": {}}
        for page in pages:
            page.size, compared = check_django_page(portal, page)
            _, wsgi_compared = check_django_page(gunicorn, page)
            if abs(wsgi_compared - compared) > 64:  # a nonce or token may differ; a page may not
                sys.exit(f"{page.path}: {compared} bytes from daphne, {wsgi_compared} from "
                         "gunicorn (without the QR image)")  # fmt: skip
            sizes["signed_in" if page.cookie else "anonymous"][page.path] = page.size
        bare_env = {**env, "BARE_PAGE_SIZES": json.dumps(sizes)}
        bare = start_daphne(
            "bare", "bench.bare_page_app:app", bare_env, args.server_cpu, tmp / "bare.log"
        )
        running.append(bare)
        for page in pages:
            check_bare_page(bare, page)

        measure = dict(
            connections=args.connections,
            cpu=args.client_cpu,
            server_cpu=args.server_cpu,
            script=script,
        )
        for server in running:  # warm-up, not counted: imports, template and URL caches
            for page in pages:
                wrk(server, page, seconds=1, **measure)

        runs: dict[tuple[str, str], list[dict]] = {}
        for n in range(args.rounds):
            order = running[n % len(running) :] + running[: n % len(running)]
            print(f"# round {n + 1}: {', '.join(s.name for s in order)} "
                  f"(load average {load_average()})", flush=True)  # fmt: skip
            for page in pages:
                for server in order:
                    figures = wrk(server, page, seconds=args.duration, **measure)
                    runs.setdefault((page.name, server.name), []).append(figures)
                    rate = figures["requests"] / (figures["duration_us"] / 1e6)
                    print(
                        f"#   {page.name:<18} {server.name:<9} {rate:8.0f} req/s, others used "
                        f"{figures['others_share']:.0%} of the server's CPU",
                        flush=True,
                    )
    finally:
        for server in running:
            servers.stop(server.proc)
    for server in running:
        log = tmp / f"{'daphne' if server.name == 'portal' else server.name}.log"
        if log.exists() and "Traceback" in log.read_text(errors="replace"):
            print(f"# {server.name}'s log has a traceback: {log}")

    print()
    print(
        f"Public pages under load: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}; servers pinned to CPU "
        f"{args.server_cpu}, wrk (1 thread, {args.connections} connections) to CPU "
        f"{args.client_cpu}; {args.rounds} rounds x {args.duration} s per page and server, "
        f"servers rotated each round; DEBUG off, demo data on SQLite. Load average (1, 5, 15 "
        f"min): {load_at_start} at the start, {load_average()} at the end "
        f"({time.monotonic() - started:.0f} s)."
    )
    print()
    print(
        "| page | server | req/s | req/s per round | p50 ms | p99 ms | vs ceiling "
        "| server CPU ms/req | others on server CPU | body bytes | errors |"
    )
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for page in pages:
        ceiling = summarise(runs[(page.name, "bare")])["rate"]
        for server in running:
            row = summarise(runs[(page.name, server.name)])
            per_round = " / ".join(f"{r:,.0f}" for r in row["rates"])
            print(
                f"| {page.name} | {server.name} | {row['rate']:,.0f} | {per_round} "
                f"| {row['p50']:.1f} | {row['p99']:.1f} | {row['rate'] / ceiling:.1%} "
                f"| {row['cpu_ms']:.2f} | {row['others']:.0%} | {page.size:,} | {row['errors']} |"
            )
    print()
    print(
        "p50: median of the rounds' p50; p99: highest of the rounds' p99. vs ceiling: req/s "
        "over the bare app's for the same page. Server CPU: user + system time of the server's "
        "processes during the measurement, per request. Others on server CPU: the share of that "
        "core spent meanwhile on anything but the server's processes (other processes of the "
        "machine, kernel network work not charged to a process). errors: non-2xx/3xx answers and "
        "socket errors (must be 0)."
    )
    shutil.rmtree(tmp, ignore_errors=True)
    if any(summarise(r)["errors"] for r in runs.values()):
        sys.exit("some requests failed (see the errors column)")


if __name__ == "__main__":
    main()

"""The rush for the last seats, measured: N clients RSVP at once to an event of capacity C.

Starts its own PostgreSQL (tests/pg_server.py), migrates a fresh database, creates N members
with personal API tokens, and serves the portal with daphne (W processes sharing one listening
socket, each running Django's sync views on HTTP_THREADS threads over a connection pool).
Then, in alternating rounds so background load hits both alike:

- portal: N concurrent HTTP clients `POST /api/events/<slug>/rsvp` (Bearer token), all
  released at once, against a new event of capacity C each round;
- raw SQL: N concurrent asyncio tasks running the statements the RSVP request ran before the
  seat rule moved into its INSERT (find the token and its user, find the event, then in one
  transaction lock the event row with its settings, look for an existing RSVP, sum the seats
  taken, insert; then queue the email's task row) through psycopg over a pool of P
  connections. Kept as it was so figures compare across changes (docs/benchmarks.md).

`bench/rsvp_profile.py` gives the statements and CPU of one RSVP request.

Prints RSVPs/s, p50/p99 latency, seats taken (must equal the capacity) and the CPU each
request cost the server processes, PostgreSQL and the load generator (robust where the rates
are not: on a machine shared with other work). Not a test.

    .venv/bin/python bench/rsvp_rush.py [--clients 500] [--capacity 100] [--rounds 3]
"""

import argparse
import asyncio
import functools
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psutil
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import servers  # noqa: E402
from bench.http_burst import Connection  # noqa: E402
from tests.pg_server import _as_server_user, _bin, running_postgres  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def guests_of(i: int) -> int:
    return 1 if i % 5 == 0 else 0


# Setup -------------------------------------------------------------------------------------


def server_env(db_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": db_url,
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DEBUG": "",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        # Production's queue: the confirmation email is a row for the worker, not SMTP inline.
        "TASKS_BACKEND": "database",
        "LOG_LEVEL": "WARNING",
        "PORTAL_VAR_DIR": str(ROOT / "var" / "bench"),
    }


def raise_max_connections(pg, n: int) -> None:
    """Restart the test server allowing `n` connections: room for the portal's pools, the
    raw SQL pool, and a portal run with its pool turned off (a connection per request)."""
    with psycopg.connect(pg.url(), autocommit=True) as conn:
        datadir = Path(conn.execute("SHOW data_directory").fetchone()[0])
    workdir = datadir.parent
    options = (
        f"-p {pg.port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
        f" -c max_connections={n}"
    )
    cmd = [_bin("pg_ctl"), "-D", str(datadir), "-o", options, "-w", "-l", str(workdir / "log")]
    subprocess.run(_as_server_user([*cmd, "restart"]), check=True, capture_output=True)


def setup_django(env: dict[str, str]):
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_members(n: int) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from portal.services import api_token_create

    User = get_user_model()
    password = make_password(None)
    users = User.objects.bulk_create(
        User(username=f"rusher{i}", email=f"rusher{i}@example.com", password=password)
        for i in range(n)
    )
    return [api_token_create(user=user, name="bench")[1] for user in users]


def make_event(capacity: int, n: int):
    from meetups.models import Event, Group
    from rsvp.models import RsvpSettings

    group, _ = Group.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    starts = datetime.now(UTC) + timedelta(days=7)
    event = Event.objects.create(
        group=group,
        title=f"Rush {n}",
        slug=f"rush-{n}-{secrets.token_hex(3)}",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=capacity,
        status=Event.Status.PUBLISHED,
    )
    RsvpSettings.objects.create(event=event, guests_allowed=1)
    return event


def seats_taken(event_id: int) -> tuple[int, int, int]:
    from rsvp.models import Rsvp

    rows = Rsvp.objects.filter(event_id=event_id)
    going = sum(1 + r.guests for r in rows if r.status == "going")
    return going, rows.count(), rows.filter(status="waitlisted").count()


LEAN_ASGI = """
# The portal with nobody listening to rsvp.signals.attendance_changed (live counts, dashboard):
# what the RSVP path itself costs.
from portal.asgi import application  # noqa: F401
from rsvp.signals import attendance_changed

attendance_changed.receivers = []
attendance_changed.sender_receivers_cache.clear()
"""


def start_servers(
    workers: int, env: dict[str, str], app: str = "portal.asgi:application"
) -> tuple[list[subprocess.Popen], int]:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    sock.set_inheritable(True)
    port = sock.getsockname()[1]
    procs = [
        subprocess.Popen(
            servers.server_command(app, fd=sock.fileno(), ping=False),
            cwd=ROOT,
            env=env,
            pass_fds=[sock.fileno()],
        )
        for _ in range(workers)
    ]
    sock.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/events", timeout=2).status_code == 200:
                return procs, port
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_servers(procs)
    raise RuntimeError("daphne did not come up")


def stop_servers(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


# CPU accounting -------------------------------------------------------------------------------


@functools.cache
def _postmaster_pid_file(url: str) -> Path:
    with psycopg.connect(url, autocommit=True) as conn:
        return Path(conn.execute("SHOW data_directory").fetchone()[0]) / "postmaster.pid"


def postgres_pids(pg) -> list[int]:
    postmaster = int(_postmaster_pid_file(pg.url()).read_text().split()[0])
    return [postmaster, *(child.pid for child in psutil.Process(postmaster).children())]


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    seconds = {}
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.NoSuchProcess:
            continue
        seconds[pid] = times.user + times.system
    return seconds


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU the processes alive at the end used since `before` (a process started meanwhile
    counts whole; one that ended meanwhile is lost, which the pools make rare)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


# The two contenders -------------------------------------------------------------------------


async def portal_round(
    port: int, slug: str, tokens: list[str], *, floor: bool = False, meter=None
) -> tuple[float, list[float], list]:
    """One burst of RSVPs; with `floor`, the same burst of GETs of the attendance counts (two
    queries: the HTTP floor). `meter` (start, stop) brackets the burst alone."""
    # Open the connections first (and warm each with a GET), so the burst measures RSVPs,
    # not TCP handshakes.
    conns = await asyncio.gather(*(Connection.open("127.0.0.1", port) for _ in range(len(tokens))))
    attendance = f"/api/events/{slug}/attendance"
    await asyncio.gather(*(c.send(c.build("GET", attendance, {})) for c in conns))
    requests = [
        conn.build("GET", attendance, {})
        if floor
        else conn.build(
            "POST",
            f"/api/events/{slug}/rsvp",
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            json.dumps({"guests": guests_of(i)}).encode(),
        )
        for i, (conn, token) in enumerate(zip(conns, tokens, strict=True))
    ]
    go = asyncio.Event()

    async def one(conn: Connection, request: bytes):
        await go.wait()
        return await conn.send(request)

    tasks = [asyncio.create_task(one(c, r)) for c, r in zip(conns, requests, strict=True)]
    await asyncio.sleep(0.2)
    if meter:
        meter[0]()
    started = time.perf_counter()
    go.set()
    replies = await asyncio.gather(*tasks)
    wall = time.perf_counter() - started
    if meter:
        meter[1]()
    await asyncio.gather(*(c.close() for c in conns))
    return wall, [r.seconds for r in replies], [r.status for r in replies]


# Every statement `POST /api/events/<slug>/rsvp` ran until 2026-11-30, in the same order and
# transactions: the token lookup, the event by slug, the locked transaction of
# rsvp.services.rsvp_create, and after its commit the confirmation email's task row. The
# token's last-used UPDATE is left out: the portal writes it at most once a minute per token,
# so not during a round. The portal now holds the lock for one INSERT ... SELECT and the
# commit instead of three statements, reads the person's own RSVP before the transaction, and
# asks `rsvp.rules.can_rsvp` its membership and policy reads (`bench/rsvp_profile.py` lists
# them); the baseline stays as it was so the ratio compares across changes.
RAW_AUTH = (
    "SELECT t.*, u.* FROM portal_apitoken t JOIN auth_user u ON t.user_id = u.id"
    " WHERE t.token_hash = %(hash)s AND u.is_active ORDER BY t.created_at DESC LIMIT 1"
)
RAW_EVENT = (
    "SELECT e.*, g.* FROM meetups_event e JOIN meetups_group g ON e.group_id = g.id"
    " WHERE e.slug = %(slug)s ORDER BY e.starts_at DESC LIMIT 1"
)
RAW_LOCKED = [
    ("SELECT e.capacity, e.*, s.* FROM meetups_event e"
     " LEFT JOIN rsvp_rsvpsettings s ON s.event_id = e.id"
     " WHERE e.id = %(event)s LIMIT 21 FOR UPDATE OF e"),
    ("SELECT * FROM rsvp_rsvp WHERE event_id = %(event)s AND user_id = %(user)s"
     " ORDER BY id LIMIT 1"),
    ("SELECT COALESCE(SUM(guests + 1), 0) FROM rsvp_rsvp"
     " WHERE event_id = %(event)s AND status = 'going'"),
]  # fmt: skip
RAW_INSERT = (
    "INSERT INTO rsvp_rsvp (event_id, user_id, status, guests, queued_at, promoted_at,"
    " cancelled_at, checked_in_at, checked_in_by_id, ticket_token, created_at, updated_at,"
    " guests_checked_in, is_walk_in, walk_in_email, listed)"
    " VALUES (%(event)s, %(user)s, %(status)s, %(guests)s, now(), NULL, NULL, NULL, NULL,"
    " %(token)s, now(), now(), 0, false, '', true) RETURNING id"
)
RAW_TASK = (
    "INSERT INTO django_tasks_database_dbtaskresult (id, status, enqueued_at, started_at,"
    " finished_at, args_kwargs, priority, task_path, worker_ids, queue_name, backend_name,"
    " run_after, return_value, exception_class_path, traceback) VALUES (%(id)s, 'READY', now(),"
    " NULL, NULL, %(args)s, 0, 'rsvp.tasks.send_rsvp_confirmation', '[]', 'default',"
    " 'default', '9999-01-01 00:00:00+00', NULL, '', '')"
)


async def raw_round(
    dsn: str,
    event_id: int,
    slug: str,
    members: list[tuple[int, str]],
    pool_size: int,
    meter=None,
) -> tuple[float, list[float], list]:
    """`members`: (user id, token hash) pairs; `meter` (start, stop) brackets the burst, its
    stop before the pool closes (the backends' CPU is lost once they exit)."""
    pool: asyncio.Queue = asyncio.Queue()
    conns = [await psycopg.AsyncConnection.connect(dsn, autocommit=True) for _ in range(pool_size)]
    for conn in conns:
        pool.put_nowait(conn)
    go = asyncio.Event()

    async def one(i: int, user_id: int, token_hash: str):
        await go.wait()
        start = time.perf_counter()
        conn = await pool.get()
        try:
            params = {"event": event_id, "user": user_id, "hash": token_hash, "slug": slug}
            await (await conn.execute(RAW_AUTH, params)).fetchone()
            await (await conn.execute(RAW_EVENT, params)).fetchone()
            rsvp_id = None
            async with conn.transaction():
                event = await (await conn.execute(RAW_LOCKED[0], params)).fetchone()
                existing = await (await conn.execute(RAW_LOCKED[1], params)).fetchone()
                taken = (await (await conn.execute(RAW_LOCKED[2], params)).fetchone())[0]
                if existing is None:
                    guests = guests_of(i)
                    status = "going" if 1 + guests <= event[0] - taken else "waitlisted"
                    insert = {
                        **params,
                        "status": status,
                        "guests": guests,
                        "token": secrets.token_urlsafe(24),
                    }
                    rsvp_id = (await (await conn.execute(RAW_INSERT, insert)).fetchone())[0]
            if rsvp_id is not None:
                args = json.dumps({"args": [], "kwargs": {"rsvp_id": rsvp_id}})
                await conn.execute(RAW_TASK, {"id": uuid.uuid4(), "args": args})
        finally:
            pool.put_nowait(conn)
        return time.perf_counter() - start, 200

    tasks = [asyncio.create_task(one(i, *member)) for i, member in enumerate(members)]
    await asyncio.sleep(0.2)
    if meter:
        meter[0]()
    started = time.perf_counter()
    go.set()
    results = await asyncio.gather(*tasks)
    wall = time.perf_counter() - started
    if meter:
        meter[1]()
    for conn in conns:
        await conn.close()
    return wall, [r[0] for r in results], [r[1] for r in results]


# Main ---------------------------------------------------------------------------------------


def summarise(name: str, runs: list[dict]) -> dict:
    latencies = [lat for run in runs for lat in run["latencies"]]
    total = sum(len(run["latencies"]) for run in runs)
    wall = sum(run["wall"] for run in runs)
    return {
        "name": name,
        "rate": total / wall,
        "p50": percentile(latencies, 50) * 1000,
        "p99": percentile(latencies, 99) * 1000,
        "seats": [run["seats"] for run in runs],
        "errors": sum(run["errors"] for run in runs),
        # CPU milliseconds per request, by whom.
        **{
            who: sum(run["cpu"][who] for run in runs) / total * 1000
            for who in ("server", "postgres", "client")
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="daphne processes")
    parser.add_argument("--raw-pool", type=int, default=50, help="raw SQL connections")
    args = parser.parse_args()

    with running_postgres() as pg:
        raise_max_connections(pg, args.clients * 2 + args.raw_pool + 50)
        with psycopg.connect(pg.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE rush")
        db_url = pg.url("rush")
        env = server_env(db_url)
        setup_django(env)
        from django.contrib.auth import get_user_model

        tokens = make_members(args.clients)
        from portal.models import hash_token

        user_ids = (
            get_user_model()
            .objects.filter(username__startswith="rusher")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        members = list(zip(user_ids, map(hash_token, tokens), strict=True))
        lean_dir = Path(tempfile.mkdtemp(prefix="rush-"))
        (lean_dir / "rush_lean_asgi.py").write_text(LEAN_ASGI)
        lean_env = {**env, "PYTHONPATH": f"{lean_dir}:{ROOT}"}
        procs, port = start_servers(args.workers, env)
        lean_procs, lean_port = start_servers(
            args.workers, lean_env, app="rush_lean_asgi:application"
        )
        servers = {"portal": port, "portal, no receivers": lean_port}
        server_pids = {
            port: [proc.pid for proc in procs],
            lean_port: [proc.pid for proc in lean_procs],
        }
        runs: dict[str, list] = {name: [] for name in [*servers, "HTTP floor (2-query GET)"]}
        raw_runs = []

        def measured(round_, server: list[int]):
            """Run `round_(meter)` and return its result with the CPU seconds its burst cost
            the server processes, PostgreSQL and this process (the load generator)."""
            marks: dict[str, dict] = {}

            def mark(when: str) -> None:
                marks[when] = {
                    "server": cpu_seconds(server),
                    "postgres": cpu_seconds(postgres_pids(pg)),
                    "client": {0: time.process_time()},
                }

            result = round_((lambda: mark("start"), lambda: mark("stop")))
            cpu = {
                who: cpu_used(marks["start"][who], marks["stop"][who])
                for who in ("server", "postgres", "client")
            }
            return result, cpu

        try:
            # Warm-up (not counted): imports, connections, template and URL caches.
            for server_port in servers.values():
                warm = make_event(args.capacity, 0)
                asyncio.run(portal_round(server_port, warm.slug, tokens[:50]))

            def portal_rsvps(n: int, name: str) -> None:
                event = make_event(args.capacity, n)
                (wall, lats, codes), cpu = measured(
                    lambda meter: asyncio.run(
                        portal_round(servers[name], event.slug, tokens, meter=meter)
                    ),
                    server_pids[servers[name]],
                )
                going, total, _ = seats_taken(event.pk)
                bad = sum(c not in (200, 201) for c in codes) + (total != len(tokens))
                runs[name].append(
                    {"wall": wall, "latencies": lats, "seats": going, "errors": bad, "cpu": cpu}
                )

            def http_floor(n: int) -> None:
                event = make_event(args.capacity, 200 + n)
                (wall, lats, codes), cpu = measured(
                    lambda meter: asyncio.run(
                        portal_round(port, event.slug, tokens, floor=True, meter=meter)
                    ),
                    server_pids[port],
                )
                runs["HTTP floor (2-query GET)"].append(
                    {"wall": wall, "latencies": lats, "seats": "-",
                     "errors": sum(c != 200 for c in codes), "cpu": cpu}
                )  # fmt: skip

            def raw_sql(n: int) -> None:
                event = make_event(args.capacity, 100 + n)
                (wall, lats, _), cpu = measured(
                    lambda meter: asyncio.run(
                        raw_round(db_url, event.pk, event.slug, members, args.raw_pool, meter)
                    ),
                    [],
                )
                going, total, _ = seats_taken(event.pk)
                raw_runs.append(
                    {"wall": wall, "latencies": lats, "seats": going,
                     "errors": total != len(members), "cpu": cpu}
                )  # fmt: skip

            contenders = [
                *(lambda n, name=name: portal_rsvps(n, name) for name in servers),
                http_floor,
                raw_sql,
            ]
            for n in range(1, args.rounds + 1):
                # Each round starts with the next contender, so none always follows the same
                # one (PostgreSQL's background work after a round lands on whoever is next).
                shift = (n - 1) % len(contenders)
                for contender in contenders[shift:] + contenders[:shift]:
                    contender(n)
        finally:
            stop_servers(procs + lean_procs)

    rows = [summarise(name, name_runs) for name, name_runs in runs.items()]
    raw = summarise("raw SQL", raw_runs)
    print(
        f"\nRSVP rush: {args.clients} clients at once, capacity {args.capacity}, "
        f"{args.rounds} rounds each, {args.workers} daphne processes, "
        f"raw pool {args.raw_pool}, {os.cpu_count()} CPUs\n"
    )
    print(
        f"{'':26} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs raw':>7}  "
        f"{'seats taken':<14} errors   CPU ms/request: server   postgres   client"
    )
    for row in [*rows, raw]:
        print(
            f"{row['name']:26} {row['rate']:8.0f} {row['p50']:8.1f} {row['p99']:8.1f} "
            f"{row['rate'] / raw['rate']:7.0%}  {','.join(map(str, row['seats'])):<14} "
            f"{row['errors']:<6} {row['server']:23.2f} {row['postgres']:10.2f} "
            f"{row['client']:8.2f}"
        )
    ok = all(s == args.capacity for row in [*rows, raw] for s in row["seats"] if s != "-")
    print(f"seats taken == capacity in every round: {ok}")


if __name__ == "__main__":
    main()

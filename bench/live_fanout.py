"""Live fan-out benchmark: N websocket clients, broadcasts through the real write path.

    .venv/bin/python bench/live_fanout.py                    # the full run (minutes)
    .venv/bin/python bench/live_fanout.py --clients 50 --seconds 3 --skip-redis   # smoke

For each N in --clients, in the same run and on the same server (daphne, one process pinned to
--server-cpu; this load generator pinned to --client-cpu):

- bare:  bench/bare_broadcast_app.py, broadcasts by POST, frames the size of the portal's;
- live:  the portal (portal.asgi), every broadcast caused by a real vote toggle posted over
  HTTP (session + CSRF, rate limits on) to /events/<slug>/live/questions/<id>/vote/.

POSTs are fired open-loop on schedule. Latency of a delivery = when a client received the
frame minus the broadcast's stamp in the frame (`data-broadcast`, taken right after the
transaction committed, before rendering; the bare app stamps before its fan-out); same host,
same wall clock. Per run: p50/p95/p99 over all deliveries, the last client's latency per
broadcast (p50/p95/max), missing deliveries (successful POSTs x clients - deliveries),
deliveries per second, how long the POSTs took to answer, and how many clients did not end
on the final state (a hub that falls behind writes only the newest state of a key, which the
"missing" count includes).

Then with a real redis-server (REDIS_URL), for each of --redis-rates: one worker, then two
workers (clients split between them, POSTs alternating between them), to compare latency and
deliveries per second. Two workers on a 2-core machine leave no core for this load
generator, so in these rounds it is not pinned (unless --redis-pin-clients) and takes its
share (about a third of a core) wherever the scheduler finds it; each round reports the CPU
every process used.

Everything binds 127.0.0.1; every process started is stopped by its pid at the end.
"""

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from websockets.asyncio.client import connect

from bench import servers
from bench.ws_client import LeanWebSocket

STAMP = re.compile(r'data-broadcast="(\d+)"')


@dataclass
class Client:
    received: dict[int, int] = field(default_factory=dict)  # stamp -> receive time (ns)
    ws: LeanWebSocket | None = None


@dataclass
class RoundResult:
    name: str
    clients: int
    broadcasts: int
    rate_target: float
    rate_achieved: float
    frame_bytes: int
    p50: float
    p95: float
    p99: float
    last_p50: float
    last_p95: float
    last_max: float
    missing: int
    deliveries_per_s: float
    post_p50: float
    stale_at_end: int
    server_cores: float  # CPU seconds of the server processes per second of the round
    per_server_cores: list[float]
    client_cores: float  # the same for this load generator

    @property
    def deliveries_per_server_cpu_s(self) -> float:
        return self.deliveries_per_s / self.server_cores if self.server_cores else float("nan")

    def line(self) -> str:
        return (
            f"{self.name:<26} clients={self.clients:<5} broadcasts={self.broadcasts:<4} "
            f"rate={self.rate_achieved:5.2f}/s frame={self.frame_bytes}B "
            f"p50={self.p50:7.1f} p95={self.p95:7.1f} p99={self.p99:7.1f} ms | "
            f"last p50={self.last_p50:7.1f} p95={self.last_p95:7.1f} max={self.last_max:7.1f} ms"
            f" | missing={self.missing} deliveries/s={self.deliveries_per_s:,.0f}"
            f" stale_at_end={self.stale_at_end}"
            f" | POST answered p50={self.post_p50:.1f} ms"
            f" | CPU cores used: servers {self.server_cores:.2f}"
            f" ({' + '.join(f'{c:.2f}' for c in self.per_server_cores)}),"
            f" clients {self.client_cores:.2f}"
            f" | deliveries per server CPU-second {self.deliveries_per_server_cpu_s:,.0f}"
        )


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes (from /proc), or of this one with no pids."""
    if not pids:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


async def connect_clients(urls: list[str], n: int, origin_for) -> list[Client]:
    clients = [Client() for _ in range(n)]

    async def open_one(i: int) -> None:
        url = urls[i % len(urls)]
        host_port, _, path = url.removeprefix("ws://").partition("/")
        host, _, port = host_port.partition(":")
        received = clients[i].received
        clients[i].ws = await LeanWebSocket.connect(
            host, int(port), "/" + path, origin_for(url),
            on_stamp=lambda stamp, at: received.setdefault(stamp, at),
        )  # fmt: skip

    batch = 50
    for start in range(0, n, batch):
        await asyncio.gather(*(open_one(i) for i in range(start, min(n, start + batch))))
    return clients


async def close_clients(clients: list[Client]) -> None:
    for start in range(0, len(clients), 200):
        await asyncio.gather(*(c.ws.close() for c in clients[start : start + 200]))


async def run_round(
    name, *, n, ws_urls, post, rate, seconds, frame_bytes, server_pids
) -> RoundResult:
    def origin_for(url: str) -> str:
        return "http://" + url.split("/")[2]

    clients = await connect_clients(ws_urls, n, origin_for)
    await asyncio.sleep(2.5)  # let connect-time state and presence updates settle
    # Open loop: each POST is fired on schedule, whether or not the previous one answered.
    post_times: list[float] = []
    failures: list[str] = []

    async def one(k: int) -> None:
        sent = time.monotonic()
        try:
            await post(k)
        except Exception as error:
            failures.append(str(error)[:200])
            return
        post_times.append((time.monotonic() - sent) * 1000)

    total = int(rate * seconds)
    cpu_before = [cpu_seconds([pid]) for pid in server_pids], cpu_seconds([])
    begin_ns = time.time_ns()
    start = time.monotonic()
    tasks = []
    for k in range(total):
        delay = start + k / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(k)))
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - start
    await asyncio.sleep(3)  # stragglers
    measured = time.monotonic() - start
    per_server_cores = [
        (cpu_seconds([pid]) - before) / measured
        for pid, before in zip(server_pids, cpu_before[0], strict=True)
    ]
    client_cores = (cpu_seconds([]) - cpu_before[1]) / measured
    await close_clients(clients)
    if failures:
        print(f"# {len(failures)} POSTs failed, e.g. {failures[0]}", flush=True)

    # A frame's stamp is when its broadcast was committed and rendered (portal) or started
    # (bare app): the latency below is commit-to-screen, the same clock on the same host.
    latencies: list[float] = []
    per_broadcast: dict[int, list[float]] = {}
    last_recv = begin_ns
    for c in clients:
        for stamp, t in c.received.items():
            if stamp < begin_ns:
                continue  # a snapshot from before this round
            ms = (t - stamp) / 1e6
            latencies.append(ms)
            per_broadcast.setdefault(stamp, []).append(ms)
            last_recv = max(last_recv, t)
    lasts = [max(v) for v in per_broadcast.values()]
    # Frames are whole state: a client that got the final broadcast shows the right screen even
    # if the hub skipped an intermediate state for it while behind.
    final = max(per_broadcast, default=None)
    stale = sum(1 for c in clients if final is not None and final not in c.received)
    delivered = len(latencies)
    # Every successful POST makes one broadcast that every client should get (a POST that
    # timed out may still have broadcast: count whichever is larger).
    expected = max(len(post_times), len(per_broadcast)) * n
    span = max((last_recv - begin_ns) / 1e9, 1e-9)
    return RoundResult(
        name=name,
        clients=n,
        broadcasts=len(per_broadcast),
        rate_target=rate,
        rate_achieved=len(post_times) / elapsed if elapsed else 0,
        frame_bytes=frame_bytes,
        p50=pct(latencies, 50),
        p95=pct(latencies, 95),
        p99=pct(latencies, 99),
        last_p50=pct(lasts, 50),
        last_p95=pct(lasts, 95),
        last_max=max(lasts) if lasts else float("nan"),
        missing=expected - delivered,
        deliveries_per_s=delivered / span,
        post_p50=pct(post_times, 50),
        stale_at_end=stale,
        server_cores=sum(per_server_cores),
        per_server_cores=per_server_cores,
        client_cores=client_cores,
    )


class LivePoster:
    """Vote toggles by the seeded members, spread so nobody nears 60 votes a minute."""

    def __init__(self, data: dict, ports: list[int]):
        self.data = data
        self.http = [
            [
                httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{port}",
                    cookies={"sessionid": u["session"], "csrftoken": u["csrf"]},
                    headers={"X-CSRFToken": u["csrf"], "HX-Request": "true"},
                    timeout=30,
                )
                for u in data["users"]
            ]
            for port in ports
        ]
        self.k = 0

    async def __call__(self, k: int) -> None:
        self.k += 1
        users = self.data["users"]
        questions = self.data["questions"]
        user = self.k % len(users)
        question = questions[(self.k // len(users)) % len(questions)]
        client = self.http[self.k % len(self.http)][user]
        url = f"/events/{self.data['slug']}/live/questions/{question}/vote/"
        response = await client.post(url)
        if response.status_code != 200:
            raise RuntimeError(f"vote answered {response.status_code}: {response.text[:200]}")

    async def close(self) -> None:
        for row in self.http:
            for client in row:
                await client.aclose()


async def measure_frame_bytes(data: dict, port: int) -> int:
    url = f"ws://127.0.0.1:{port}/ws/events/{data['event_id']}/live/?qa={data['talk_id']}"
    async with connect(url, origin=f"http://127.0.0.1:{port}", compression=None) as ws:
        poster = LivePoster(data, [port])
        await ws.recv()
        await poster(0)
        try:
            while True:
                frame = await asyncio.wait_for(ws.recv(), 10)
                if STAMP.search(frame) and 'id="qa-open"' in frame:
                    return len(frame.encode())
        finally:
            await poster.close()


async def bench(args) -> list[RoundResult]:
    results: list[RoundResult] = []
    work = Path(tempfile.mkdtemp(prefix="live-fanout-"))
    template = work / "template.sqlite3"
    print(f"# migrating a fresh database in {work}", flush=True)
    servers.migrate(template)
    seed_db = work / "db.sqlite3"
    template.rename(seed_db)
    data = servers.seed(seed_db, users=args.users, questions=args.questions)
    ws_path = f"/ws/events/{data['event_id']}/live/?qa={data['talk_id']}&sort=top"
    env = servers.server_env(seed_db)
    procs = []

    def start(app, port, cpu, env=env):
        proc = servers.start_daphne(app, port=port, env=env, cpu=cpu, log=work / f"{port}.log")
        procs.append(proc)
        return proc

    try:
        port = servers.free_port()
        proc = start("portal.asgi:application", port, args.server_cpu)
        frame_bytes = await measure_frame_bytes(data, port)
        servers.stop(proc)
        print(f"# the portal's Q&A frame for {args.questions} questions: {frame_bytes} bytes")

        for n in args.clients:
            # Baseline first, then the portal, on the same server and core.
            port = servers.free_port()
            proc = start("bench.bare_broadcast_app:app", port, args.server_cpu)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                # Same payload size as the portal's frame.
                body = str(frame_bytes - 60).encode()

                async def bare_post(k, http=http, body=body):
                    (await http.post("/broadcast", content=body)).raise_for_status()

                result = await run_round(
                    "bare ASGI (daphne)", n=n, ws_urls=[f"ws://127.0.0.1:{port}/ws"],
                    post=bare_post, rate=args.rate, seconds=args.seconds, frame_bytes=frame_bytes,
                    server_pids=[proc.pid],
                )  # fmt: skip
            servers.stop(proc)
            print(result.line(), flush=True)
            results.append(result)

            port = servers.free_port()
            proc = start("portal.asgi:application", port, args.server_cpu)
            poster = LivePoster(data, [port])
            result = await run_round(
                "portal hub, 1 worker", n=n, ws_urls=[f"ws://127.0.0.1:{port}{ws_path}"],
                post=poster, rate=args.rate, seconds=args.seconds, frame_bytes=frame_bytes,
                server_pids=[proc.pid],
            )  # fmt: skip
            await poster.close()
            servers.stop(proc)
            print(result.line(), flush=True)
            results.append(result)

        if not args.skip_redis:
            redis_port = servers.free_port()
            redis = servers.start_redis(port=redis_port)
            procs.append(redis)
            renv = servers.server_env(seed_db, redis_url=f"redis://127.0.0.1:{redis_port}/0")
            n = args.redis_clients
            if not args.redis_pin_clients and hasattr(os, "sched_setaffinity"):
                # Two workers take both cores; pinned to the second worker's core, the clients
                # (a third of a core) would slow that worker alone while the first idles. So
                # in these rounds, for one worker and two alike, they run wherever there is room.
                os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
            for rate in args.redis_rates:
                for workers in (1, 2):
                    ports = [servers.free_port() for _ in range(workers)]
                    wprocs = [
                        start("portal.asgi:application", p, cpu, env=renv)
                        for p, cpu in zip(ports, [args.server_cpu, args.client_cpu], strict=False)
                    ]
                    poster = LivePoster(data, ports)
                    result = await run_round(
                        f"portal hub + redis, {workers}w", n=n,
                        ws_urls=[f"ws://127.0.0.1:{p}{ws_path}" for p in ports], post=poster,
                        rate=rate, seconds=args.seconds, frame_bytes=frame_bytes,
                        server_pids=[p.pid for p in wprocs],
                    )  # fmt: skip
                    await poster.close()
                    for p in wprocs:
                        servers.stop(p)
                    print(result.line(), flush=True)
                    results.append(result)
    finally:
        for proc in procs:
            servers.stop(proc)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="1000,2000")
    parser.add_argument("--rate", type=float, default=5.0, help="broadcasts per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--client-cpu", type=int, default=1)
    parser.add_argument("--skip-redis", action="store_true")
    parser.add_argument("--redis-clients", type=int, default=2000)
    parser.add_argument(
        "--redis-rates", default="5,15", help="broadcasts/s for the Redis rounds (each 1w, 2w)"
    )
    parser.add_argument(
        "--redis-pin-clients",
        action="store_true",
        help="keep the load generator on --client-cpu in the Redis rounds too",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    args.clients = [int(n) for n in args.clients.split(",") if n]  # "": Redis rounds only
    args.redis_rates = [float(r) for r in args.redis_rates.split(",")]

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 16384)), hard))
    if hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {args.client_cpu})
    print(f"# {os.cpu_count()} CPUs; server on CPU {args.server_cpu}, clients on "
          f"CPU {args.client_cpu}; {args.rate}/s for {args.seconds}s", flush=True)  # fmt: skip
    # A plain `kill` still runs the `finally` that stops every server this run started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = asyncio.run(bench(args))
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in results], indent=2))


if __name__ == "__main__":
    main()

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

Before those, two rounds of their own (each skipped with 0):

- poll (`--poll-clients`, `--poll-rate`, `--poll-seconds`; bench/live_poll_seed.py): sockets
  on the live page of an event with an open poll whose results show while voting, and poll
  answers POSTed by different signed-in voters as htmx sends them (session cookie, CSRF
  header) over 64 keep-alive connections, one worker pinned as above. The results
  broadcast is coalesced (LIVE_POLL_COALESCE_SECONDS): "frames/s per client" is the busiest
  client's.
- overload (`--overload-rate`, `--overload-clients`): the Q&A vote toggles at a rate one
  worker (with Redis, as deployed) cannot write to every socket, to see it skip intermediate
  states instead of queueing them and keep answering POSTs.

Every round also reports write to screen: from a POST being sent until the slowest client
shows a state that includes it (a frame stamped after the POST was answered, or the final
state), p50/p95 over POSTs; how long after the last write every client was on the final state;
and the POSTs' p50/p95. Who is on the final state is decided by content: each client keeps
its last frame with the stamps taken out, compared with what a socket opened after the round
is sent.

Everything binds 127.0.0.1; every process started is stopped by its pid at the end.
"""

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from websockets.asyncio.client import connect

from bench import servers
from bench.fanout_rounds import RoundResult, run_round
from bench.fanout_rounds import cpu_seconds as cpu_seconds  # bench/idle_sockets.py imports it
from bench.http_burst import Pool

STAMP = re.compile(r'data-broadcast="(\d+)"')


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


class PollPoster:
    """Poll answers as browsers send them: htmx POSTs of the answer form with the session
    cookie and the CSRF token, each by a different seeded voter (one vote each).

    Over 64 keep-alive connections of bench/http_burst.py. With the answers queueing (one
    worker serves about a quarter of the 200 a second asked), httpx's pool took this load
    generator to 0.92 of its core, so frames it had no time to read were stamped late; this
    pool leaves it at 0.28 (docs/benchmarks.md, 2026-12-01 15:41)."""

    CONNECTIONS = 64

    def __init__(self, data: dict, port: int):
        self.data = data
        self.pool = Pool("127.0.0.1", port, self.CONNECTIONS)
        self.url = f"/events/{data['slug']}/live/polls/{data['poll_id']}/vote/"

    async def open(self) -> "PollPoster":
        await self.pool.open()
        return self

    async def __call__(self, k: int) -> None:
        voter = self.data["voters"][k]
        options = self.data["options"]
        reply = await self.pool.send(
            "POST",
            self.url,
            {
                "Cookie": f"sessionid={voter['session']}; csrftoken={voter['csrf']}",
                "X-CSRFToken": voter["csrf"],
                "HX-Request": "true",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            f"option={options[k % len(options)]}".encode(),
        )
        if reply.status != 200 or b"your answer is in" not in reply.body:
            raise RuntimeError(f"vote answered {reply.status}: {reply.body[:200]!r}")

    async def close(self) -> None:
        await self.pool.close()


async def poll_round(args, work: Path, procs: list) -> RoundResult:
    """The poll round: `--poll-clients` sockets on the live page of a running event with an
    open poll whose results show while voting; `--poll-rate` answers a second by different
    signed-in voters for `--poll-seconds`; one worker, pinned as the other rounds."""
    voters = int(args.poll_rate * args.poll_seconds)
    db = work / "poll.sqlite3"
    shutil.copy(work / "template.sqlite3", db)
    out = subprocess.run(
        [servers.PYTHON, str(servers.ROOT / "bench" / "live_poll_seed.py"), "--voters",
         str(voters)],
        cwd=servers.ROOT, env=servers.server_env(db), check=True, timeout=600,
        capture_output=True,
    )  # fmt: skip
    data = json.loads(out.stdout)
    proc = servers.start_daphne(
        "portal.asgi:application", env=servers.server_env(db), cpu=args.server_cpu,
        log=work / "poll.log",
    )  # fmt: skip
    procs.append(proc)
    poster = await PollPoster(data, proc.port).open()
    try:
        return await run_round(
            "poll results, 1 worker", n=args.poll_clients,
            ws_urls=[f"ws://127.0.0.1:{proc.port}/ws/events/{data['event_id']}/live/?qa=stage"],
            post=poster, rate=args.poll_rate, seconds=args.poll_seconds, frame_bytes=0,
            server_pids=[proc.pid],
        )  # fmt: skip
    finally:
        await poster.close()
        servers.stop(proc)


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


async def overload_round(args, data: dict, db: Path, procs: list) -> RoundResult:
    """More broadcasts than one worker's core can write to every socket (issue: about 13 a
    second to 2,000 sockets): one worker with Redis, as deployed; pinned as the other rounds.
    Longer settling, so that a backlog shows as late rather than as missing."""
    redis = servers.start_redis(port=servers.free_port())
    procs.append(redis)
    env = servers.server_env(db, redis_url=redis.url)
    proc = servers.start_daphne(
        "portal.asgi:application", env=env, cpu=args.server_cpu, log=work_log(db, "overload")
    )
    procs.append(proc)
    poster = LivePoster(data, [proc.port])
    ws_path = f"/ws/events/{data['event_id']}/live/?qa={data['talk_id']}&sort=top"
    try:
        return await run_round(
            "overload + redis, 1 worker", n=args.overload_clients,
            ws_urls=[f"ws://127.0.0.1:{proc.port}{ws_path}"], post=poster,
            rate=args.overload_rate, seconds=args.seconds, frame_bytes=0,
            server_pids=[proc.pid], settle=6,
        )  # fmt: skip
    finally:
        await poster.close()
        servers.stop(proc)
        servers.stop(redis)


def work_log(db: Path, name: str) -> Path:
    return db.parent / f"{name}.log"


async def bench(args) -> list[RoundResult]:
    results: list[RoundResult] = []
    work = Path(tempfile.mkdtemp(prefix="live-fanout-"))
    template = work / "template.sqlite3"
    print(f"# migrating a fresh database in {work}", flush=True)
    servers.migrate(template)
    seed_db = work / "db.sqlite3"
    shutil.copy(template, seed_db)
    data = servers.seed(seed_db, users=args.users, questions=args.questions)
    ws_path = f"/ws/events/{data['event_id']}/live/?qa={data['talk_id']}&sort=top"
    env = servers.server_env(seed_db)
    procs = []

    def start(app, port, cpu, env=env):
        proc = servers.start_daphne(app, port=port, env=env, cpu=cpu, log=work / f"{port}.log")
        procs.append(proc)
        return proc

    try:
        if args.poll_clients:
            result = await poll_round(args, work, procs)
            print(result.line(), flush=True)
            results.append(result)
        if args.overload_rate:
            result = await overload_round(args, data, seed_db, procs)
            print(result.line(), flush=True)
            results.append(result)
        if not args.clients and args.skip_redis:
            return results
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
                    server_pids=[proc.pid], reflect="sent", track=False,
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
    parser.add_argument(
        "--poll-clients", type=int, default=2000, help="sockets in the poll round (0: skip it)"
    )
    parser.add_argument("--poll-rate", type=float, default=200.0, help="poll answers a second")
    parser.add_argument("--poll-seconds", type=float, default=10.0)
    parser.add_argument(
        "--overload-rate", type=float, default=13.0,
        help="broadcasts a second in the overload round (0: skip it)",
    )  # fmt: skip
    parser.add_argument("--overload-clients", type=int, default=2000)
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

"""Idle sockets and reconnect storms: what N quiet live screens cost one worker.

    .venv/bin/python bench/idle_sockets.py                      # 10,000 sockets (minutes)
    .venv/bin/python bench/idle_sockets.py --sockets 500 --quiet-seconds 10   # smoke

(each column also runs the heartbeats one interval, 50 s, before its measured window.)

One daphne process pinned to --server-cpu serves a fresh migrated SQLite database with a
running event (bench/live_seed.py); this client, pinned to --client-cpu, holds --sockets
websockets on the anonymous live page's socket (`?qa=stage`, what `/events/<slug>/live/`
opens), spread over client addresses 127.0.g.x so the ephemeral ports never run out (g: one
generation of connections, below).
The same run does it first against bench/bare_broadcast_app.py (the baseline: a set of ASGI
`send` callables, nothing else) on the same daphne, then against the portal. Per app:

- connect: server CPU per new socket (the first N connects, the hub's snapshots warm);
- memory: the server's resident set (VmRSS) before the sockets and after, and per socket;
- idle CPU: the server's CPU over --idle-seconds with every socket open and silent (daphne's
  once-a-second and every-2-s sweeps over all connections, the hub's presence ticks, the
  event loop), as % of one core, 5 s after the memory reading (the connects' last "online
  now" push out of the way). Keep the connects, those 8 s and the window under daphne's
  --ping-interval (60 s), or the window also holds a ping and pong per socket;
- heartbeat CPU: every socket sends the live page's heartbeat (HEARTBEAT below, as the htmx
  ws extension sends it) every --heartbeat-seconds (LIVE_HEARTBEAT_SECONDS, 50; for the
  --before column --before-heartbeat-seconds, 25), each at its own phase, and daphne pings
  sockets idle for its --ping-interval as in production (answered by the client:
  servers.PING_FLAGS, 60 s; the --before column runs with daphne's default, 20 s, as
  production did before the second pass, unless --before-ping flags). The heartbeats run
  one interval unmeasured first (every screen still owed one gets it at the end): a
  socket's first heartbeat comes up to an interval after the idle window, so without that
  about 45% of them were silent past daphne's 60 s and pinged in the measured window
  (docs/benchmarks.md, 2026-12-02), where a screen beating since its page loaded never is.
  Then the server's CPU time over --quiet-seconds divided by the wall time, as % of one
  core, and the pings answered in each window (expected 0; more means the connects were
  slow or the client fell behind); and
  the server CPU per heartbeat: that window's CPU beyond the idle window's rate, over the
  heartbeats sent. A heartbeat costs less the more of them arrive a second (one wake of the
  event loop reads several sockets), so a smaller room stands in for a bigger one at the
  same rate: 10,000 screens every 50 s send what 2,000 send every 10 s (200 a second);
- drop: every socket dropped at once with the server staying up (a Wi-Fi blip, a proxy
  restarting); every screen reconnects with the page's delay (below); the time until all
  have the current state, and the server's CPU per reconnect (so how many one core takes);
- reconnect storm: the server is stopped (SIGTERM) and a new one started on the same port,
  as a deploy or a crash does. Every client reconnects as the page does (live.js
  `reconnectDelay`, mirrored in `reconnect_delay` below: full jitter, the first attempt spread
  over a window scaled to the "online now" count the page last showed, doubling per failed
  attempt, capped). Reported: the time from the drop until every socket has received the
  current state (the full-state frame the server sends on connect), the server's own start
  time within it, and sockets per second from the moment the server listens again.

Everything binds 127.0.x.y; every process started is stopped by its pid at the end.
"""

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import servers
from bench.live_fanout import cpu_seconds
from bench.ws_client import LeanWebSocket, _masked_frame

# What the htmx ws extension sends for the live page's hidden heartbeat form.
HEARTBEAT = json.dumps(
    {
        "type": "heartbeat",
        "HEADERS": {
            "HX-Request": "true",
            "HX-Trigger": None,
            "HX-Trigger-Name": None,
            "HX-Target": "live-root",
            "HX-Current-URL": "http://127.0.0.1/events/live-bench/live/",
        },
    }
).encode()
# The same as bare JSON (20 bytes, not 189): measured in the third pass, no difference in
# server CPU per heartbeat (`--heartbeat-body compact`; docs/benchmarks.md).
COMPACT_HEARTBEAT = b'{"type":"heartbeat"}'
OP_TEXT = 0x1
SOCKETS_PER_ADDRESS = 12000

# The client's reconnect delay, as live/static/live/live.js computes it (keep them in step).
RECONNECT_RATE = 2000  # screens a second one worker takes without a queue (this benchmark)
RECONNECT_MIN_SPREAD = 1.0
RECONNECT_MAX_SPREAD = 30.0
RECONNECT_CAP = 60.0


def reconnect_delay(retry: int, online: int, rand: float) -> float:
    """Seconds before reconnect attempt `retry` (0 = the first after a drop)."""
    spread = min(RECONNECT_MAX_SPREAD, max(RECONNECT_MIN_SPREAD, online / RECONNECT_RATE))
    return rand * min(RECONNECT_CAP, spread * 2 ** min(retry, 6))


def masked(payload: bytes) -> bytes:
    """A masked client text frame of any length under 64 KiB (ws_client's is < 126 bytes)."""
    if len(payload) < 126:
        return _masked_frame(OP_TEXT, payload)
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | OP_TEXT, 0x80 | 126]) + len(payload).to_bytes(2, "big") + mask + body


STATE_MARK = b'id="live-stage"'  # the full state opens with the stage (and broadcasts carry
# stamps, but a connect's own render does not)


class StateWatcher(LeanWebSocket):
    """The lean client, also telling when the stage arrives (the full state, on a connect)."""

    def __init__(self, on_state) -> None:
        super().__init__(lambda _stamp, _at: None)
        self.on_state = on_state
        self.tail = b""

    def data_received(self, data: bytes) -> None:
        if self.on_state is not None and STATE_MARK in self.tail + data[:4096]:
            self.on_state()
            self.on_state = None
        self.tail = data[-len(STATE_MARK) :]
        super().data_received(data)


class Screen:
    """One live page: its socket, reconnecting like the page when the server drops it."""

    def __init__(self, n: int, port: int, path: str, origin: str, generation: int = 0) -> None:
        self.n = n
        self.generation = generation
        self.local = self._local_address(generation)
        self.port, self.path, self.origin = port, path, origin
        self.ws: LeanWebSocket | None = None
        self.state_at: float | None = None  # monotonic time the full state last arrived
        self.attempts = 0

    def _local_address(self, generation: int) -> tuple[str, int]:
        # Each reconnecting generation from its own loopback addresses: a side that closes
        # first keeps its port in TIME_WAIT for a minute, and three generations of 9,900
        # (connect, drop, storm) from one address exhausted its 28,000 ports (EADDRINUSE on
        # the client under uvicorn; under daphne a slower search for a free port). Columns
        # and runs start at generations of their own too (bench()).
        return (f"127.0.{generation % 250}.{2 + self.n // SOCKETS_PER_ADDRESS}", 0)

    def _on_state(self) -> None:
        self.state_at = time.monotonic()

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        self.state_at = None
        _, ws = await loop.create_connection(
            lambda: StateWatcher(self._on_state), "127.0.0.1", self.port, local_addr=self.local
        )
        ws.transport.write(
            (
                f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {os.urandom(16).hex()[:22]}==\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: {self.origin}\r\n\r\n"
            ).encode()
        )
        await asyncio.wait_for(ws.opened, 60)
        self.ws = ws

    async def reconnect(self, online: int) -> None:
        """Until connected: wait the page's delay, try; count attempts."""
        retry = 0
        self.generation += 1
        self.local = self._local_address(self.generation)
        while True:
            await asyncio.sleep(reconnect_delay(retry, online, random.random()))
            self.attempts += 1
            try:
                await self.connect()
                return
            except (OSError, ConnectionError, TimeoutError):
                retry += 1

    def heartbeat(self, body: bytes = HEARTBEAT) -> None:
        if self.ws and not self.ws.transport.is_closing():
            self.ws.transport.write(masked(body))


def start_server(
    app: str, *, env: dict, cpu: int | None, log: Path, port: int = 0, ping: bool = True
):
    """daphne on a socket bound here with SO_REUSEADDR, so a restart can bind the same port
    while the old server's connections linger (servers.start_daphne's socket has no such
    option). Listens with a production-sized backlog; daphne accepts on it (`--fd`).
    `ping`: daphne's keep-alive flags of today (servers.PING_FLAGS), else its defaults.
    LIVE_BENCH_PROFILE=<dir>: under cProfile, written to <dir>/<pid>.prof at a clean exit."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(4096)
    sock.set_inheritable(True)
    port = sock.getsockname()[1]
    cmd = servers.server_command(app, fd=sock.fileno(), ping=ping)
    if profile := os.environ.get("LIVE_BENCH_PROFILE"):
        cmd = [servers.PYTHON, "-m", "cProfile", "-o", f"{profile}/{log.stem}.prof", *cmd]
    if cpu is not None and shutil.which("taskset"):
        cmd = ["taskset", "-c", str(cpu), *cmd]
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd, cwd=servers.ROOT, env=env, stdout=out, stderr=out, pass_fds=(sock.fileno(),),
            preexec_fn=servers._raise_fd_limit,
        )  # fmt: skip
    sock.close()
    proc.port = port
    try:
        servers.wait_http(port, proc=proc)
    except Exception:
        servers.stop(proc)
        raise
    return proc


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def open_all(screens: list[Screen], batch: int = 50) -> int:
    """Open every screen, a batch at a time; a refused handshake (daphne refuses one it could
    not finish in 5 s, on a busy machine) is tried again. How many were refused."""
    refused = 0

    async def open_one(screen: Screen) -> None:
        nonlocal refused
        for _ in range(20):
            try:
                await screen.connect()
                return
            except (OSError, ConnectionError, TimeoutError):
                refused += 1
                await asyncio.sleep(1)
        raise RuntimeError("a socket could not connect in 20 attempts")

    for start in range(0, len(screens), batch):
        await asyncio.gather(*(open_one(s) for s in screens[start : start + batch]))
    return refused


async def wait_states(screens: list[Screen], timeout: float) -> int:
    """Wait until every screen has its state (or the timeout); how many have none."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        missing = sum(1 for s in screens if s.state_at is None)
        if not missing:
            return 0
        await asyncio.sleep(0.05)
    return sum(1 for s in screens if s.state_at is None)


def pings_answered(screens: list[Screen]) -> int:
    return sum(s.ws.pings for s in screens if s.ws)


async def idle_window(pid: int, seconds: float) -> float:
    """Every socket open and silent: the server's CPU as % of a core."""
    cpu0, t0 = cpu_seconds([pid]), time.monotonic()
    await asyncio.sleep(seconds)
    return 100 * (cpu_seconds([pid]) - cpu0) / (time.monotonic() - t0)


async def quiet_window(
    screens: list[Screen], pid: int, seconds: float, interval: float, body: bytes
) -> tuple[float, float, int]:
    """Heartbeats every `interval`, each screen at its own phase: (server CPU % of a core,
    heartbeats a second, heartbeats sent)."""
    n = len(screens)
    tick = 0.05
    per_tick = n * tick / interval
    owed, i = 0.0, 0
    cpu0, t0 = cpu_seconds([pid]), time.monotonic()
    next_at = t0
    sent = 0
    while time.monotonic() - t0 < seconds:
        owed += per_tick
        while owed >= 1:
            screens[i % n].heartbeat(body)
            i, owed, sent = i + 1, owed - 1, sent + 1
        next_at += tick
        await asyncio.sleep(max(0, next_at - time.monotonic()))
    wall = time.monotonic() - t0
    return 100 * (cpu_seconds([pid]) - cpu0) / wall, sent / wall, sent


async def measure(
    app: str, label: str, args, env: dict, work: Path, path: str, generation: int
) -> dict:
    ping = label != "before" or args.before_ping == "flags"
    interval = args.before_heartbeat_seconds if label == "before" else args.heartbeat_seconds
    body = HEARTBEAT if args.heartbeat_body == "page" else COMPACT_HEARTBEAT
    # The hub closes a socket silent for its TTL (4408): three intervals, as in settings, and
    # never less than the production TTL (a short --heartbeat-seconds to count many
    # heartbeats must not close the sockets during the connects and the idle window).
    env = {**env, "LIVE_HEARTBEAT_SECONDS": str(int(interval)),
           "LIVE_PRESENCE_TTL_SECONDS": str(3 * max(interval, 50))}  # fmt: skip
    proc = start_server(app, env=env, cpu=args.server_cpu, log=work / f"{label}.log", ping=ping)
    port = proc.port
    origin = f"http://127.0.0.1:{port}"
    screens = [Screen(n, port, path, origin, generation) for n in range(args.sockets)]
    try:
        await asyncio.sleep(1)
        rss0, cpu0 = rss_mb(proc.pid), cpu_seconds([proc.pid])
        t0 = time.monotonic()
        refused = await open_all(screens)
        missing = await wait_states(screens, 120) if label != "bare" else 0
        connect_s = time.monotonic() - t0
        connect_ms = 1000 * (cpu_seconds([proc.pid]) - cpu0) / args.sockets
        await asyncio.sleep(3)
        rss1 = rss_mb(proc.pid)
        # The last "online now" push of the connects (LIVE_ONLINE_PUSH_SECONDS, 5 s, after
        # the one before) goes out before the idle window, not inside it.
        await asyncio.sleep(5)
        pings0 = pings_answered(screens)
        idle_pct = await idle_window(proc.pid, args.idle_seconds)
        pings1 = pings_answered(screens)
        # To a steady state: every screen beats once, unmeasured (a pinged one included).
        _, _, warmed = await quiet_window(screens, proc.pid, interval, interval, body)
        for screen in screens[warmed:]:
            screen.heartbeat(body)
        pings2 = pings_answered(screens)
        heartbeat_pct, hb_rate, sent = await quiet_window(
            screens, proc.pid, args.quiet_seconds, interval, body
        )
        pings3 = pings_answered(screens)
        # CPU per heartbeat: the window's CPU beyond the idle rate, per heartbeat sent.
        wall = sent / hb_rate if hb_rate else float("nan")
        per_heartbeat_ms = 10 * (heartbeat_pct - idle_pct) * wall / sent if sent else float("nan")
        result = {
            "app": label, "sockets": args.sockets, "rss_before_mb": rss0, "rss_mb": rss1,
            "per_socket_kib": 1024 * (rss1 - rss0) / args.sockets,
            "connect_cpu_ms": connect_ms, "connect_wall_s": connect_s,
            "idle_core_pct": idle_pct, "heartbeat_core_pct": heartbeat_pct,
            "heartbeats_per_s": hb_rate, "heartbeat_interval_s": interval,
            "heartbeat_bytes": len(body), "heartbeat_cpu_ms": per_heartbeat_ms,
            "no_state_after_connect": missing, "refused_handshakes": refused,
            "idle_pings": pings1 - pings0, "heartbeat_pings": pings3 - pings2,
        }  # fmt: skip
        if label != "bare" and not args.skip_storm:
            result |= await drop(screens, proc, args)
            await asyncio.sleep(3)
            result |= await storm(screens, proc, args, env, work, label, ping)
            proc = result.pop("proc")
        return result
    finally:
        for s in screens:
            if s.ws and s.ws.transport:
                s.ws.transport.abort()
        servers.stop(proc)


async def drop(screens, proc, args) -> dict:
    """Every socket dropped at once (a Wi-Fi blip, a proxy restarting), the server staying
    up; every screen reconnects with the page's delay. Isolates what the worker does per
    reconnect (the hub still has the room's frames)."""
    for s in screens:
        s.state_at, s.attempts = None, 0
    cpu0, t0 = cpu_seconds([proc.pid]), time.monotonic()
    for s in screens:
        s.ws.transport.abort()
    tasks = [asyncio.create_task(s.reconnect(args.sockets)) for s in screens]
    missing = await wait_states(screens, args.storm_timeout)
    done = [s.state_at for s in screens if s.state_at is not None]
    last = (max(done) - t0) if done else float("nan")
    cpu = cpu_seconds([proc.pid]) - cpu0
    for t in tasks:
        t.cancel()
    return {
        "drop_all_state_s": last,
        "drop_sockets_per_s": args.sockets / last if last > 0 else float("nan"),
        "drop_cpu_ms_per_socket": 1000 * cpu / args.sockets,
        "drop_capacity_per_s": args.sockets / cpu if cpu > 0 else float("nan"),
        "drop_without_state": missing,
    }


async def storm(screens, proc, args, env, work: Path, label: str, ping: bool) -> dict:
    """Stop the server, start a new one on the same port; every screen reconnects."""
    port = proc.port
    for s in screens:
        s.state_at, s.attempts = None, 0
    t0 = time.monotonic()
    # SIGTERM: every socket drops, as in a deploy or a crash. In threads, so the screens
    # keep trying (and backing off) while the old server stops and the new one starts.
    await asyncio.to_thread(servers.stop, proc)
    tasks = [asyncio.create_task(s.reconnect(args.sockets)) for s in screens]
    new = await asyncio.to_thread(
        start_server, "portal.asgi:application", env=env, port=port, cpu=args.server_cpu,
        log=work / f"{label}-restarted.log", ping=ping,
    )  # fmt: skip
    cpu0 = cpu_seconds([new.pid])
    up = time.monotonic() - t0
    missing = await wait_states(screens, args.storm_timeout)
    done = [s.state_at for s in screens if s.state_at is not None]
    last = (max(done) - t0) if done else float("nan")
    cpu = cpu_seconds([new.pid]) - cpu0
    for t in tasks:
        t.cancel()
    after_up = last - up
    return {
        "proc": new,
        "storm_server_up_s": up,
        "storm_all_state_s": last,
        "storm_sockets_per_s": args.sockets / after_up if after_up > 0 else float("nan"),
        "storm_server_cpu_s": cpu,
        "storm_cpu_ms_per_socket": 1000 * cpu / args.sockets,
        "storm_attempts": sum(s.attempts for s in screens),
        "storm_without_state": missing,
    }


def raise_fd_limit(need: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, need), hard))
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < need:
        raise SystemExit(f"need {need} file descriptors, the hard limit is {hard}")


async def bench(args) -> list[dict]:
    work = Path(tempfile.mkdtemp(prefix="idle-sockets-"))
    db = work / "db.sqlite3"
    servers.migrate(db)
    data = servers.seed(db, users=1, questions=args.questions)
    env = servers.server_env(db)
    path = f"/ws/events/{data['event_id']}/live/?qa=stage"
    columns = [("bench.bare_broadcast_app:app", "bare", env)] if not args.skip_bare else []
    if args.before:
        # The same portal from another checkout (e.g. `git archive` of the commit before).
        before_env = {**env, "PYTHONPATH": str(Path(args.before).resolve())}
        columns.append(("portal.asgi:application", "before", before_env))
    columns.append(("portal.asgi:application", "portal", env))
    # Three generations of addresses a column (connect, drop, storm): a column connecting from
    # the last one's addresses took 21-46 s instead of 8-11. A random start, so that a run just
    # after another most likely meets none of its ports in TIME_WAIT either.
    first = random.randrange(0, 250, 3)
    return [
        await measure(app, label, args, column_env, work, path, first + 3 * i)
        for i, (app, label, column_env) in enumerate(columns)
    ]


def report(results: list[dict], args) -> None:
    print(
        f"\n{args.sockets:,} sockets, idle window {args.idle_seconds} s, heartbeat window "
        f"{args.quiet_seconds} s, load average {args.load_at_start:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end"
    )
    for r in results:
        print(
            f"{r['app']:<7} RSS {r['rss_before_mb']:.0f} -> {r['rss_mb']:.0f} MB "
            f"({r['per_socket_kib']:.1f} KiB/socket) | connect {r['connect_cpu_ms']:.2f} ms "
            f"server CPU/socket ({r['connect_wall_s']:.1f} s for all); "
            f"{r['refused_handshakes']} handshakes refused on the way"
        )
        print(
            f"        idle CPU {r['idle_core_pct']:.2f}% of a core | heartbeat CPU "
            f"{r['heartbeat_core_pct']:.2f}% at {r['heartbeats_per_s']:.0f} heartbeats/s "
            f"(every {r['heartbeat_interval_s']:g} s, {r['heartbeat_bytes']} bytes), "
            f"{r['heartbeat_cpu_ms']:.3f} ms server CPU per heartbeat; pings answered: "
            f"{r['idle_pings']} idle, {r['heartbeat_pings']} with heartbeats"
        )
        if "drop_all_state_s" in r:
            print(
                f"        drop: every socket on the current state after "
                f"{r['drop_all_state_s']:.1f} s ({r['drop_sockets_per_s']:,.0f} sockets/s); "
                f"{r['drop_cpu_ms_per_socket']:.2f} ms server CPU per reconnect, so one core "
                f"takes {r['drop_capacity_per_s']:,.0f} a second; "
                f"{r['drop_without_state']} without state"
            )
        if "storm_all_state_s" in r:
            print(
                f"        storm: server listening after {r['storm_server_up_s']:.1f} s, every "
                f"socket on the current state after {r['storm_all_state_s']:.1f} s "
                f"({r['storm_sockets_per_s']:,.0f} sockets/s once up; "
                f"{r['storm_cpu_ms_per_socket']:.2f} ms server CPU/socket; "
                f"{r['storm_attempts']:,} attempts; {r['storm_without_state']} without state)"
            )
    print(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=10_000)
    parser.add_argument("--quiet-seconds", type=float, default=50)
    parser.add_argument("--idle-seconds", type=float, default=20)
    parser.add_argument(
        "--heartbeat-seconds", type=float, default=50, help="LIVE_HEARTBEAT_SECONDS"
    )
    parser.add_argument(
        "--before-heartbeat-seconds", type=float, default=25, help="the --before column's"
    )
    parser.add_argument(
        "--before-ping", choices=("defaults", "flags"), default="defaults",
        help="the --before column's daphne: its default ping (20 s, before the second pass) "
        "or servers.PING_FLAGS (a --before from the second pass on)",
    )  # fmt: skip
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--storm-timeout", type=float, default=120)
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--client-cpu", type=int, default=1)
    parser.add_argument("--skip-bare", action="store_true")
    parser.add_argument(
        "--skip-storm", action="store_true", help="memory, connect, idle and heartbeats only"
    )
    parser.add_argument(
        "--heartbeat-body", choices=("page", "compact"), default="page",
        help="compact: every column sends COMPACT_HEARTBEAT instead of the page's",
    )  # fmt: skip
    parser.add_argument(
        "--before", metavar="DIR", help="also run the portal from this checkout, as 'before'"
    )
    args = parser.parse_args()
    if args.sockets > SOCKETS_PER_ADDRESS * 250:
        parser.error("too many sockets")
    raise_fd_limit(args.sockets * 2 + 200)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.client_cpu})
    args.load_at_start = os.getloadavg()[0]
    report(asyncio.run(bench(args)), args)


if __name__ == "__main__":
    main()

"""The measuring half of bench/live_fanout.py: clients, one round, and its figures.

A round opens N lean websocket clients (bench/ws_client.py), fires writes open-loop at a rate,
waits for stragglers, then works out from the frames' stamps and contents how late each
broadcast and each write reached the slowest client, and who ended on the final state. See
bench/live_fanout.py for what the stamps mean and docs/benchmarks.md for the figures.
"""

import asyncio
import os
import re
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.ws_client import STAMPS, LeanWebSocket


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
    post_p95: float
    stale_at_end: int
    # Write to screen: from a POST being sent until the slowest client shows a state that
    # includes it, p50/p95 over POSTs. The commit is somewhere between the POST being sent and
    # answered, so a frame stamped in between may or may not include it: the figure is
    # bounded from below (it does) and above (it does not; the next frame or the final state
    # does). And from the last write's answer until every client was on the final state.
    write_last_p50: float
    write_last_p95: float
    write_last_p50_upper: float
    write_last_p95_upper: float
    final_after: float
    frames_per_client_s: float  # the busiest client's stamped frames a second
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
            f" | write->screen last p50={self.write_last_p50:.1f}-{self.write_last_p50_upper:.1f}"
            f" p95={self.write_last_p95:.1f}-{self.write_last_p95_upper:.1f}"
            f" final state {self.final_after:.0f} ms after the last write,"
            f" frames/s per client {self.frames_per_client_s:.2f}"
            f" | POST answered p50={self.post_p50:.1f} p95={self.post_p95:.1f} ms"
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


async def connect_clients(
    urls: list[str], n: int, origin_for, *, track: bool = False
) -> list[Client]:
    clients = [Client() for _ in range(n)]

    async def open_one(i: int) -> None:
        url = urls[i % len(urls)]
        host_port, _, path = url.removeprefix("ws://").partition("/")
        host, _, port = host_port.partition(":")
        received = clients[i].received
        for attempt in range(5):
            try:
                clients[i].ws = await LeanWebSocket.connect(
                    host, int(port), "/" + path, origin_for(url),
                    on_stamp=lambda stamp, at: received.setdefault(stamp, at), track=track,
                )  # fmt: skip
                return
            except ConnectionError:
                # daphne drops a handshake the application has not accepted within 5 s (a
                # busy machine): open it again, as a browser's reconnect would.
                if attempt == 4:
                    raise
                await asyncio.sleep(0.5 * (attempt + 1))

    batch = 50
    for start in range(0, n, batch):
        await asyncio.gather(*(open_one(i) for i in range(start, min(n, start + batch))))
    return clients


async def close_clients(clients: list[Client]) -> None:
    for start in range(0, len(clients), 200):
        await asyncio.gather(*(c.ws.close() for c in clients[start : start + 200]))


def write_to_screen(
    clients: list[Client], writes: list[tuple[int, int]], begin_ns: int, final_at: list
) -> list[float]:
    """The slowest client's write-to-screen time (ms) for each write that every client saw.

    A write (sent, after) shows on a client with the first frame stamped at or after `after`
    (a portal frame's stamp is taken before its render reads the database, so `after` = when
    the POST was answered, after its commit; the bare app's = when it was sent), or with the
    final state (`final_at[i]`: when client i got it, or None), which reflects every write.
    """
    order = sorted(range(len(writes)), key=lambda i: writes[i][1])
    last = [0] * len(writes)
    reached = [True] * len(writes)
    for client, final in zip(clients, final_at, strict=True):
        frames = sorted((s, t) for s, t in client.received.items() if s >= begin_ns)
        first_from = [0] * len(frames)  # earliest receive among frames from index j on
        earliest = None
        for j in range(len(frames) - 1, -1, -1):
            earliest = frames[j][1] if earliest is None else min(earliest, frames[j][1])
            first_from[j] = earliest
        j = 0
        for i in order:
            while j < len(frames) and frames[j][0] < writes[i][1]:
                j += 1
            shown = [t for t in (first_from[j] if j < len(frames) else None, final) if t]
            if not shown:
                reached[i] = False
                continue
            last[i] = max(last[i], min(shown))
    return [(last[i] - writes[i][0]) / 1e6 for i in range(len(writes)) if reached[i]]


async def final_state(url: str, origin: str) -> bytes:
    """What a socket opened now is sent first (the whole current state), stamps taken out."""
    host_port, _, path = url.removeprefix("ws://").partition("/")
    host, _, port = host_port.partition(":")
    ws = await LeanWebSocket.connect(host, int(port), "/" + path, origin, lambda *_: None)
    try:
        async with asyncio.timeout(30):
            while ws.first_frame is None:
                await asyncio.sleep(0.01)
    finally:
        await ws.close()
    return STAMPS.sub(b"", ws.first_frame)


async def run_round(
    name,
    *,
    n,
    ws_urls,
    post,
    rate,
    seconds,
    frame_bytes,
    server_pids,
    reflect="answered",
    settle: float = 3,
    track: bool = True,
) -> RoundResult:
    """`track`: decide who ended on the final state by content (what a socket opened at the
    end is sent); without it (the bare app, which sends nothing on connect), by the newest
    stamp."""

    def origin_for(url: str) -> str:
        return "http://" + url.split("/")[2]

    clients = await connect_clients(ws_urls, n, origin_for, track=track)
    await asyncio.sleep(2.5)  # let connect-time state and presence updates settle
    # Open loop: each POST is fired on schedule, whether or not the previous one answered.
    post_times: list[float] = []
    writes: list[tuple[int, int]] = []  # (sent, answered), ns
    failures: list[str] = []

    async def one(k: int) -> None:
        sent, sent_ns = time.monotonic(), time.time_ns()
        try:
            await post(k)
        except Exception as error:
            failures.append(str(error)[:200])
            return
        post_times.append((time.monotonic() - sent) * 1000)
        writes.append((sent_ns, time.time_ns()))

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
    await asyncio.sleep(settle)  # stragglers
    measured = time.monotonic() - start
    per_server_cores = [
        (cpu_seconds([pid]) - before) / measured
        for pid, before in zip(server_pids, cpu_before[0], strict=True)
    ]
    client_cores = (cpu_seconds([]) - cpu_before[1]) / measured
    final = await final_state(ws_urls[0], origin_for(ws_urls[0])) if track else b""
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
    # Frames are whole state: a client that got the final state shows the right screen even
    # if the hub skipped intermediate states for it while behind.
    if track:
        final_at = [
            c.ws.content_since if c.ws.content is not None and c.ws.content in final else None
            for c in clients
        ]
    else:
        newest = max(per_broadcast, default=None)
        final_at = [c.received.get(newest) for c in clients]
    stale = sum(1 for t in final_at if t is None)
    last_write = max((after for _, after in writes), default=0)
    final_after = (max(final_at) - last_write) / 1e6 if writes and not stale else float("nan")
    # Lower bound: a frame stamped after the POST was sent includes it (exact for the bare
    # app, whose stamp is taken in the POST's handling: `reflect="sent"`).
    write_lasts = write_to_screen(clients, [(s, s) for s, _ in writes], begin_ns, final_at)
    write_lasts_upper = (
        write_to_screen(clients, writes, begin_ns, final_at)
        if reflect == "answered"
        else write_lasts
    )
    window_end = begin_ns + int(elapsed * 1e9)
    busiest = max(
        (sum(1 for s in c.received if begin_ns <= s <= window_end) for c in clients), default=0
    )
    if final:
        # The results come after the polls panel (whose own copy is from when the poll opened).
        ballots = re.findall(rb'data-ballots="(\d+)"', final)
        if ballots:
            print(f"# final state shows {int(ballots[-1])} answers; {len(writes)} were accepted")
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
        post_p95=pct(post_times, 95),
        stale_at_end=stale,
        write_last_p50=pct(write_lasts, 50),
        write_last_p95=pct(write_lasts, 95),
        write_last_p50_upper=pct(write_lasts_upper, 50),
        write_last_p95_upper=pct(write_lasts_upper, 95),
        final_after=final_after,
        frames_per_client_s=busiest / elapsed if elapsed else 0,
        server_cores=sum(per_server_cores),
        per_server_cores=per_server_cores,
        client_cores=client_cores,
    )

"""What daphne's two periodic sweeps over its connections cost with N open websockets.

    .venv/bin/python bench/daphne_sweeps.py --sockets 10000

daphne's `Server.application_checker` runs every second and `Server.timeout_checker` every 2 s,
each walking every connection (the second calls each protocol's `check_timeouts()`). Here a
real `daphne.server.Server` holds N open `WebSocketProtocol`s (their state as after a
handshake: open, just pinged, an application future pending), and each sweep is run many
times under `time.process_time`; the share of a core follows from their periods. The machine
being shared matters little: this is CPU time, in one process, with nothing else in it.
"""

import argparse
import asyncio
import time

from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol
from twisted.internet import reactor

PERIODS = {"application_checker": 1.0, "timeout_checker": 2.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    # Each sweep schedules its next run on the reactor, which is not running here.
    reactor.callLater = lambda *_args, **_kwargs: None
    server = Server(application=None, endpoints=["tcp:0"], ping_interval=60)
    server.connections = {}
    loop = asyncio.new_event_loop()
    now = time.time()
    for _ in range(args.sockets):
        protocol = WebSocketProtocol.__new__(WebSocketProtocol)
        protocol.server, protocol.state = server, WebSocketProtocol.STATE_OPEN
        protocol.socket_opened = protocol.last_ping = now
        server.connections[protocol] = {
            "connected": now,
            "application_instance": loop.create_future(),
        }
    total = 0.0
    for name, period in PERIODS.items():
        sweep = getattr(server, name)
        started = time.process_time()
        for _ in range(args.rounds):
            sweep()
        per_sweep = (time.process_time() - started) / args.rounds
        share = 100 * per_sweep / period
        total += share
        print(f"{name}: {1000 * per_sweep:.2f} ms per sweep of {args.sockets:,} sockets, "
              f"every {period:g} s: {share:.2f}% of a core")  # fmt: skip
    print(f"both: {total:.2f}% of a core")
    loop.close()


if __name__ == "__main__":
    main()

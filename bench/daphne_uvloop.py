"""daphne with its Twisted reactor on uvloop's event loop instead of asyncio's own, for
BENCH_SERVER=daphne-uvloop (bench/servers.py): `python bench/daphne_uvloop.py <daphne args>`.

daphne.server makes the loop its asyncio reactor runs on with asyncio.new_event_loop() when it
is imported, so the policy must be uvloop's before that import."""

import asyncio

import uvloop

asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())

from daphne.cli import CommandLineInterface  # noqa: E402

if __name__ == "__main__":
    CommandLineInterface.entrypoint()

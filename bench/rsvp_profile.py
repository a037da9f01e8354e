"""One RSVP, profiled: the statements of `POST /api/events/<slug>/rsvp` and its CPU per request.

In-process (Django's test client, no HTTP server), against a PostgreSQL the script starts
(tests/pg_server.py), with the settings `bench/rsvp_rush.py` serves the portal with. Prints the
statements of one first RSVP in order, then the CPU per request over N first RSVPs (the
request thread alone, and the whole process with the live receivers' coalesced broadcasts),
and writes a cProfile of the same N requests (sorted by cumulative time) to --out.
Compare two trees by running it in each. Not a test.

    .venv/bin/python bench/rsvp_profile.py [--requests 300] [--out var/bench/rsvp.prof]
"""

import argparse
import cProfile
import json
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rsvp_rush import guests_of, make_event, make_members, server_env, setup_django  # noqa: E402
from tests.pg_server import running_postgres  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--out", default=str(ROOT / "var" / "bench" / "rsvp.prof"))
    args = parser.parse_args()
    n = args.requests

    with running_postgres() as pg:
        with psycopg.connect(pg.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE rush")
        setup_django(server_env(pg.url("rush")))
        from django.conf import settings
        from django.db import connection, connections
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        settings.ALLOWED_HOSTS = ["testserver"]
        tokens = make_members(2 * n + 21)
        client = Client()

        def rsvp(slug: str, token: str, guests: int = 0) -> int:
            return client.post(
                f"/api/events/{slug}/rsvp",
                data=json.dumps({"guests": guests}),
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}"},
            ).status_code

        # Warm-up (not counted): imports, connections, URL and template caches.
        warm = make_event(20, 0)
        assert {rsvp(warm.slug, token) for token in tokens[-20:]} == {201}

        event = make_event(n // 3, 1)
        with CaptureQueriesContext(connection) as one:
            assert rsvp(event.slug, tokens[0]) == 201
        print(f"One first RSVP: {len(one.captured_queries)} statements")
        for query in one.captured_queries:
            print("  ", query["sql"][:110])

        def burst(event, batch: list[str]) -> tuple[float, float]:
            process, thread = time.process_time(), time.thread_time()
            codes = {rsvp(event.slug, t, guests=guests_of(i)) for i, t in enumerate(batch)}
            assert codes == {201}, codes
            return (time.process_time() - process, time.thread_time() - thread)

        process, thread = burst(make_event(n // 3, 2), tokens[1 : n + 1])
        print(
            f"\n{n} first RSVPs (a third going, the rest waitlisted): CPU per request "
            f"{thread / n * 1000:.2f} ms in the request thread, "
            f"{process / n * 1000:.2f} ms in the process"
        )
        profile = cProfile.Profile()
        profile.enable()
        burst(make_event(n // 3, 3), tokens[n + 1 : 2 * n + 1])
        profile.disable()
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        profile.dump_stats(args.out)
        print(f"cProfile of another {n}: {args.out} (python -m pstats)")
        # The last burst's coalesced counts broadcast is still due: let it run before
        # PostgreSQL stops, so the run ends without a failed broadcast's traceback.
        time.sleep(settings.LIVE_COUNTS_COALESCE_SECONDS + 1)
        connections.close_all()


if __name__ == "__main__":
    main()

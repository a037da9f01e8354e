"""portal/asgi.py: the served process's cyclic garbage collector.

Checked in a fresh interpreter, as a server imports the module: in this process other tests
have imported it already, so importing it again does nothing, and how many collections some
new objects start depends on everything the session allocated before.
"""

import json
import subprocess
import sys

from bench import servers

PROBE = """
import gc, json
import portal.asgi
before = gc.get_stats()[0]["collections"]
in_flight = [[] for _ in range(5_000)]  # what 2,000 would collect twice over
print(json.dumps({
    "young_threshold": gc.get_threshold()[0],
    "young_collections": gc.get_stats()[0]["collections"] - before,
    "frozen": gc.get_freeze_count(),
}))
"""


def _served_collector(tmp_path) -> dict:
    env = servers.server_env(tmp_path / "db.sqlite3", debug=True)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=servers.ROOT, capture_output=True,
        text=True, check=True, timeout=120,
    )  # fmt: skip
    return json.loads(out.stdout.splitlines()[-1])


def test_the_served_process_freezes_its_startup_heap_and_keeps_in_flight_objects_young(tmp_path):
    collector = _served_collector(tmp_path)
    # Django, the URL conf and the templates are out of every collection's walk.
    assert collector["frozen"] > 50_000
    assert collector["young_threshold"] == 10_000
    # 5,000 new containers, a few heartbeats' or requests' worth, start no collection.
    assert collector["young_collections"] == 0

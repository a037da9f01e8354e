"""The API tests' order: the fuzzing's checks (tests/api/test_schemathesis.py) wait for passes
that run beside the rest of the suite (tests/api/fuzzing.py).

In one process they come last among the tests without a browser, when the passes (started with
the session) are done or nearly. In a pytest-xdist worker (`make test`) the passes start only
when the worker given the fuzzing's file reaches it, so that file comes first: its worker waits
on the passes while the other worker runs the quick tests beside them."""

from tests.api.fuzzing import IN_XDIST_WORKER


def pytest_collection_modifyitems(items):
    def place(item) -> tuple[bool, bool]:
        fuzzing = "fuzz_runs" in getattr(item, "fixturenames", ())
        return "/tests/browser/" in str(item.path), (not fuzzing if IN_XDIST_WORKER else fuzzing)

    # Stable: every other test keeps its place, and the browser tests stay last
    # (tests/conftest.py).
    items.sort(key=place)

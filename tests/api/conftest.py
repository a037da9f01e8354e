"""The API tests' order: the fuzzing's checks (tests/api/test_schemathesis.py) wait for passes
that run beside the rest of the suite (tests/api/fuzzing.py), so they come last among the
tests without a browser, when the passes are done or nearly."""


def pytest_collection_modifyitems(items):
    # Stable: every other test keeps its place, and the browser tests stay last
    # (tests/conftest.py).
    items.sort(
        key=lambda item: (
            "/tests/browser/" in str(item.path),
            "fuzz_runs" in getattr(item, "fixturenames", ()),
        )
    )

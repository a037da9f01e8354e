import pytest

from tests.deploy import stack as stack_helpers


@pytest.fixture(scope="session")
def smtp_sink():
    sink, controller = stack_helpers.start_sink()
    yield sink
    controller.stop()


@pytest.fixture(scope="session")
def running_stack(smtp_sink):
    """One stack for the whole `stack` run (bringing one up takes ~30 s); stopped at the end,
    its directory removed."""
    running = stack_helpers.start_stack(smtp_sink.port)
    running.sink = smtp_sink
    yield running
    stack_helpers.stop_stack(running)

"""Talk to the stack's supervisord over its UNIX socket (XML-RPC, as `supervisorctl` does).

supervisord is Debian's package (it runs on the system Python); this side needs only the
standard library, so the stack script and the tests drive it from the project's venv.
"""

import http.client
import socket
import time
import xmlrpc.client
from pathlib import Path

# Fault strings supervisord answers with when there is nothing to do.
ALREADY = {"ALREADY_STARTED", "NOT_RUNNING", "ALREADY_ADDED"}


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: Path, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self._path = str(path)

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


class _UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path: Path, timeout: float):
        super().__init__()
        self._path, self._timeout = path, timeout

    def make_connection(self, host):
        return _UnixConnection(self._path, self._timeout)


class Supervisor:
    def __init__(self, sock: Path, timeout: float = 120):
        self.sock = sock
        proxy = xmlrpc.client.ServerProxy(
            "http://localhost/RPC2", transport=_UnixTransport(sock, timeout), allow_none=True
        )
        self.rpc = proxy.supervisor

    def running(self) -> bool:
        """Whether a supervisord answers on the socket."""
        if not self.sock.exists():
            return False
        try:
            return self.rpc.getState()["statename"] == "RUNNING"
        except (OSError, xmlrpc.client.Error):
            return False

    def wait_running(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not self.running():
            if time.monotonic() > deadline:
                raise TimeoutError(f"supervisord did not answer on {self.sock}")
            time.sleep(0.1)

    def processes(self) -> dict[str, dict]:
        """`group:name` (or `name`) -> supervisord's process info."""
        return {_full_name(p): p for p in self.rpc.getAllProcessInfo()}

    def state(self, name: str) -> str:
        return self.rpc.getProcessInfo(name)["statename"]

    def pid(self, name: str) -> int:
        return self.rpc.getProcessInfo(name)["pid"]

    def start(self, name: str, *, wait: bool = True) -> None:
        """Start `name` (if stopped); with `wait`, until supervisord counts it as running."""
        _quietly(self.rpc.startProcess, name, wait)

    def wait_state(self, name: str, state: str = "RUNNING", timeout: float = 60) -> None:
        """Until `name` runs (RUNNING), or runs no more (STOPPED: stopped, exited, given up)."""
        done = {"RUNNING": {"RUNNING"}, "STOPPED": {"STOPPED", "EXITED", "FATAL"}}[state]
        deadline = time.monotonic() + timeout
        while (found := self.state(name)) not in done:
            if found == "FATAL" or time.monotonic() > deadline:
                raise RuntimeError(f"{name} is {found}, not {state}")
            time.sleep(0.1)

    def stop(self, name: str) -> None:
        _quietly(self.rpc.stopProcess, name, True)

    def start_all(self, names: list[str]) -> None:
        """Start several at once; return when all of them run."""
        for name in names:
            self.start(name, wait=False)
        for name in names:
            self.wait_state(name)

    def stop_all(self, names: list[str]) -> None:
        for name in names:
            _quietly(self.rpc.stopProcess, name, False)
        for name in names:
            self.wait_state(name, "STOPPED")

    def signal(self, name: str, signal: str) -> None:
        self.rpc.signalProcess(name, signal)

    def update(self) -> list[str]:
        """Re-read the configuration and apply it, as `supervisorctl update` does: groups
        whose programs changed are stopped and re-added (and started if they autostart).
        Returns the groups that changed."""
        added, changed, removed = self.rpc.reloadConfig()[0]
        for group in removed + changed:
            _quietly(self.rpc.stopProcessGroup, group, True)
            self.rpc.removeProcessGroup(group)
        for group in changed + added:
            _quietly(self.rpc.addProcessGroup, group)
        return sorted(added + changed + removed)

    def shutdown(self) -> None:
        self.rpc.shutdown()


def _full_name(info: dict) -> str:
    return info["name"] if info["group"] == info["name"] else f"{info['group']}:{info['name']}"


def _quietly(call, *args) -> None:
    try:
        call(*args)
    except xmlrpc.client.Fault as fault:
        if fault.faultString.split(":")[0] not in ALREADY:
            raise

"""What one oversized request costs the server: peak and retained memory of a real daphne.

Serves two trees side by side, each from a fresh daphne process per attempt on its own
migrated SQLite file: the baseline (`--baseline`, a commit from before the request-size limits,
unpacked with `git archive` into a temporary directory) and this working tree. Each attempt
sends one multipart POST with a file of the given size over a raw socket: anonymously to the
login page (with a Content-Length, and chunked), and signed in (session and CSRF token from
bench/live_seed.py) to the speaker profile form with a photo. The server is warmed up first (a
1 KiB POST of the same kind), so the figures are about the body, not first imports. Memory is
the daphne process's VmRSS before the attempt, VmHWM (peak) and VmRSS a second after the
response, in MiB. Results: docs/benchmarks.md, "Request size".

Not a test; prints a table.

    .venv/bin/python bench/body_limits.py [--baseline 6fadcae] [--sizes 50,200] [--only after]
"""

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import servers  # noqa: E402

MIB = 1024 * 1024
# One key for seeding and serving: the seeded sessions are signed with it.
SECRET_KEY = secrets.token_urlsafe(40)
# The commit before the limits (portal/limits.py) were added.
DEFAULT_BASELINE = "6fadcae"


@dataclass(frozen=True)
class Attempt:
    label: str
    path: str
    signed_in: bool
    mib: int
    chunked: bool = False


@dataclass
class Result:
    status: int
    start: float
    peak: float
    after: float


# Trees and servers -------------------------------------------------------------------------


def unpack(ref: str, into: Path) -> Path:
    """The committed tree at `ref` (read-only for this repository: nothing is checked out)."""
    archive = into / "baseline.tar"
    with open(archive, "wb") as out:
        subprocess.run(["git", "archive", ref], cwd=ROOT, stdout=out, check=True)
    tree = into / "baseline"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


def env_for(tree: Path, db: Path) -> dict:
    # DEBUG=1: the form pages use {% static %}, and neither tree has run collectstatic.
    return servers.server_env(
        db, debug=True, SECRET_KEY=SECRET_KEY, PYTHONPATH=str(tree),
        PORTAL_VAR_DIR=str(db.parent / "var"),
    )  # fmt: skip


def prepare(tree: Path, db: Path) -> dict:
    """Migrate a fresh database with the tree's own code; one member with a session."""
    env = env_for(tree, db)
    run = {"cwd": tree, "env": env, "check": True, "timeout": 600}
    subprocess.run([servers.PYTHON, "manage.py", "migrate", "--no-input", "-v0"], **run)
    seeded = subprocess.run(
        [servers.PYTHON, "bench/live_seed.py", "--users", "1"], capture_output=True, **run
    )
    return json.loads(seeded.stdout)["users"][0]


def start(tree: Path, db: Path, port: int) -> subprocess.Popen:
    # daphne puts its working directory first on sys.path: run it inside the tree it serves.
    cmd = [servers.DAPHNE, "-b", "127.0.0.1", "-p", str(port), "-v", "0",
           "portal.asgi:application"]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=tree, env=env_for(tree, db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    servers.wait_listening(port, proc=proc)
    return proc


def memory_mib(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields


# The client --------------------------------------------------------------------------------


def multipart(fields: dict[str, str], file_field: str, size: int) -> tuple[bytes, bytes, str]:
    boundary = "bench" + secrets.token_hex(8)
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head, tail, f"multipart/form-data; boundary={boundary}"


def post(port: int, path: str, *, size: int, user: dict | None, chunked: bool = False) -> int:
    """Send the POST over a raw socket (no client library buffers it); the response status."""
    fields = {"login": "someone@example.com", "password": "wrong"}
    cookie = ""
    if user is not None:
        fields = {"csrfmiddlewaretoken": user["csrf"], "name": "Bench Speaker", "bio": ""}
        cookie = f"Cookie: sessionid={user['session']}; csrftoken={user['csrf']}\r\n"
    head, tail, content_type = multipart(fields, "photo", size)
    framing = (
        "Transfer-Encoding: chunked\r\n"
        if chunked
        else f"Content-Length: {len(head) + size + len(tail)}\r\n"
    )
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\n"
        f"{framing}{cookie}Referer: http://127.0.0.1:{port}{path}\r\nConnection: close\r\n\r\n"
    ).encode()
    block = os.urandom(MIB)

    def pieces():
        yield head
        left = size
        while left:
            yield block[: min(left, MIB)]
            left -= min(left, MIB)
        yield tail

    with socket.create_connection(("127.0.0.1", port), timeout=600) as sock:
        try:
            sock.sendall(request)
            for piece in pieces():
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early; its answer is still there to read
        status_line = sock.makefile("rb").readline()
    return int(status_line.split()[1])


def measure(tree: Path, db: Path, user: dict, attempt: Attempt) -> Result:
    port = servers.free_port()
    proc = start(tree, db, port)
    try:
        who = user if attempt.signed_in else None
        post(port, attempt.path, size=1024, user=who)  # warm-up: imports, templates, a parse
        time.sleep(0.5)
        before = memory_mib(proc.pid)["VmRSS"]
        status = post(port, attempt.path, size=attempt.mib * MIB, user=who,
                      chunked=attempt.chunked)  # fmt: skip
        time.sleep(1)
        now = memory_mib(proc.pid)
        return Result(status=status, start=before, peak=now["VmHWM"], after=now["VmRSS"])
    finally:
        servers.stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="git ref without limits")
    parser.add_argument("--sizes", default="50,200", help="MiB per attempt, comma-separated")
    parser.add_argument("--only", choices=["before", "after"], help="serve one tree only")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    attempts = [
        attempt
        for mib in sizes
        for attempt in (
            Attempt(f"anonymous login, {mib} MiB", "/accounts/login/", False, mib),
            Attempt(f"anonymous login, {mib} MiB chunked", "/accounts/login/", False, mib, True),
            Attempt(f"signed-in speaker photo, {mib} MiB", "/speaker-profile/", True, mib),
        )
    ]
    with tempfile.TemporaryDirectory(prefix="body-limits-") as tmp:
        tmp = Path(tmp)
        trees = {"before": unpack(args.baseline, tmp), "after": ROOT}
        if args.only:
            trees = {args.only: trees[args.only]}
        results: dict[str, list[Result]] = {}
        for name, tree in trees.items():
            (tmp / name).mkdir()
            db = tmp / name / "db.sqlite3"
            user = prepare(tree, db)
            results[name] = [measure(tree, db, user, attempt) for attempt in attempts]
            print(f"{name}: done", file=sys.stderr)

    print(f"baseline {args.baseline} against the working tree; MiB of daphne's memory")
    header = "| attempt |" + "".join(f" {name}: status | start | peak | after |" for name in trees)
    print(header)
    print("| --- |" + " ---: |" * (4 * len(trees)))
    for i, attempt in enumerate(attempts):
        cells = [attempt.label]
        for name in trees:
            r = results[name][i]
            cells += [str(r.status), f"{r.start:.0f}", f"{r.peak:.0f}", f"{r.after:.0f}"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

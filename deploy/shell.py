"""Running the commands the stack needs (apt-get, initdb, openssl, manage.py, pg_dump)."""

import os
import subprocess
import sys
from pathlib import Path

from .config import ROOT, base_env, is_root


def run(
    args: list,
    *,
    env: dict[str, str] | None = None,
    user: str | None = None,
    capture: bool = False,
    timeout: float = 600,
    stdin=None,
    stdout=None,
    check: bool = True,
) -> subprocess.CompletedProcess:
    """Run `args` (as `user` when we are root), with the stack's clean environment plus
    `env`; unless `check` is off, stop with the command's output when it fails."""
    cmd = [str(a) for a in args]
    if user and is_root():
        cmd = ["runuser", "-u", user, "--", *cmd]
    result = subprocess.run(  # noqa: S603 - fixed programs, arguments from our own config
        cmd,
        cwd=ROOT,
        env={**base_env(), **(env or {})},
        stdin=stdin,
        stdout=stdout if stdout is not None else (subprocess.PIPE if capture else None),
        stderr=subprocess.PIPE if capture else None,
        text=stdout is None,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        detail = (result.stderr or "") if capture else ""
        raise SystemExit(f"failed ({result.returncode}): {' '.join(cmd)}\n{detail}".rstrip())
    return result


def say(message: str) -> None:
    print(f"[stack] {message}", file=sys.stderr, flush=True)


def chown(path: Path, user: str | None, *, group: str | None = None, recursive=False) -> None:
    """Give `path` to a service's user (only meaningful, and only done, as root)."""
    if not (user or group) or not is_root():
        return
    import shutil

    paths = [path]
    if recursive:
        paths += [Path(d) / n for d, dirs, files in os.walk(path) for n in dirs + files]
    for p in paths:
        shutil.chown(p, user=user, group=group)

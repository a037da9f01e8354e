"""The Debian packages the stack runs on, installed when missing (as root, with apt-get)."""

from pathlib import Path

from .config import is_root, which
from .shell import run, say

# program -> Debian package providing it
NEEDED = {
    "postgres": "postgresql",
    "pg_dump": "postgresql-client",
    "pg_restore": "postgresql-client",
    "redis-server": "redis-server",
    "nginx": "nginx",
    "supervisord": "supervisor",
    "openssl": "openssl",
}


def pg_tool(name: str) -> str | None:
    """A PostgreSQL program, from Debian's versioned directory first (the server and its
    pg_dump must be the same major version), else from PATH."""
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    for directory in sorted(versions, key=lambda d: _version(d.parent.name), reverse=True):
        if (directory / name).exists():
            return str(directory / name)
    return which(name)


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def missing() -> list[str]:
    found = {
        prog: pg_tool(prog) if prog.startswith(("pg_", "postgres")) else which(prog)
        for prog in NEEDED
    }
    return sorted({NEEDED[prog] for prog, path in found.items() if not path})


def ensure() -> None:
    packages = missing()
    if not packages:
        return
    if not is_root():
        raise SystemExit(
            "The stack needs Debian packages that are missing; install them with\n"
            f"  sudo apt-get install -y {' '.join(packages)}"
        )
    say(f"installing {', '.join(packages)} (apt-get)")
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update", "-qq"], env=env)
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages], env=env)


def pg_bin() -> Path:
    postgres = pg_tool("postgres")
    if postgres is None:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
    return Path(postgres).parent

"""Backups: the database (pg_dump's custom format) and the uploaded media files, and back.

    python -m deploy.stack backup [--to DIR]          # the stack's: var/serve/backups/<time>/
    python -m deploy.stack restore DIR                 # into the stack (workers paused)
    python -m deploy.stack restore DIR --database x    # into a new, empty database x
    python -m deploy.backup dump --to DIR              # a server's: DATABASE_URL, MEDIA_ROOT
    python -m deploy.backup restore DIR                #   from the environment (systemd)

A backup directory holds `db.dump`, `media.tar.gz` and `backup.json` (what and when).
"""

import argparse
import json
import os
import shutil
import sys
import tarfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .packages import pg_tool
from .shell import run, say

DUMP, MEDIA, INFO = "db.dump", "media.tar.gz", "backup.json"


def pg_env(database_url: str) -> dict[str, str]:
    """libpq's variables for a DATABASE_URL (the password stays out of the process list)."""
    url = urlsplit(database_url)
    env = {
        "PGHOST": url.hostname or "",
        "PGPORT": str(url.port or 5432),
        "PGUSER": unquote(url.username or ""),
        "PGDATABASE": url.path.lstrip("/"),
    }
    if url.password:
        env["PGPASSWORD"] = unquote(url.password)
    return {k: v for k, v in env.items() if v}


def dump(*, database_url: str, media_root: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=False)
    target.chmod(0o700)
    env = pg_env(database_url)
    run([pg_tool("pg_dump"), "--format=custom", f"--file={target / DUMP}"], env=env, capture=True)
    files = 0
    with tarfile.open(target / MEDIA, "w:gz") as tar:
        if media_root.exists():
            for path in sorted(media_root.rglob("*")):
                tar.add(path, arcname=str(path.relative_to(media_root)), recursive=False)
                files += path.is_file()
    info = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "database": env["PGDATABASE"],
        "media_files": files,
        "dump_bytes": (target / DUMP).stat().st_size,
    }
    (target / INFO).write_text(json.dumps(info, indent=2) + "\n")
    say(f"backup written to {target}")
    return target


def restore_database(*, database_url: str, source: Path) -> None:
    """pg_restore into the (empty) database of `database_url`, in one transaction."""
    run(
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={pg_env(database_url)['PGDATABASE']}",
            source / DUMP,
        ],
        env=pg_env(database_url),
        capture=True,
    )


def restore_media(*, media_root: Path, source: Path) -> None:
    """Replace `media_root` with the backup's files (unpacked beside it, then swapped in)."""
    fresh = media_root.with_name(media_root.name + ".restoring")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    with tarfile.open(source / MEDIA) as tar:
        tar.extractall(fresh, filter="data")
    old = media_root.with_name(media_root.name + ".replaced")
    shutil.rmtree(old, ignore_errors=True)
    if media_root.exists():
        media_root.rename(old)
    fresh.rename(media_root)
    shutil.rmtree(old, ignore_errors=True)


def check_source(source: Path) -> Path:
    source = source.resolve()
    if not (source / DUMP).exists() or not (source / MEDIA).exists():
        raise SystemExit(f"{source} is not a backup (no {DUMP} and {MEDIA})")
    return source


# -- the stack's commands ------------------------------------------------------------------


def add_commands(commands) -> None:
    make = commands.add_parser("backup", help="dump the database and media into backups/<time>/")
    make.add_argument("--to", type=Path, help="the directory to create")
    back = commands.add_parser("restore", help="restore a backup into the stack")
    back.add_argument("backup", type=Path)
    back.add_argument(
        "--database",
        default="portal",
        help="restore into this new database of the stack's cluster instead of the portal's "
        "(the portal keeps running; media are left alone)",
    )


def run_command(args, stack) -> int:
    from . import postgres
    from .stack import wait_ready, wait_worker, worker_names
    from .supervisor import Supervisor

    if args.command == "backup":
        target = args.to or stack.backups_dir / time.strftime("%Y%m%d-%H%M%S")
        dump(database_url=stack.database_url, media_root=stack.media_root, target=target)
        print(target)
        return 0
    source = check_source(args.backup)
    url = stack.database_url.rsplit("/", 1)[0] + f"/{args.database}"
    if args.database != "portal":
        with postgres.psycopg.connect(postgres.superuser_conninfo(stack)) as conn:
            found = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [args.database]
            ).fetchone()
        if found:
            raise SystemExit(f"database {args.database} exists: restore only into a new one")
        postgres.ensure_database(stack, args.database)
        restore_database(database_url=url, source=source)
        say(f"restored {source} into database {args.database}")
        return 0
    sup = Supervisor(stack.supervisor_sock)
    portal = [*worker_names(stack), "tasks"]
    say("stopping the web and task workers")
    sup.stop_all(portal)
    postgres.drop_database(stack, "portal")
    postgres.ensure_database(stack, "portal")
    restore_database(database_url=url, source=source)
    restore_media(media_root=stack.media_root, source=source)
    sup.start_all(portal)
    for n in range(stack.workers):
        wait_worker(stack, n)
    wait_ready(stack)
    say(f"restored {source}; the portal is serving again")
    return 0


# -- a real server's (DATABASE_URL and MEDIA_ROOT from the environment) ---------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.backup",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("dump")
    make.add_argument("--to", type=Path, required=True)
    back = commands.add_parser("restore", help="into an empty DATABASE_URL; replaces media")
    back.add_argument("backup", type=Path)
    args = parser.parse_args(argv)
    url, media = os.environ["DATABASE_URL"], Path(os.environ["MEDIA_ROOT"])
    if args.command == "dump":
        dump(database_url=url, media_root=media, target=args.to)
    else:
        source = check_source(args.backup)
        restore_database(database_url=url, source=source)
        restore_media(media_root=media, source=source)
    return 0


if __name__ == "__main__":
    sys.exit(main())

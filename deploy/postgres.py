"""The stack's PostgreSQL cluster: its own data directory under var/serve/postgres, run as the
`postgres` system user when we are root, reachable only on 127.0.0.1 with passwords."""

import time

import psycopg
from psycopg import sql

from .config import Stack, system_user
from .packages import pg_bin
from .shell import chown, run, say


def initdb(stack: Stack) -> None:
    """Create the cluster once; the superuser `postgres` gets a generated password."""
    if (stack.pg_data / "PG_VERSION").exists():
        return
    user = system_user("postgres")
    stack.pg_dir.mkdir(parents=True, exist_ok=True)
    stack.pg_dir.chmod(0o700)
    chown(stack.pg_dir, user, group=user)
    pwfile = stack.pg_dir / "initdb-password"
    pwfile.write_text(stack.secret("postgres-password") + "\n")
    chown(pwfile, user, group=user)
    say(f"creating the PostgreSQL cluster in {stack.pg_data}")
    try:
        run(
            [
                pg_bin() / "initdb",
                "-D",
                stack.pg_data,
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--auth-local=peer",
                "--auth-host=scram-sha-256",
                f"--pwfile={pwfile}",
            ],
            user=user,
            capture=True,
        )
    finally:
        pwfile.unlink(missing_ok=True)


def superuser_conninfo(stack: Stack, dbname: str = "postgres") -> str:
    return psycopg.conninfo.make_conninfo(
        host="127.0.0.1",
        port=stack.pg_port,
        user="postgres",
        password=stack.secret("postgres-password"),
        dbname=dbname,
        connect_timeout=2,
    )


def wait_ready(stack: Stack, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(superuser_conninfo(stack)) as conn:
                conn.execute("SELECT 1")
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def ensure_database(stack: Stack, dbname: str = "portal") -> None:
    """The role `portal` (its password from secrets/) and its database, if missing."""
    password = stack.secret("db-password")
    with psycopg.connect(superuser_conninfo(stack), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'portal'").fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(sql.SQL(verb + " ROLE portal LOGIN PASSWORD {}").format(sql.Literal(password)))
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
            say(f"creating the database {dbname}")
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER portal").format(sql.Identifier(dbname)))


def drop_database(stack: Stack, dbname: str) -> None:
    with psycopg.connect(superuser_conninfo(stack), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
        )

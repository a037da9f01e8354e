"""Backups of the stack: the database (pg_dump) and the media files, restored into an empty
database and over the running portal."""

from pathlib import Path

import psycopg
from psycopg import sql

from tests.deploy.live_clients import Action, act
from tests.deploy.stack import stack_only

pytestmark = stack_only


def table_contents(database_url: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of all its rows (in a fixed order)."""
    found = {}
    with psycopg.connect(database_url) as conn:
        tables = [
            t
            for (t,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        for table in tables:
            found[table] = conn.execute(
                sql.SQL(
                    "SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '')"
                    " FROM {} t"
                ).format(sql.Identifier(table))
            ).fetchone()
    return found


def test_a_backup_restores_into_an_empty_database_and_over_the_portal(running_stack):
    rs = running_stack
    photo = rs.stack.media_root / "speakers" / "ada.png"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(b"\x89PNG not really")
    at_backup = table_contents(rs.stack.database_url)

    made = rs.command("backup")
    backup = Path(made.stdout.strip())
    into_new = rs.command("restore", str(backup), "--database", "portal_restored")
    restored_url = rs.stack.database_url.rsplit("/", 1)[0] + "/portal_restored"
    in_new_database = table_contents(restored_url)
    with psycopg.connect(rs.stack.database_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE portal_restored")
    # Life goes on after the backup...
    assert act(rs, Action("question", rs.member(39), text="Asked after the backup")).acknowledged
    photo.unlink()
    changed = table_contents(rs.stack.database_url)
    # ...until the backup is restored over it.
    over_portal = rs.command("restore", str(backup))
    after_restore = table_contents(rs.stack.database_url)
    with rs.client() as browser:
        serving = browser.get(f"/events/{rs.data['slug']}/live/")

    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in backup.iterdir()) == ["backup.json", "db.dump", "media.tar.gz"]
    assert into_new.returncode == 0, into_new.stderr
    assert len(at_backup) > 30
    assert in_new_database == at_backup
    assert changed["live_question"][0] == at_backup["live_question"][0] + 1
    assert over_portal.returncode == 0, over_portal.stderr
    assert after_restore == at_backup
    assert photo.read_bytes() == b"\x89PNG not really"
    assert serving.status_code == 200
    assert "Asked after the backup" not in serving.text


def test_restoring_into_an_existing_database_is_refused(running_stack):
    made = running_stack.command("backup")
    refused = running_stack.command("restore", made.stdout.strip(), "--database", "postgres")

    assert refused.returncode == 1
    assert refused.stderr.strip() == "database postgres exists: restore only into a new one"

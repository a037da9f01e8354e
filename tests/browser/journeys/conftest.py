"""Fixtures of the journeys suite: a fresh portal per journey, served by a real daphne.

The live room and the organiser's dashboard need websockets, so every journey runs against
daphne (bench/servers.py), as tests/browser/test_live_qa.py does. The database is migrated
once per session into a template file; each journey copies it, writes its own starting data
(seed.py) and starts its own daphne on it, so the home page's "next event" is that journey's
and a sign-up never meets an e-mail address another journey took. pytest's test database is
not used. A journey's starting data is written once per module (its three passes start from
copies of that file), so each pass starts one Django process, its daphne, rather than two.
"""

import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from bench import servers
from tests.browser.journeys.harness import Journey

JOURNEYS_ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "journeys"
HEIGHTS = {390: 844, 1280: 900}


@pytest.fixture(scope="session")
def journey_template_db(migrated_db) -> Path:
    """The session's migrated SQLite file (tests/conftest.py), shared with the other servers."""
    return migrated_db


@dataclass
class Portal:
    """One journey's portal: its address, its starting data and the browser contexts opened
    on it (closed before daphne stops, so no request of theirs is left in flight)."""

    base: str
    data: dict
    browser: Browser
    contexts: list[BrowserContext] = field(default_factory=list)

    def page(self, width: int, *, session: str | None = None, **options) -> Page:
        context = self.browser.new_context(
            viewport={"width": width, "height": HEIGHTS.get(width, 900)},
            accept_downloads=True,
            **options,
        )
        self.contexts.append(context)
        if session:
            context.add_cookies([{"name": "sessionid", "value": session, "url": self.base}])
        return context.new_page()


def _env(db: Path) -> dict:
    return servers.server_env(db, debug=True, LIVE_HEARTBEAT_SECONDS="5")


def _copy_db(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite file, pages still in its write-ahead log included."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


@pytest.fixture(scope="module")
def journey_seed(request, journey_template_db, tmp_path_factory) -> tuple[Path, dict]:
    """The starting data of the module's journey (`JOURNEY`), written once into a copy of the
    template: the database file and what seed.py reported (slugs, names, session keys)."""
    name = request.module.JOURNEY
    work = tmp_path_factory.mktemp(f"journey-{name}-seed")
    db = work / "db.sqlite3"
    shutil.copy(journey_template_db, db)
    seeded = subprocess.run(
        [servers.PYTHON, "-m", "tests.browser.journeys.seed", name, str(work / "seed.json")],
        cwd=servers.ROOT, env=_env(db), timeout=120, capture_output=True, text=True,
    )  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr
    return db, json.loads((work / "seed.json").read_text())


def _start_portal(seed: tuple[Path, dict], work: Path, browser: Browser):
    seeded_db, data = seed
    db = work / "db.sqlite3"
    _copy_db(seeded_db, db)  # before daphne starts: nothing of another pass's to leak
    env = _env(db)
    proc = servers.start_daphne("portal.asgi:application", env=env, log=work / "daphne.log")
    return proc, Portal(f"http://127.0.0.1:{proc.port}", json.loads(json.dumps(data)), browser)


@pytest.fixture
def portal(browser: Browser, journey_seed, tmp_path):
    """The portal for the journey named by the test module's `JOURNEY`, on its own copy of
    the journey's starting data."""
    proc, started = _start_portal(journey_seed, tmp_path, browser)
    yield started
    for context in started.contexts:
        context.close()
    servers.stop(proc)


@pytest.fixture
def journey(request, portal):
    """A Journey named after the test (journey, width, keyboard or not); its report is written
    to the artifacts folder whatever the test's outcome."""
    params = request.node.callspec.params
    keyboard = params.get("mode") == "keyboard"
    label = f"{request.module.JOURNEY}-{'keyboard-' if keyboard else ''}{params['width']}"
    folder = JOURNEYS_ARTIFACTS / label
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    made = Journey(label, width=params["width"], folder=folder, keyboard=keyboard,
                   budget=request.module.BUDGET)  # fmt: skip
    yield made
    made.write_report()

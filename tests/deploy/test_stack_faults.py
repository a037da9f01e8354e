"""Faults of the production shape, each on the running stack: a web worker killed mid-session,
Redis and PostgreSQL restarted, the task worker killed mid-queue.

Each test records what it measured in tests/artifacts/stack-faults.json (docs/deploy.md and
docs/benchmarks.md quote a run). The bounds asserted are several times the figures measured.
"""

import asyncio
import json
import random
import re
import statistics
import time
from pathlib import Path

import pytest

from tests.deploy.live_clients import RECONNECT_DELAY, Action, LiveClient, act
from tests.deploy.stack import going_count, stack_only, vote_counts

pytestmark = stack_only
FIGURES = Path(__file__).resolve().parents[1] / "artifacts" / "stack-faults.json"
QA, COUNTS = 'id="qa-open"', 'id="live-counts"'


def record(name: str, figures: dict) -> None:
    FIGURES.parent.mkdir(exist_ok=True)
    found = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    found[name] = {**figures, "recorded": time.strftime("%Y-%m-%d %H:%M:%S")}
    FIGURES.write_text(json.dumps(found, indent=2) + "\n")
    print(f"\n{name}: {json.dumps(figures)}")


def wait_until(check, *, timeout: float, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while not (found := check()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {timeout} s")
        time.sleep(interval)
    return found


@pytest.fixture(autouse=True)
def _stack_healthy(running_stack):
    """Every test starts, and leaves, with every process of the stack running."""
    sup = running_stack.sup
    wait_until(
        lambda: {p["statename"] for p in sup.processes().values()} == {"RUNNING"}, timeout=60
    )
    yield
    wait_until(
        lambda: {p["statename"] for p in sup.processes().values()} == {"RUNNING"}, timeout=60
    )


async def open_on_every_worker(rs, *, each: int) -> list[LiveClient]:
    """Live pages through nginx until every worker holds at least `each` of their sockets."""
    clients, deadline = [], time.monotonic() + 30
    # A worker that just restarted gets new sockets again once nginx's fail_timeout is over.
    while min(await asyncio.to_thread(rs.sockets_per_worker)) < each:
        assert time.monotonic() < deadline, "nginx keeps sending every socket to one worker"
        client = LiveClient(rs)
        client.start()
        await client.wait_for(QA)
        clients.append(client)
        await asyncio.sleep(0.1)
    return clients


def _db_state(rs) -> dict:
    """Questions (text -> rows), votes ((text, email) pairs), going RSVPs (emails), and the
    vote count of each visible question of the talk."""
    event = rs.data["event_id"]
    questions = dict(
        rs.sql(
            "SELECT text, count(*) FROM live_question WHERE event_id = %s GROUP BY text", [event]
        )
    )
    votes = rs.sql(
        "SELECT q.text, u.email FROM live_questionvote v JOIN live_question q ON q.id = "
        "v.question_id JOIN auth_user u ON u.id = v.user_id WHERE q.event_id = %s",
        [event],
    )
    going = rs.sql(
        "SELECT u.email FROM rsvp_rsvp r JOIN auth_user u ON u.id = r.user_id "
        "WHERE r.event_id = %s AND r.status = 'going'",
        [event],
    )
    shown = dict(
        rs.sql(
            "SELECT q.id, count(v.id) FROM live_question q LEFT JOIN live_questionvote v ON "
            "v.question_id = q.id WHERE q.event_id = %s AND q.talk_id = %s AND "
            "q.status = 'visible' GROUP BY q.id",
            [event, rs.data["talk_id"]],
        )
    )
    return {
        "questions": questions,
        "votes": set(votes),
        "going": sorted(e for (e,) in going),
        "shown": shown,
    }


def test_restarting_redis_pauses_live_updates_only(running_stack):
    rs = running_stack
    data = rs.data
    members = [rs.member(n) for n in range(14, 20)]

    async def outage():
        clients = await open_on_every_worker(rs, each=3)
        per_worker = await asyncio.to_thread(rs.sockets_per_worker)
        connects = sum(len(c.connects) for c in clients)
        stopped_at = time.monotonic()
        await asyncio.to_thread(rs.sup.stop, "redis")
        during = []
        with rs.client() as browser:
            for path in ("/", f"/events/{data['slug']}/", f"/events/{data['slug']}/live/"):
                during.append((path, (await asyncio.to_thread(browser.get, path)).status_code))
        rsvps = [await asyncio.to_thread(act, rs, Action("rsvp", m)) for m in members[:3]]
        down_for = time.monotonic() - stopped_at
        # Measured from the start command; supervisord reports Redis running 1 s later.
        back_at = time.monotonic()
        await asyncio.to_thread(rs.sup.start, "redis")
        # Ask a new question every 0.25 s until every socket, on both workers, shows one.
        probes, seen_at, n = [], None, 0
        while seen_at is None and time.monotonic() - back_at < 30:
            text = f"Probe {n} after the Redis restart"
            probe = Action("question", members[3 + n // 5], text=text)
            probes.append(await asyncio.to_thread(act, rs, probe))
            try:
                for client in clients:
                    await client.wait_for(text, after=back_at, timeout=0.25)
                seen_at = time.monotonic()
            except TimeoutError:
                n += 1
        for client in clients:
            await client.stop()
        return {
            "per_worker": per_worker,
            "during": during,
            "rsvps": rsvps,
            "down_for": down_for,
            "resumed": None if seen_at is None else seen_at - back_at,
            "probes": probes,
            "reconnects": sum(len(c.connects) for c in clients) - connects,
        }

    found = asyncio.run(outage())
    record(
        "redis restarted",
        {
            "sockets_per_worker": found["per_worker"],
            "redis_down_s": round(found["down_for"], 2),
            "live_updates_resumed_s": round(found["resumed"], 2),
            "probe_questions": len(found["probes"]),
            "socket_reconnects": found["reconnects"],
        },
    )

    assert min(found["per_worker"]) >= 3
    assert [status for _, status in found["during"]] == [200, 200, 200]
    assert [r.status for r in found["rsvps"]] == [200, 200, 200]
    assert found["resumed"] < 10
    assert found["reconnects"] == 0  # the sockets never noticed
    assert {m["email"] for m in members[:3]} <= set(_db_state(rs)["going"])


def test_restarting_postgres_answers_503_then_recovers_without_restarting_workers(
    running_stack,
):
    rs = running_stack
    workers = {n: rs.sup.pid(n) for n in ("web:web-0", "web:web-1")}
    rs.sup.stop("postgres")
    with rs.client() as browser:
        asked = time.monotonic()
        page = browser.get("/")
        answered_in = time.monotonic() - asked
        ready = browser.get("/readyz")
        alive = browser.get("/healthz")
    back_at = time.monotonic()  # from the start command (PostgreSQL takes ~1 s to start)
    rs.sup.start("postgres")

    def serving():
        with rs.client() as browser:
            return browser.get("/").status_code == 200

    wait_until(serving, timeout=30, interval=0.1)
    recovered = time.monotonic() - back_at
    record(
        "postgresql restarted",
        {
            "page_answered_while_down_s": round(answered_in, 2),
            "recovered_after_restart_s": round(recovered, 2),
        },
    )

    assert page.status_code == 503
    assert page.headers["retry-after"] == "5"
    assert "The portal is briefly unavailable" in page.text
    assert "Traceback" not in page.text
    shown = re.search(r"<code data-request-id>([0-9a-f]{32})</code>", page.text)[1]
    assert shown == page.headers["x-request-id"]
    assert (ready.status_code, ready.json()["checks"]) == (
        503,
        {"database": "unavailable", "redis": "ok"},
    )
    assert alive.status_code == 200
    assert recovered < 10
    assert {n: rs.sup.pid(n) for n in workers} == workers


def test_killing_the_task_worker_mid_queue_sends_every_email_once(running_stack):
    rs = running_stack
    members = [rs.member(n) for n in range(20, 32)]
    emails = {m["email"] for m in members}
    rs.sup.stop("tasks")
    for member in members:
        assert act(rs, Action("rsvp", member)).acknowledged
    # The RSVPs' emails (the event's planned reminders wait in the same queue for their time).
    rsvp_tasks = "FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s"
    queued = rs.sql(f"SELECT count(*) {rsvp_tasks} AND status = 'READY'", ("rsvp.tasks.%",))
    held = rs.sink.hold_next(after=4)
    rs.sup.start("tasks")
    pid = rs.sup.pid("tasks")
    assert held.wait(30)  # the worker is in the middle of sending the fifth email
    rs.sup.signal("tasks", "KILL")
    killed_at = time.monotonic()
    rs.sink.release()
    wait_until(lambda: sum(len(rs.sink.received(to=e)) for e in emails) >= len(members), timeout=60)
    drained = time.monotonic() - killed_at
    time.sleep(1.5)  # anything sent twice would arrive by now
    received = {e: [m["subject"] for m in rs.sink.received(to=e)] for e in emails}
    statuses = dict(
        rs.sql(f"SELECT status, count(*) {rsvp_tasks} GROUP BY status", ("rsvp.tasks.%",))
    )
    log = (rs.stack.logs_dir / "tasks.log").read_text()
    record(
        "task worker killed",
        {
            "queued": queued[0][0],
            "sent_before_kill": 4,
            "queue_drained_after_kill_s": round(drained, 2),
        },
    )

    assert queued == [(len(members),)]
    assert rs.sup.pid("tasks") != pid
    assert received == {e: [f"You're going: {rs.data['title']}"] for e in emails}
    assert statuses.get("RUNNING", 0) == 0
    assert statuses.get("READY", 0) == 0
    assert "re-queued 1 task(s) left running by stack-tasks-0" in log


def test_killing_a_web_worker_mid_session_heals_through_nginx(running_stack):
    rs = running_stack
    members = [rs.member(n) for n in range(2, 14)]
    # Questions to vote for, asked before the session's rush.
    for n, member in enumerate(members[:3]):
        asked = act(rs, Action("question", member, text=f"Target question {n}?"))
        assert asked.acknowledged, asked
    targets = [
        pk
        for (pk,) in rs.sql(
            "SELECT id FROM live_question WHERE text LIKE 'Target question %%' ORDER BY id"
        )
    ]
    actions = [Action("rsvp", m) for m in members]
    actions += [Action("question", m, text=f"Asked by {m['email']} mid-session") for m in members]
    actions += [Action("vote", m, question_id=pk) for m in members for pk in targets]
    random.Random(14).shuffle(actions)

    async def session():
        clients = await open_on_every_worker(rs, each=5)
        per_worker = await asyncio.to_thread(rs.sockets_per_worker)
        pid_before = rs.sup.pid("web:web-0")
        started = time.monotonic()
        pending = []
        killed_at = None
        for action in actions:
            if killed_at is None and time.monotonic() - started > 1.5:
                rs.sup.signal("web:web-0", "KILL")
                killed_at = time.monotonic()
            pending.append(asyncio.create_task(asyncio.to_thread(act, rs, action)))
            await asyncio.sleep(0.07)
        await asyncio.gather(*pending)
        dropped = [c for c in clients if any(at > killed_at for at in c.closes)]
        healed_at = [await c.wait_for(QA, after=c.closes[-1]) for c in dropped]
        # One more change after the dust settles: every socket must show it, with the
        # whole current state.
        final = Action("question", members[-1], text="Is everyone back?")
        await asyncio.to_thread(act, rs, final)
        for client in clients:
            await client.wait_for("Is everyone back?", after=killed_at)
        await asyncio.sleep(1.0)  # the last counts broadcast (coalesced per 0.5 s)
        for client in clients:
            await client.stop()
        restarted = await asyncio.to_thread(
            wait_until, lambda: rs.sup.state("web:web-0") == "RUNNING", timeout=30
        )
        return {
            "clients": clients,
            "per_worker": per_worker,
            "dropped": dropped,
            "heal": [at - killed_at for at in healed_at],
            "final": final,
            "pid_changed": restarted and rs.sup.pid("web:web-0") != pid_before,
        }

    found = asyncio.run(session())
    db = _db_state(rs)
    done = [a for a in actions if a.acknowledged]
    failed = [a for a in actions if not a.acknowledged]
    record(
        "web worker killed",
        {
            "sockets": len(found["clients"]),
            "sockets_on_killed_worker": found["per_worker"][0],
            "reconnect_delay_s": RECONNECT_DELAY,
            "heal_s_max": round(max(found["heal"]), 2),
            "heal_s_median": round(statistics.median(found["heal"]), 2),
            "writes": len(actions),
            "writes_failed": len(failed),
            "failed_statuses": sorted(str(a.status or a.error[:40]) for a in failed),
        },
    )

    assert found["per_worker"][0] > 0
    assert len(found["dropped"]) == found["per_worker"][0]
    assert max(found["heal"]) < 10
    assert found["pid_changed"] is True
    assert found["final"].acknowledged
    # Nothing acknowledged was lost, nothing was stored twice, nothing unasked appeared.
    for action in actions:
        if action.kind == "question":
            expected = {1} if action.acknowledged else {0, 1}
            assert db["questions"].get(action.text, 0) in expected, action
        elif action.kind == "vote":
            text = f"Target question {targets.index(action.question_id)}?"
            if action.acknowledged:
                assert (text, action.member["email"]) in db["votes"], action
        elif action.acknowledged:
            assert action.member["email"] in db["going"], action
    assert all(count == 1 for count in db["questions"].values())
    assert {a.kind for a in done} == {"rsvp", "question", "vote"}
    # Every socket ends on the database's state: each question with its votes, the counts.
    going = len(
        rs.sql(
            "SELECT 1 FROM rsvp_rsvp WHERE event_id = %s AND status = 'going'",
            [rs.data["event_id"]],
        )
    )
    for client in found["clients"]:
        assert vote_counts(client.last(QA)) == db["shown"]
        assert going_count(client.last(COUNTS)) == going

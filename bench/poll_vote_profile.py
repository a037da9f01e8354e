"""One poll answer (or, with --qa, one Q&A upvote), profiled: the statements of an htmx vote
POST and its CPU per request.

In-process (Django's test client with CSRF checks on, no HTTP server), against a fresh
migrated SQLite database with the settings `bench/live_fanout.py` serves the portal with
(`bench/servers.py`: rate limits on, broadcasts coalesced and rendered in the background), the
poll round's data (`bench/live_poll_seed.py`'s running event with an open poll whose results
show while voting). Each answer comes from a different signed-in member, POSTed as htmx does
(session cookie, CSRF header, `HX-Request`) to the real vote URL. Prints the statements of one
first answer, then the CPU per answer over N first answers and N changed answers (the request
thread alone, and the whole process, which includes the coalesced results broadcasts rendered
by the worker thread), what any signed-in request costs before its view (the floor: a GET of
the vote URL, answered 405), and writes a cProfile of further first answers to --out.

With `--before DIR` (another checkout, e.g. from `git archive`), the same measurement runs
first against DIR's code in a child process, then against this tree's, and both are printed
side by side.

With `--qa`, the POSTs are Q&A upvotes of one question of the same room
(`/events/<slug>/live/questions/<id>/vote/`, the request `bench/live_fanout.py` drives): the
"first" votes are upvotes and the "changed" ones the same people taking them back (the toggle
pressed again). Not a test.

    .venv/bin/python bench/poll_vote_profile.py [--votes 300] [--before /tmp/before] [--qa]
"""

import argparse
import cProfile
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPTIONS = ["Channels", "Server-sent events", "Polling", "Carrier pigeon"]


def measure(tree: Path, votes: int, out: str, qa: bool = False) -> dict:
    """Everything runs against `tree`'s code (its directory first on sys.path)."""
    sys.path.insert(0, str(tree))
    db = Path(tempfile.mkdtemp(prefix="poll-vote-")) / "db.sqlite3"
    from bench.servers import server_env

    os.environ.update(server_env(db, LIVE_BROADCAST_IN_BACKGROUND="1"))
    import django

    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.utils import timezone

    from bench.live_seed import session_for
    from live import polls, services
    from meetups.models import Event, Group, Talk

    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = ["testserver"]
    User = get_user_model()
    organiser = User.objects.create_user(username="poll-organiser", password="x")  # noqa: S106
    group = Group.objects.create(name="Poll bench", slug="poll-bench", owner=organiser)
    now = timezone.now()
    event = Event.objects.create(
        group=group, title="Poll bench", slug="poll-bench", starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=5), status=Event.Status.PUBLISHED,
    )  # fmt: skip
    talk = Talk.objects.create(event=event, title="Fan-out", slug="fan-out")
    poll = polls.poll_create(
        event=event, talk=talk, user=organiser, question="How should screens learn of a vote?",
        options=OPTIONS,
    )  # fmt: skip
    polls.poll_open(poll=poll, user=organiser)
    option_ids = list(poll.options.order_by("position").values_list("pk", flat=True))
    voters = [User(username=f"voter{i}") for i in range(2 * votes + 21)]
    for user in voters:
        user.set_unusable_password()
    User.objects.bulk_create(voters, batch_size=500)
    sessions = [session_for(u) for u in User.objects.filter(username__startswith="voter")]
    url = f"/events/{event.slug}/live/polls/{poll.pk}/vote/"
    if qa:
        question = services.question_create(
            event=event, talk=talk, author=organiser, text="Is a websocket worth it for a vote?"
        )
        url = f"/events/{event.slug}/live/questions/{question.pk}/vote/"
    csrf = "a" * 32  # a valid unmasked secret; the cookie and the header carry the same

    client = Client(enforce_csrf_checks=True)  # one handler, as one server process

    def vote(session: str, option: int) -> int:
        client.cookies.clear()
        client.cookies[settings.SESSION_COOKIE_NAME] = session
        client.cookies[settings.CSRF_COOKIE_NAME] = csrf
        data = {} if qa else {"option": option}  # a Q&A vote toggles: no choice to send
        response = client.post(url, data, headers={"X-CSRFToken": csrf, "HX-Request": "true"})
        return response.status_code

    def burst(batch: list[str], shift: int) -> tuple[float, float]:
        process, thread = time.process_time(), time.thread_time()
        codes = {vote(s, option_ids[(i + shift) % len(option_ids)]) for i, s in enumerate(batch)}
        assert codes == {200}, codes
        return time.process_time() - process, time.thread_time() - thread

    def floor(batch: list[str]) -> float:
        """A signed-in GET of the vote URL, answered 405 before the view: what the middleware
        (session, user, CSRF cookie, logging) costs any request, in the request thread."""
        thread = time.thread_time()
        for session in batch:
            client.cookies.clear()
            client.cookies[settings.SESSION_COOKIE_NAME] = session
            assert client.get(url).status_code == 405
        return (time.thread_time() - thread) / len(batch) * 1000

    burst(sessions[-20:], 0)  # warm-up: imports, URL and template caches
    floor(sessions[-20:])
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert vote(sessions[0], option_ids[0]) == 200
    overhead = floor(sessions[1 : votes + 1])
    first = burst(sessions[1 : votes + 1], 0)
    changed = burst(sessions[1 : votes + 1], 1)
    profile = cProfile.Profile()
    profile.enable()
    burst(sessions[votes + 1 : 2 * votes + 1], 2)
    profile.disable()
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    profile.dump_stats(out)
    if qa:
        burst(sessions[votes + 1 : 2 * votes + 1], 0)  # leave the room as the poll's: no votes
    time.sleep(2 * settings.LIVE_POLL_COALESCE_SECONDS + 0.5)  # let the last broadcast finish
    connections.close_all()
    return {
        "statements": statements,
        "first": [first[0] / votes * 1000, first[1] / votes * 1000],
        "changed": [changed[0] / votes * 1000, changed[1] / votes * 1000],
        "floor": overhead,
        "profile": out,
    }


def report(label: str, result: dict, votes: int, answer: str) -> None:
    print(f"{label}: one first {answer}, {len(result['statements'])} statements")
    for sql in result["statements"]:
        print("   ", sql[:110])
    for name in ("first", "changed"):
        process, thread = result[name]
        print(
            f"  {votes} {name} {answer}s: CPU per {answer} {thread:.2f} ms in the request thread,"
            f" {process:.2f} ms in the process"
        )
    print(f"  {votes} signed-in GETs answered 405 (the floor): {result['floor']:.2f} ms each")
    print(f"  cProfile of another {votes} first {answer}s: {result['profile']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--votes", type=int, default=300)
    parser.add_argument("--before", help="another checkout to measure first, for comparison")
    parser.add_argument("--qa", action="store_true", help="Q&A upvotes instead of poll answers")
    parser.add_argument("--out", help="the cProfile (default var/bench/poll_vote.prof, qa_vote)")
    parser.add_argument("--tree", help=argparse.SUPPRESS)  # the child's: measure this tree
    args = parser.parse_args()

    answer = "vote" if args.qa else "answer"
    args.out = args.out or str(ROOT / "var" / "bench" / f"{'qa' if args.qa else 'poll'}_vote.prof")
    if args.tree:
        json.dump(measure(Path(args.tree), args.votes, args.out, args.qa), sys.stdout)
        return
    results = {}
    trees = [("before", Path(args.before).resolve())] if args.before else []
    for label, tree in [*trees, ("this tree", ROOT)]:
        out = args.out if tree == ROOT else str(Path(args.out).with_suffix(".before.prof"))
        cmd = [sys.executable, __file__, "--tree", str(tree), "--votes", str(args.votes)]
        cmd += ["--qa"] if args.qa else []
        child = subprocess.run(
            [*cmd, "--out", out], cwd=tree, capture_output=True, text=True, check=False
        )
        if child.returncode:
            sys.exit(f"{label} ({tree}) failed:\n{child.stderr[-3000:]}")
        results[label] = json.loads(child.stdout)
        report(label, results[label], args.votes, answer)
    if len(results) == 2:
        before, after = results["before"], results["this tree"]
        print("\n| | before | this tree |\n| --- | --: | --: |")
        print(f"| statements, one first {answer} | {len(before['statements'])} |"
              f" {len(after['statements'])} |")  # fmt: skip
        print(f"| floor: a signed-in GET answered 405, request thread | {before['floor']:.2f} |"
              f" {after['floor']:.2f} |")  # fmt: skip
        for name in ("first", "changed"):
            for i, where in ((1, "request thread"), (0, "process")):
                print(f"| CPU ms per {name} {answer}, {where} | {before[name][i]:.2f} |"
                      f" {after[name][i]:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()

"""The production shape, end to end: a browser's path through nginx to the workers, the task
worker and an SMTP server, and what an operator sees (supervisord, logs, metrics)."""

import asyncio
import json
import re
import stat
import time

import pytest

from deploy.config import system_user
from tests.deploy.stack import stack_only

pytestmark = stack_only


async def frame_with(ws, marker: str, timeout: float = 20) -> str:
    async def wait():
        while True:
            frame = await ws.recv()
            if marker in frame:
                return frame

    return await asyncio.wait_for(wait(), timeout)


def request_log(running_stack, request_id: str, *, workers=None) -> list[dict]:
    """The request-log lines of `request_id` in the workers' logs. supervisord copies each
    worker's output into its log file a moment after the worker writes it: wait for it."""
    workers = range(running_stack.stack.workers) if workers is None else workers
    deadline = time.monotonic() + 5
    while True:
        found = [
            line
            for n in workers
            for text in (running_stack.stack.logs_dir / f"web-{n}.log").read_text().splitlines()
            if text.startswith("{")
            and (line := json.loads(text)).get("request_id") == request_id
            and line["logger"] == "portal.request"
        ]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_up_again_changes_nothing(running_stack):
    release = running_stack.stack.dir / "release"
    before = {name: info["pid"] for name, info in running_stack.sup.processes().items()}
    release_before = release.read_text()

    result = running_stack.command("up")

    after = {name: info["pid"] for name, info in running_stack.sup.processes().items()}
    assert result.returncode == 0, result.stderr
    assert sorted(before) == ["nginx", "postgres", "redis", "tasks", "web:web-0", "web:web-1"]
    assert "configuration changed" not in result.stderr
    if release.read_text() == release_before:
        assert after == before
        assert "restarting" not in result.stderr
    else:
        # Someone edited the source meanwhile: only the portal's processes restart, one by one.
        assert {n: after[n] for n in ("nginx", "postgres", "redis")} == {
            n: before[n] for n in ("nginx", "postgres", "redis")
        }
        assert re.findall(r"restarting (\S+) for the new release", result.stderr) == [
            "web:web-0",
            "web:web-1",
            "tasks",
        ]


def test_sign_in_rsvp_and_the_task_worker_emails_the_ticket(running_stack):
    login, data = running_stack.data["login"], running_stack.data
    with running_stack.client() as browser:
        assert browser.get("/accounts/login/").status_code == 200
        signed_in = browser.post(
            "/accounts/login/",
            data={
                "login": login["email"],
                "password": login["password"],
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            },
        )
        rsvp = browser.post(
            f"/events/{data['slug']}/rsvp/going/",
            data={"guests": "0"},
            headers={"HX-Request": "true", "X-CSRFToken": browser.cookies["csrftoken"]},
        )

    assert (signed_in.status_code, signed_in.headers["location"]) == (302, "/")
    assert rsvp.status_code == 200
    assert running_stack.sql(
        "SELECT r.status FROM rsvp_rsvp r JOIN auth_user u ON u.id = r.user_id WHERE u.email = %s",
        [login["email"]],
    ) == [("going",)]
    emails = running_stack.sink.wait_for(1, to=login["email"])
    assert [m["subject"] for m in emails] == [f"You're going: {data['title']}"]


def test_a_socket_through_nginx_gets_a_broadcast_caused_on_another_worker(running_stack):
    data, member = running_stack.data, running_stack.member(0)
    text = "Asked on one worker, pushed by the other?"

    async def scenario():
        ws = await running_stack.open_socket()
        try:
            await frame_with(ws, 'id="qa-open"')
            holders = running_stack.sockets_per_worker()
            other = holders.index(0)
            with running_stack.worker_client(other, member) as direct:
                answer = direct.post(
                    f"/events/{data['slug']}/live/questions/",
                    data={"text": text, "qa": data["talk_slug"]},
                    headers={"HX-Request": "true"},
                )
            frame = await frame_with(ws, text)
            return holders, other, answer, frame
        finally:
            await ws.close()

    holders, other, answer, frame = asyncio.run(scenario())

    assert sorted(holders) == [0, 1]
    assert answer.status_code == 200
    # Once as the question (its vote button names it too, inside an attribute).
    assert frame.count(f">{text}<") == 1
    served = request_log(running_stack, answer.headers["x-request-id"], workers=[other])
    assert [(line["method"], line["status"]) for line in served] == [("POST", 200)]


def test_static_files_come_from_nginx_with_far_future_caching(running_stack):
    with running_stack.client() as browser:
        home = browser.get("/")
        css = re.search(r'href="(/static/css/dist/styles\.[0-9a-f]{12}\.css)"', home.text)[1]
        answer = browser.get(css, headers={"Accept-Encoding": "gzip"})

    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.headers["content-type"] == "text/css"
    assert "x-request-id" not in answer.headers  # nginx answered; no worker saw it


def test_the_deploy_check_is_clean_for_the_stack_settings(running_stack):
    result = running_stack.manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_health_and_readiness_through_nginx(running_stack):
    with running_stack.client() as browser:
        alive, ready = browser.get("/healthz"), browser.get("/readyz")

    assert (alive.status_code, alive.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (
        200,
        {"status": "ok", "checks": {"database": "ok", "redis": "ok"}},
    )


def test_metrics_are_served_on_loopback_ports_and_not_through_nginx(running_stack):
    data, stack = running_stack.data, running_stack.stack

    def qa_broadcasts():
        return sum(
            running_stack.metrics(stack.worker_metrics_port(n)).get(
                'portal_live_broadcasts_sent_total{kind="qa"}', 0
            )
            for n in range(stack.workers)
        )

    before = qa_broadcasts()
    with running_stack.worker_client(0) as direct:
        assert direct.get("/").status_code == 200
    with running_stack.client(running_stack.member(1)) as browser:
        public = browser.get("/metrics")
        asked = browser.post(
            f"/events/{data['slug']}/live/questions/",
            data={"text": "Is the metrics port public?", "qa": data["talk_slug"]},
            headers={"HX-Request": "true"},
        )
    worker = running_stack.metrics(stack.worker_metrics_port(0))
    tasks = running_stack.metrics(stack.task_metrics_port)

    assert public.status_code == 404
    assert asked.status_code == 200
    assert qa_broadcasts() - before == 1
    assert worker['portal_http_requests_total{method="GET",status="200",view="home"}'] >= 1
    assert 'portal_http_request_duration_seconds_count{method="GET",view="home"}' in worker
    assert worker["portal_websockets_open"] == 0
    assert tasks["portal_tasks_queued"] == 0


def test_request_ids_tie_nginx_the_worker_log_and_the_response_together(running_stack):
    with running_stack.client() as browser:
        answer = browser.get("/", headers={"X-Request-ID": "chosen-by-the-client-1"})
    request_id = answer.headers["x-request-id"]
    logged = request_log(running_stack, request_id)
    access_log = (running_stack.stack.nginx_dir / "logs" / "access.log").read_text()

    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id, not the client's
    assert [(line["path"], line["status"], line["logger"]) for line in logged] == [
        ("/", 200, "portal.request")
    ]
    assert access_log.count(f"request_id={request_id}") == 1


def test_proxy_headers_are_nginx_s_never_the_client_s(running_stack):
    with running_stack.client() as browser:
        answer = browser.get(
            "/", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "http"}
        )
    request_id = answer.headers["x-request-id"]
    logged = request_log(running_stack, request_id)
    run_dir = running_stack.stack.run_dir.stat()

    # "http" from the client would have been redirected to HTTPS; nginx said https.
    assert answer.status_code == 200
    assert [line["ip"] for line in logged] == ["127.0.0.1"]
    # Only we and nginx's group may reach the workers' sockets.
    assert stat.S_IMODE(run_dir.st_mode) == 0o750
    if system_user("www-data"):
        import grp

        assert grp.getgrgid(run_dir.st_gid).gr_name == "www-data"


def test_bodies_over_the_upload_limit_are_refused_by_nginx(running_stack):
    site = (running_stack.stack.nginx_dir / "site.conf").read_text()
    with running_stack.client() as browser:
        # nginx's limit is the portal's biggest (a talk's slides: 20 MiB and 64 KiB of form).
        answer = browser.post(
            "/accounts/login/",
            content=b"x" * (20 * 1024 * 1024 + 64 * 1024 + 1),
            headers={"Content-Type": "application/octet-stream"},
        )

    assert re.findall(r"client_max_body_size (\S+);", site) == ["21037056"]
    assert answer.status_code == 413
    assert "x-request-id" not in answer.headers


@pytest.fixture(autouse=True)
def _stack_healthy(running_stack):
    """Each test starts with every process running (a fault test may have just healed)."""
    states = {n: p["statename"] for n, p in running_stack.sup.processes().items()}
    assert set(states.values()) == {"RUNNING"}, states

"""portal.numbers: integers from outside parsed once, with bounds; never a 500."""

import pytest

from portal.numbers import MAX_ID, MAX_PAGE, parse_id, parse_int
from tests import factories

HUGE = "9" * 40


@pytest.mark.parametrize(
    ("value", "expected"),
    [("42", 42), (" 7 ", 7), (5, 5), ("0", 0), ("²", None), ("\u0661\u0662", None), ("4²", None),
     ("", None), ("-1", None), ("1e3", None), ("0x10", None), (HUGE, None), (True, None),
     (None, None), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("+3", None)],
)  # fmt: skip
def test_parse_int_takes_ascii_digits_within_bounds_only(value, expected):
    assert parse_int(value, minimum=0) == expected


def test_parse_int_honours_a_negative_minimum_and_a_maximum():
    assert (parse_int("-3", minimum=-5, maximum=5), parse_int("6", minimum=-5, maximum=5)) == (
        -3,
        None,
    )
    assert (parse_id("0"), parse_id("1")) == (None, 1)


# Routes that take an id in their path, one per app (and the ninja routes with int path params).
PAGE_ROUTES = [
    "/proposals/{n}/",
    "/groups/{group}/ideas/{n}/",
    "/my-events/{n}/ticket/",
    "/accounts/tokens/{n}/revoke/",
    "/events/{event}/live/questions/{n}/vote/",
    "/organise/{group}/organisers/invitations/{n}/revoke/",
]
API_ROUTES = ["/api/rsvps/{n}", "/api/proposals/{n}/vote", "/api/questions/{n}/vote"]


@pytest.mark.django_db
@pytest.mark.parametrize("number", [HUGE, str(MAX_ID + 1), "1" + "0" * 18])
@pytest.mark.parametrize("route", PAGE_ROUTES)
def test_a_huge_id_in_a_page_path_is_not_found(client, route, number):
    group = factories.make_group(slug="g")
    event = factories.make_event(group=group, slug="e")
    user = factories.make_user(username="someone")
    group.organisers.add(user)
    client.force_login(user)
    url = route.format(n=number, group=group.slug, event=event.slug)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("number", [HUGE, str(MAX_ID + 1)])
@pytest.mark.parametrize("route", API_ROUTES)
def test_a_huge_id_in_an_api_path_is_refused_not_a_server_error(client, route, number):
    client.force_login(factories.make_user(username="someone"))
    url = route.format(n=number)
    for method in (client.get, client.post, client.delete):
        status = method(url).status_code
        assert status in (404, 405, 422), (method.__name__, status)


LISTS = ["/api/events", "/api/talks", "/api/speakers"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", [HUGE, str(MAX_ID), str(MAX_PAGE + 1), "0", "-1", "²"])
@pytest.mark.parametrize("url", LISTS)
def test_an_api_page_out_of_range_is_a_422(client, url, page):
    factories.make_event(group=factories.make_group())
    response = client.get(url, {"page": page})
    assert response.status_code == 422


@pytest.mark.django_db
@pytest.mark.parametrize("url", LISTS)
def test_an_api_page_past_the_end_is_an_empty_page(client, url):
    factories.make_event(group=factories.make_group())
    response = client.get(url, {"page": MAX_PAGE, "page_size": MAX_PAGE})
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.django_db
def test_an_api_page_size_out_of_range_is_a_422(client):
    assert client.get("/api/events", {"page_size": HUGE}).status_code == 422

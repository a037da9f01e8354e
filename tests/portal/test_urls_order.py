"""The API's patterns come first in the URL conf (an API request no longer walks every page's
pattern), which is only safe while no page pattern can match a path under api/."""

from django.urls import URLResolver, get_resolver, resolve

from portal.api import api


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        else:
            yield route


def test_the_api_is_the_first_pattern_tried():
    first = get_resolver().url_patterns[0]
    assert isinstance(first, URLResolver)
    assert str(first.pattern) == "api/"
    assert first.namespace == api.urls_namespace


def test_no_page_pattern_can_match_a_path_under_api():
    page_routes = list(_routes(get_resolver().url_patterns[1:]))
    assert len(page_routes) > 200  # the walk found the pages
    # Every page route starts with literal text (no converter or regex that could take
    # "api/"), and that text is not api/.
    starts_open = [r for r in page_routes if r.startswith(("<", "^", "("))]
    assert starts_open == []
    assert [r for r in page_routes if r.startswith("api")] == []


def test_pages_and_the_api_still_resolve_to_their_views():
    assert resolve("/api/events/some-event/rsvp").view_name == "api:rsvp_create"
    assert resolve("/events/some-event/").view_name == "meetups:event_detail"
    assert resolve("/").view_name == "home"

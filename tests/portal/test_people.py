"""portal.people.display_name: the one way a person is named, in Python and in templates."""

import pytest
from django.template import engines

from portal.people import display_name
from tests import factories

pytestmark = pytest.mark.django_db


def test_display_name_prefers_the_name_then_the_username_then_the_email():
    named = factories.make_user(username="u1", first_name="Ada", last_name="L")
    plain = factories.make_user(username="u2")
    email_only = factories.make_user(email="grace@example.org")
    email_only.username = ""

    assert [display_name(u) for u in (named, plain, email_only)] == ["Ada L", "u2", "grace"]


def test_every_template_has_the_display_name_filter_without_loading_it():
    """Guards the builtin: a template that names a person must not need a {% load %} of its
    own (nor fall back to writing the rule inline)."""
    user = factories.make_user(username="u3", first_name="Grace")

    html = engines["django"].from_string("{{ person|display_name }}").render({"person": user})

    assert html == "Grace"

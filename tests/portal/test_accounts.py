"""Sign up (display name, email, one password), log in with email, log out, password reset and
the display name on the profile page, through django-allauth."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.text import is_single_line
from rsvp.models import Rsvp
from tests import factories
from tests.factories import PASSWORD

SIGNUP = {
    "name": "Ada Lovelace",
    "email": "ada.l@example.com",
    "password1": "a-long-enough-password",
}


def _signup(client, **fields):
    return client.post("/accounts/signup/", {**SIGNUP, **fields})


@pytest.mark.django_db
def test_signup_creates_an_account_with_the_display_name_and_signs_in(client):
    """Guards: the display name asked at sign-up is stored as the name every page shows, the
    username is made up without being asked, and the new member is signed in."""
    response = _signup(client)

    assert response.status_code == 302
    user = get_user_model().objects.get()
    assert (user.first_name, user.last_name, user.email) == (
        "Ada Lovelace",
        "",
        "ada.l@example.com",
    )
    assert user.get_full_name() == "Ada Lovelace"
    assert user.username == "ada.l"  # from the email's local part, not asked
    assert user.check_password("a-long-enough-password") is True
    assert client.get("/accounts/profile/").context["profile_user"] == user


@pytest.mark.django_db
def test_signup_returns_to_the_page_it_was_asked_from(client, event):
    """Guards the attendee's path: signing up from an event page (the RSVP panel's login, then
    "sign up") lands back on the event, not on the home page."""
    back = event.get_absolute_url()
    form = client.get("/accounts/signup/", {"next": back}).content.decode()

    response = _signup(client, next=back)

    assert f'<input type="hidden" name="next" value="{back}">' in form
    assert response.status_code == 302
    assert response["Location"] == back


@pytest.mark.django_db
def test_signup_trims_the_display_name(client):
    _signup(client, name="  Grace Hopper \t")

    assert get_user_model().objects.get().first_name == "Grace Hopper"


@pytest.mark.django_db
def test_signup_makes_up_a_unique_username_when_the_local_part_is_taken(client):
    """Guards: two people whose addresses share a local part both get an account (the made-up
    username must not collide with an existing one)."""
    factories.make_user(username="ada.l", email="ada.l@elsewhere.example")

    response = _signup(client)

    assert response.status_code == 302
    new = get_user_model().objects.get(email="ada.l@example.com")
    assert new.username != "ada.l"
    assert new.username.startswith("ada.l") is True
    assert new.first_name == "Ada Lovelace"


@pytest.mark.django_db
def test_signup_asks_for_name_email_and_one_password_and_no_username(client):
    """Guards: the sign-up form's fields, in order: no username, no second password."""
    response = client.get("/accounts/signup/")

    form = response.context["form"]
    assert list(form.fields) == ["name", "email", "password1"]
    assert form.fields["name"].label == "Display name"
    html = response.content.decode()
    assert html.count('type="password"') == 1
    assert 'name="username"' not in html
    assert '<input type="text" name="name" maxlength="80" autocomplete="name" required' in html


@pytest.mark.django_db
def test_signup_password_help_is_plain_text_the_field_points_at(client):
    """Guards: the password's help is a sentence inside the <p> its aria-describedby names
    (allauth's HTML list there is cut off by the browser, leaving the <p> empty)."""
    html = client.get("/accounts/signup/").content.decode()

    assert 'aria-describedby="id_password1_helptext"' in html
    assert (
        '<p class="field-help" id="id_password1_helptext">'
        "Your password can\u2019t be too similar to your other personal information."
        " Your password must contain at least 8 characters."
    ) in html
    assert "<ul>" not in html


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "Enter the name to show on your ticket."),
        ("   ", "Enter the name to show on your ticket."),
        ("\u200b\u200b", "Enter a name people can read."),
        ("A" * 81, "Ensure this value has at most 80 characters (it has 81)."),
        ("Ada\nLovelace", "Keep this on one line, without control characters."),
        ("Ada\u2028Lovelace", "Keep this on one line, without control characters."),
        ("Ada\x07", "Keep this on one line, without control characters."),
    ],
    ids=["blank", "spaces", "invisible", "too-long", "two-lines", "line-separator", "control"],
)
@pytest.mark.django_db
def test_signup_refuses_a_bad_display_name_next_to_the_field_and_keeps_the_email(
    client, name, error
):
    """Guards: the display name is validated (required, trimmed, 1-80 characters, one line,
    no control characters), the message sits next to the field, the typed email is kept, and
    no account is created."""
    response = _signup(client, name=name)

    assert response.status_code == 200
    assert response.context["form"].errors == {"name": [error]}
    html = response.content.decode()
    assert f'<p class="field-error" id="id_name_error">{error}</p>' in html
    assert 'name="email" value="ada.l@example.com"' in html
    focused = [
        name for name, f in response.context["form"].fields.items() if "autofocus" in f.widget.attrs
    ]
    assert focused == ["name"]
    assert get_user_model().objects.exists() is False


@pytest.mark.django_db
def test_signup_accepts_a_name_of_exactly_80_characters(client):
    _signup(client, name="A" * 80)

    assert get_user_model().objects.get().first_name == "A" * 80


@pytest.mark.django_db
def test_signed_up_name_is_what_the_ticket_the_door_list_and_the_csv_show(client, event):
    """Guards the issue's complaint: tickets, the door list and the CSV showed the username
    of anyone who signed up, since sign-up asked for no name."""
    _signup(client)
    user = get_user_model().objects.get(email="ada.l@example.com")
    client.post(reverse("rsvp:create", kwargs={"slug": event.slug}), {"guests": "0"})
    rsvp = Rsvp.objects.get(event=event, user=user)
    organiser = factories.make_user(username="olive")
    event.group.organisers.add(organiser)

    ticket = client.get(reverse("rsvp:ticket", kwargs={"pk": rsvp.pk})).content.decode()
    client.force_login(organiser)
    door = client.get(reverse("rsvp:check_in", kwargs={"slug": event.slug})).content.decode()
    attendees = client.get(reverse("rsvp:attendees", kwargs={"slug": event.slug})).content.decode()
    export = client.get(reverse("rsvp:attendees_csv", kwargs={"slug": event.slug}))

    for html in (ticket, door, attendees):
        assert ">Ada Lovelace<" in html
        assert f">{user.username}<" not in html
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert [(row["name"], row["email"]) for row in rows] == [("Ada Lovelace", "ada.l@example.com")]


@pytest.mark.django_db
def test_signup_success_message_names_the_person(client):
    """Guards: allauth's "signed in as" names the person by display name, not the username."""
    response = _signup(client, email="someone@example.com")

    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        "Confirmation email sent to someone@example.com.",
        "Successfully signed in as Ada Lovelace.",
    ]


NASTY = "\r\n\x00\x07\x0b\x1b\x7f\x85\u2028\u2029\u200b\u202e\ufeff\U0001f600 "
names = (
    st.text(alphabet=st.sampled_from(NASTY) | st.characters(), max_size=90)
    | st.text(alphabet="Ada Lovelace-ÄéΩ", min_size=1, max_size=90)
    | st.sampled_from(["", " ", "Ada\r\nBcc: x@example.com", "\u200b", "A" * 80, "A" * 81])
)


@pytest.mark.hypothesis
@pytest.mark.django_db
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names)
def test_signup_with_any_display_name_creates_a_clean_name_or_refuses_it(client, name):
    """Guards: whatever a stranger sends as the name, sign-up either stores a trimmed,
    one-line, visible name of 1-80 characters, or refuses it next to the field and creates
    nothing; never a 500."""
    cache.clear()  # the sign-up rate limit (20 an hour) would answer the later examples
    response = _signup(client, name=name)

    users = list(get_user_model().objects.all())
    if response.status_code == 302:
        assert [user.first_name for user in users] == [name.strip()]
        assert 1 <= len(users[0].first_name) <= 80
        assert is_single_line(users[0].first_name) is True
        assert users[0].first_name == users[0].first_name.strip()
    else:
        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["name"]
        assert users == []
    client.logout()
    get_user_model().objects.all().delete()


@pytest.mark.django_db
def test_signup_is_limited_to_20_an_hour_per_address():
    """Guards: the sign-up rate limit (ACCOUNT_RATE_LIMITS "signup": "20/h/ip") still holds
    with the new form: the 21st sign-up from one address in an hour is refused."""
    answers = [_signup(Client(), email=f"person{n}@example.com").status_code for n in range(21)]

    assert answers == [302] * 20 + [429]
    assert get_user_model().objects.count() == 20


# --- the display name on the profile page ------------------------------------------------------


@pytest.mark.django_db
def test_profile_changes_the_display_name_with_a_redirect_and_a_message(client):
    """Guards: a signed-in person can change their display name with a plain form (no JS)."""
    user = factories.make_user(username="ada", first_name="Ada", last_name="Lovelace")
    client.force_login(user)

    page = client.get("/accounts/profile/")
    response = client.post("/accounts/profile/", {"first_name": "  Countess of Lovelace "})

    assert page.context["name_form"]["first_name"].value() == "Ada Lovelace"
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Countess of Lovelace", "")
    after = client.get("/accounts/profile/")
    assert [str(m) for m in after.context["messages"]] == [
        "Your display name is now “Countess of Lovelace”."
    ]
    assert 'name="first_name" value="Countess of Lovelace"' in after.content.decode()


@pytest.mark.django_db
def test_profile_refuses_a_bad_display_name_next_to_the_field(client):
    user = factories.make_user(username="ada", first_name="Ada")
    client.force_login(user)

    response = client.post("/accounts/profile/", {"first_name": "Ada\r\nLovelace"})

    assert response.status_code == 422
    assert (
        '<p class="field-error" id="id_first_name_error">'
        "Keep this on one line, without control characters.</p>"
    ) in response.content.decode()
    user.refresh_from_db()
    assert user.first_name == "Ada"


@pytest.mark.django_db
def test_profile_of_a_member_without_a_display_name_falls_back_to_the_username(client, member):
    """Guards: accounts from before sign-up asked for a name keep working, and are told what
    pages show instead."""
    assert member.first_name == ""
    client.force_login(member)

    response = client.get("/accounts/profile/")

    assert response.status_code == 200
    assert response.context["name_form"]["first_name"].value() == ""
    assert (
        "You have not set a display name yet, so pages show your username, “member”."
        in response.content.decode()
    )


@pytest.mark.django_db
def test_profile_name_change_needs_a_login_and_csrf(client, member):
    anonymous = client.post("/accounts/profile/", {"first_name": "Mallory"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/") is True

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post("/accounts/profile/", {"first_name": "Mallory"}).status_code == 403
    member.refresh_from_db()
    assert member.first_name == ""


# --- logging in and out ------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_by_email_and_logout(client, member):
    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200

    client.post("/accounts/logout/")

    assert client.get("/accounts/profile/").status_code == 302


@pytest.mark.django_db
def test_login_with_a_wrong_password_says_so(client, member):
    response = client.post("/accounts/login/", {"login": member.email, "password": "nope"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": ["The email address and/or password you specified are not correct."]
    }


@pytest.mark.django_db
def test_password_reset_sends_an_email_with_a_reset_link(client, member):
    response = client.post("/accounts/password/reset/", {"email": member.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body

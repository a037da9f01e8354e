from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.models import ApiToken, hash_token
from portal.services import MAX_TOKENS_PER_USER, api_token_authenticate, api_token_create
from tests.databases import ON_EACH_DATABASE
from tests.factories import make_user


@pytest.mark.django_db
def test_api_token_create_stores_only_a_hash(member):
    token, raw = api_token_create(user=member, name="door laptop")

    assert raw.startswith("mp_")
    assert token.token_hash == hash_token(raw)
    assert ApiToken.objects.filter(token_hash=raw).exists() is False
    assert api_token_authenticate(raw=raw) == member


@pytest.mark.django_db
def test_last_used_is_written_at_most_once_a_minute(member):
    token, raw = api_token_create(user=member, name="script")

    api_token_authenticate(raw=raw)
    token.refresh_from_db()
    first_use = token.last_used_at
    with CaptureQueriesContext(connection) as again:
        assert api_token_authenticate(raw=raw) == member
    token.refresh_from_db()
    assert first_use is not None
    assert token.last_used_at == first_use
    assert len(again) == 1  # the lookup, no UPDATE

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=2))
    api_token_authenticate(raw=raw)
    token.refresh_from_db()
    assert token.last_used_at > first_use


@pytest.mark.django_db
def test_api_token_of_an_inactive_user_does_not_authenticate(member):
    _token, raw = api_token_create(user=member, name="script")
    member.is_active = False
    member.save()

    assert api_token_authenticate(raw=raw) is None


@pytest.mark.django_db
def test_profile_creates_a_token_and_shows_it_once(client, member):
    client.force_login(member)

    response = client.post("/accounts/tokens/", {"name": "door laptop"})

    raw = response.context["new_token"]
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert api_token_authenticate(raw=raw) == member
    assert "new_token" not in client.get("/accounts/profile/").context


@pytest.mark.django_db
def test_profile_token_form_rejects_a_blank_name(client, member):
    client.force_login(member)

    response = client.post("/accounts/tokens/", {"name": ""})

    assert response.status_code == 422
    assert response.context["token_form"].errors == {"name": ["This field is required."]}
    assert ApiToken.objects.count() == 0


@pytest.mark.django_db
def test_token_count_is_bounded(client, member):
    client.force_login(member)
    for i in range(MAX_TOKENS_PER_USER):
        api_token_create(user=member, name=f"t{i}")

    response = client.post("/accounts/tokens/", {"name": "one too many"})

    assert response.status_code == 422
    assert ApiToken.objects.filter(user=member).count() == MAX_TOKENS_PER_USER


@pytest.mark.django_db
def test_revoking_another_users_token_changes_nothing(member):
    other = make_user()
    token, _raw = api_token_create(user=other, name="theirs")
    client = Client()
    client.force_login(member)

    response = client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["No such token."]
    assert ApiToken.objects.filter(pk=token.pk).exists()


@pytest.mark.django_db
def test_token_pages_need_post_and_login(client, member):
    assert client.post("/accounts/tokens/", {"name": "x"}).status_code == 302
    client.force_login(member)
    assert client.get("/accounts/tokens/").status_code == 405


# --- what mutation testing found untested (docs/testing.md) ----------------------------------


@pytest.mark.django_db
def test_api_token_create_keeps_the_stripped_name_to_60_characters(member):
    token, _raw = api_token_create(user=member, name="  " + "n" * 70 + "  ")

    token.refresh_from_db()
    assert token.name == "n" * 60


@pytest.mark.django_db
def test_token_count_bound_says_why(client, member):
    client.force_login(member)
    for i in range(MAX_TOKENS_PER_USER):
        api_token_create(user=member, name=f"t{i}")

    response = client.post("/accounts/tokens/", {"name": "one too many"})

    assert response.context["token_form"].non_field_errors() == [
        f"You can have at most {MAX_TOKENS_PER_USER} tokens."
    ]


@pytest.mark.django_db
def test_revoking_ones_own_token_deletes_that_token_only(member):
    """Guards against revoking by the wrong key: every token of the user, or nobody's."""
    mine, _ = api_token_create(user=member, name="old laptop")
    kept, _ = api_token_create(user=member, name="new laptop")
    theirs, _ = api_token_create(user=make_user(), name="theirs")
    client = Client()
    client.force_login(member)

    response = client.post(f"/accounts/tokens/{mine.pk}/revoke/")

    assert (response.status_code, response["Location"]) == (302, "/accounts/profile/")
    messages = [str(m) for m in client.get("/accounts/profile/").context["messages"]]
    assert messages == ["The token was revoked."]
    assert list(ApiToken.objects.order_by("pk").values_list("pk", flat=True)) == [
        kept.pk,
        theirs.pk,
    ]


@pytest.mark.django_db
def test_a_wrong_token_authenticates_nobody_even_when_others_exist(member):
    api_token_create(user=member, name="script")

    assert api_token_authenticate(raw="mp_not-a-token") is None


@pytest.mark.django_db
def test_last_used_is_written_again_after_exactly_a_minute(member, stopped_clock):
    token, raw = api_token_create(user=member, name="script")
    api_token_authenticate(raw=raw)
    token.refresh_from_db()
    first_use = token.last_used_at

    stopped_clock.shift(60)
    api_token_authenticate(raw=raw)

    token.refresh_from_db()
    assert token.last_used_at - first_use == timedelta(minutes=1)


@ON_EACH_DATABASE
@pytest.mark.django_db
def test_last_used_is_the_moment_of_use_on_this_token_alone(database, member, stopped_clock):
    """Breaks if the written-out UPDATE stores another moment (SQLite keeps datetimes as text
    in UTC) or touches other tokens."""
    from django.utils import timezone

    assert connection.vendor == database
    token, raw = api_token_create(user=member, name="script")
    other, _ = api_token_create(user=member, name="laptop")
    api_token_authenticate(raw=raw)
    token.refresh_from_db()
    other.refresh_from_db()
    assert (token.last_used_at, other.last_used_at) == (timezone.now(), None)

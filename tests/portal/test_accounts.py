"""Sign up, log in with email, log out and password reset, through django-allauth."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from tests.factories import PASSWORD


@pytest.mark.django_db
def test_signup_creates_an_account_and_signs_in(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "ada@example.com",
            "username": "ada",
            "password1": "a-long-enough-password",
            "password2": "a-long-enough-password",
        },
    )

    assert response.status_code == 302
    user = get_user_model().objects.get(username="ada")
    assert user.email == "ada@example.com"
    assert client.get("/accounts/profile/").context["profile_user"] == user


@pytest.mark.django_db
def test_signup_rejects_mismatched_passwords_and_creates_nothing(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "ada@example.com", "username": "ada", "password1": "a-long-enough-password",
         "password2": "something-else-entirely"},
    )  # fmt: skip

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "password2": ["You must type the same password each time."]
    }
    assert get_user_model().objects.filter(username="ada").exists() is False


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

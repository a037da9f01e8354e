"""Notify's URLs (namespace "notify"), mounted at the root before organise's, since
`organise/<group>/announcements/` would otherwise be taken for an event's dashboard."""

from django.urls import path

from .views import account, announcements

app_name = "notify"

urlpatterns = [
    path("u/<str:token>/", account.unsubscribe, name="unsubscribe"),
    path("accounts/email-preferences/", account.preferences, name="preferences"),
    path(
        "accounts/email-preferences/<slug:group>/",
        account.preferences_update,
        name="preferences_update",
    ),
    path(
        "organise/<slug:group>/announcements/",
        announcements.announcements,
        name="announcements",
    ),
]

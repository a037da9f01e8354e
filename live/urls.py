from django.urls import path

from . import join_views, poll_views, views

app_name = "live"

urlpatterns = [
    path("j/", join_views.join_form, name="join"),
    path("j/<str:code>", join_views.join_code, name="join_code"),
    path("events/<slug:slug>/live/", views.live_page, name="live_page"),
    path("events/<slug:slug>/live/presenter/", views.presenter, name="presenter"),
    path("events/<slug:slug>/live/questions/", views.question_create, name="question_create"),
    path(
        "events/<slug:slug>/live/questions/<id:pk>/vote/",
        views.question_vote,
        name="question_vote",
    ),
    path(
        "events/<slug:slug>/live/questions/<id:pk>/<slug:action>/",
        views.question_moderate,
        name="question_moderate",
    ),
    path("events/<slug:slug>/live/stage/", views.stage_update, name="stage_update"),
    path("events/<slug:slug>/live/settings/", views.settings_update, name="settings_update"),
    path("events/<slug:slug>/live/mode/", views.mode_update, name="mode_update"),
    path(
        "events/<slug:slug>/live/talks/<slug:talk_slug>/settings/",
        views.talk_settings_update,
        name="talk_settings_update",
    ),
    path("events/<slug:slug>/live/polls/", poll_views.poll_manage, name="poll_manage"),
    path("events/<slug:slug>/live/polls.csv", poll_views.polls_csv, name="polls_csv"),
    path("events/<slug:slug>/live/polls/<id:pk>/vote/", poll_views.poll_vote, name="poll_vote"),
    path(
        "events/<slug:slug>/live/polls/<id:pk>/<slug:action>/",
        poll_views.poll_action,
        name="poll_action",
    ),
]

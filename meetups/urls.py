from django.urls import path

from . import resource_views, views

app_name = "meetups"

urlpatterns = [
    path("events/past/", views.event_archive, name="event_archive"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("events/<slug:slug>/calendar.ics", views.event_ics, name="event_ics"),
    path("talks/<slug:slug>/", views.talk_detail, name="talk_detail"),
    path("talks/<slug:slug>/resources/", resource_views.talk_resources, name="talk_resources"),
    path("talks/<slug:slug>/resources/links/", resource_views.talk_link_add, name="talk_link_add"),
    path(
        "talks/<slug:slug>/resources/remove/",
        resource_views.talk_resource_delete,
        name="talk_resource_delete",
    ),
    path(
        "talks/<slug:slug>/resources/<id:pk>/download/",
        resource_views.talk_resource_file,
        name="talk_resource_file",
    ),
    # Under /slides/: the one page route whose body may be as big as a PDF of slides
    # (settings.REQUEST_MAX_UPLOAD_BYTES_BY_PATH).
    path("slides/<slug:slug>/", resource_views.talk_slides_upload, name="talk_slides_upload"),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker_detail"),
    path("groups/<slug:slug>/", views.group_detail, name="group_detail"),
    path("groups/<slug:slug>/calendar.ics", views.group_ics, name="group_ics"),
]

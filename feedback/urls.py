from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    # The post-event email links here by name ("feedback:talk_feedback").
    path("talks/<slug:slug>/feedback/", views.talk_feedback, name="talk_feedback"),
]

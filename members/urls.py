"""Membership URLs (namespace "members"), under the group's own path."""

from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("groups/<slug:slug>/join/", views.join, name="join"),
    path("groups/<slug:slug>/leave/", views.leave, name="leave"),
    path("groups/<slug:slug>/membership/listed/", views.listed, name="listed"),
    path("groups/<slug:slug>/members/", views.member_list, name="member_list"),
]

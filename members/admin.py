"""Admin for memberships and policies: for corrections; bans belong on the organisers' page."""

from django.contrib import admin

from meetups.admin import GroupScopedAdmin

from .models import EventPolicy, GroupPolicy, Membership


@admin.register(Membership)
class MembershipAdmin(GroupScopedAdmin):
    list_display = ["user", "group", "state", "listed", "joined_at"]
    list_filter = ["state", "listed"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user", "banned_by"]


@admin.register(GroupPolicy)
class GroupPolicyAdmin(GroupScopedAdmin):
    list_display = ["group", "rsvp_audience", "qa_audience"]


@admin.register(EventPolicy)
class EventPolicyAdmin(GroupScopedAdmin):
    group_path = "event__group"
    list_display = ["event", "rsvp_audience", "qa_audience"]

"""Admin for the call for talks: for corrections; decisions belong on the review pages."""

from django.contrib import admin

from meetups.admin import GroupScopedAdmin

from .models import (
    CallForTalks,
    Proposal,
    ProposalSpeaker,
    Review,
    TalkIdea,
)


@admin.register(CallForTalks)
class CallForTalksAdmin(GroupScopedAdmin):
    list_display = ["group", "opens_at", "closes_at", "voting_opens_at", "voting_closes_at"]


@admin.register(TalkIdea)
class TalkIdeaAdmin(GroupScopedAdmin):
    list_display = ["title", "group", "author", "created_at"]
    list_filter = ["group"]
    search_fields = ["title"]
    raw_id_fields = ["author"]


class ProposalSpeakerInline(admin.TabularInline):
    model = ProposalSpeaker
    extra = 0
    fields = ["email", "user", "status", "invited_at", "accepted_at"]
    readonly_fields = ["invited_at", "accepted_at"]
    raw_id_fields = ["user"]


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    fields = ["reviewer", "score", "note"]
    raw_id_fields = ["reviewer"]


@admin.register(Proposal)
class ProposalAdmin(GroupScopedAdmin):
    """For corrections; decisions belong on the review pages, which email the speakers."""

    list_display = ["title", "group", "submitter", "status", "length_minutes", "created_at"]
    list_filter = ["status", "group", "length_minutes"]
    list_select_related = ["group", "submitter"]
    search_fields = ["title", "submitter__username", "submitter__email"]
    raw_id_fields = ["submitter", "idea", "event", "talk"]
    filter_horizontal = ["preferred_events"]
    inlines = [ProposalSpeakerInline, ReviewInline]

from django.contrib import admin, messages

from portal.errors import ServiceError

from . import services
from .models import LiveState, Poll, PollOption, Question, QuestionVote, TalkQASettings


@admin.register(LiveState)
class LiveStateAdmin(admin.ModelAdmin):
    list_display = ["event", "current_talk", "premoderate", "accepting_questions"]
    raw_id_fields = ["event", "current_talk", "pinned_question"]


@admin.register(TalkQASettings)
class TalkQASettingsAdmin(admin.ModelAdmin):
    list_display = ["talk", "premoderate"]
    raw_id_fields = ["talk"]


def _moderation_action(service, label: str):
    """An admin action that goes through the service (permission check and broadcast)."""

    def action(modeladmin, request, queryset):
        done = refused = 0
        for question in queryset.select_related("event"):
            try:
                service(question=question, user=request.user)
                done += 1
            except ServiceError:
                refused += 1
        modeladmin.message_user(request, f"{label}: {done} question(s).", messages.SUCCESS)
        if refused:
            modeladmin.message_user(
                request, f"{refused} not changed (not an organiser there).", messages.WARNING
            )

    action.__name__ = f"action_{service.__name__}"
    action.short_description = label
    return action


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "event", "talk", "author", "status", "vote_count", "created_at"]
    list_filter = ["status"]
    search_fields = ["text", "author__username"]
    raw_id_fields = ["event", "talk", "author"]
    list_select_related = ["event", "talk", "author"]
    readonly_fields = ["vote_count"]
    actions = [
        _moderation_action(services.question_approve, "Approve"),
        _moderation_action(services.question_hide, "Hide"),
        _moderation_action(services.question_restore, "Restore"),
        _moderation_action(services.question_mark_answered, "Mark answered"),
    ]


@admin.register(QuestionVote)
class QuestionVoteAdmin(admin.ModelAdmin):
    list_display = ["question", "user", "created_at"]
    raw_id_fields = ["question", "user"]


class PollOptionInline(admin.TabularInline):
    model = PollOption
    extra = 0
    fields = ["position", "text", "final_votes"]
    readonly_fields = ["final_votes"]


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ["question", "event", "talk", "status", "kind", "results", "opened_at"]
    list_filter = ["status", "kind", "results"]
    raw_id_fields = ["event", "talk", "created_by"]
    readonly_fields = ["final_ballots"]
    inlines = [PollOptionInline]

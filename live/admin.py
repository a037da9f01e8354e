from django.contrib import admin

from .models import LiveState, Question, QuestionVote


@admin.register(LiveState)
class LiveStateAdmin(admin.ModelAdmin):
    list_display = ["event", "current_talk", "premoderate", "accepting_questions"]
    raw_id_fields = ["event", "current_talk", "pinned_question"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "event", "talk", "author", "status", "vote_count", "created_at"]
    list_filter = ["status"]
    search_fields = ["text", "author__username"]
    raw_id_fields = ["event", "talk", "author"]
    list_select_related = ["event", "talk", "author"]


@admin.register(QuestionVote)
class QuestionVoteAdmin(admin.ModelAdmin):
    list_display = ["question", "user", "created_at"]
    raw_id_fields = ["question", "user"]

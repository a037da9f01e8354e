"""Admin for organisers: staff organisers see and edit only their own groups' records."""

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from .models import Event, Group, Speaker, SpeakerLink, Sponsor, Talk, Venue
from .signals import event_published


def organised_groups(request: HttpRequest) -> QuerySet[Group]:
    user = request.user
    return Group.objects.filter(Q(owner=user) | Q(organisers=user)).distinct()


class GroupScopedAdmin(admin.ModelAdmin):
    """Limits rows (and foreign-key choices) to the groups the user organises."""

    group_path = "group"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.group_path}__in": organised_groups(request)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "group" and not request.user.is_superuser:
            kwargs["queryset"] = organised_groups(request)
        if db_field.name == "event" and not request.user.is_superuser:
            kwargs["queryset"] = Event.objects.filter(group__in=organised_groups(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TalkInline(admin.StackedInline):
    model = Talk
    extra = 0
    fields = [("title", "slug"), "speakers", "abstract", ("duration_minutes", "order"),
              ("slides_url", "source_url", "video_url"), "recording_start_seconds"]  # fmt: skip
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["speakers"]


@admin.register(Group)
class GroupAdmin(GroupScopedAdmin):
    group_path = "pk"
    list_display = ["name", "slug", "time_zone", "owner"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["organisers"]
    search_fields = ["name"]

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs if request.user.is_superuser else qs.filter(pk__in=organised_groups(request))

    def has_add_permission(self, request):
        return request.user.is_superuser


@admin.register(Event)
class EventAdmin(GroupScopedAdmin):
    list_display = ["title", "group", "starts_at", "status", "venue", "capacity"]
    list_filter = ["status", "group"]
    list_select_related = ["group", "venue"]
    search_fields = ["title", "talks__title"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "starts_at"
    autocomplete_fields = ["venue", "host_sponsor"]
    inlines = [TalkInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Published here rather than through the organiser's pages: the same announcement
        # (the admin saves in one transaction, as `event_publish` does).
        if obj.status == Event.Status.PUBLISHED and form.initial.get("status") != obj.status:
            event_published.send(sender=Event, event=obj)


@admin.register(Talk)
class TalkAdmin(GroupScopedAdmin):
    group_path = "event__group"
    list_display = ["title", "event", "order", "duration_minutes"]
    list_select_related = ["event"]
    search_fields = ["title", "speakers__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["speakers"]


class SpeakerLinkInline(admin.TabularInline):
    model = SpeakerLink
    extra = 1


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user"]
    # Photos are uploaded by speakers through the profile form, which checks type and size.
    readonly_fields = ["photo", "photo_content_type"]
    inlines = [SpeakerLinkInline]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "city"]
    search_fields = ["name", "address"]


@admin.register(Sponsor)
class SponsorAdmin(admin.ModelAdmin):
    list_display = ["name", "website"]
    search_fields = ["name"]

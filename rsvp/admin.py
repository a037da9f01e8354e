"""RSVPs in the admin, and the RSVP settings as an inline on the event admin."""

from django.contrib import admin

from meetups.admin import EventAdmin, GroupScopedAdmin
from meetups.models import Event

from .models import Rsvp, RsvpSettings


class RsvpSettingsInline(admin.StackedInline):
    model = RsvpSettings
    can_delete = False
    extra = 1
    max_num = 1
    fields = ["guests_allowed", ("opens_at", "closes_at"), "waitlist_cutoff_at"]
    verbose_name_plural = "RSVP settings (empty times: defaults)"


class EventWithRsvpAdmin(EventAdmin):
    inlines = [RsvpSettingsInline, *EventAdmin.inlines]


admin.site.unregister(Event)
admin.site.register(Event, EventWithRsvpAdmin)


@admin.register(Rsvp)
class RsvpAdmin(GroupScopedAdmin):
    """Read-mostly: seats change only through the services (the panel, the door, the API)."""

    group_path = "event__group"
    list_display = ["user", "event", "status", "guests", "queued_at", "checked_in_at"]
    list_filter = ["status", "event__group"]
    list_select_related = ["user", "event"]
    search_fields = ["user__username", "user__email", "event__title"]
    readonly_fields = [f.name for f in Rsvp._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

"""Organiser forms. Dates are entered as local wall-clock times in the event's time zone."""

import zoneinfo
from datetime import datetime

from django import forms
from django.utils import timezone

from meetups.models import TIME_ZONE_CHOICES, Event, Sponsor, Venue
from portal.text import (
    is_single_line,
    validate_email_address,
    validate_multi_line,
    validate_single_line,
)

from .models import AttendeeMessage
from .selectors import rsvp_settings_for
from .services import EventFields
from .services.events import CANCEL_REASON_MAX_LENGTH
from .services.messages import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, SUBJECT_ONE_LINE

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT)

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [LOCAL_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])
        super().__init__(**kwargs)


def _to_zone(value: datetime | None, tz_name: str) -> datetime | None:
    """Read a wall-clock time (parsed in the current zone) as a time in `tz_name`."""
    if value is None:
        return None
    naive = timezone.make_naive(value) if timezone.is_aware(value) else value
    return naive.replace(tzinfo=zoneinfo.ZoneInfo(tz_name))


def _local(value: datetime | None, tz_name: str) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value, zoneinfo.ZoneInfo(tz_name)).strftime(LOCAL_FORMAT)


class EventForm(forms.Form):
    DATETIMES = ("starts_at", "ends_at", "rsvp_opens_at", "rsvp_closes_at", "waitlist_cutoff_at")

    title = forms.CharField(max_length=200, validators=[validate_single_line])
    starts_at = LocalDateTimeField(label="Starts")
    ends_at = LocalDateTimeField(label="Ends")
    time_zone = forms.ChoiceField(
        choices=TIME_ZONE_CHOICES, help_text="The times above are local times in this zone."
    )
    venue = forms.ModelChoiceField(
        queryset=Venue.objects.all(), required=False, empty_label="To be announced"
    )
    new_venue_name = forms.CharField(
        max_length=120,
        required=False,
        validators=[validate_single_line],
        label="Or a new venue",
        help_text="Name of a venue not in the list; it is added for next time.",
    )
    new_venue_address = forms.CharField(
        max_length=250,
        required=False,
        validators=[validate_single_line],
        label="New venue address",
    )
    host_sponsor = forms.ModelChoiceField(
        queryset=Sponsor.objects.all(), required=False, empty_label="None", label="Host sponsor"
    )
    capacity = forms.IntegerField(min_value=1, max_value=10000, initial=50, label="Seats")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        validators=[validate_multi_line],
        help_text="Markdown.",
    )
    recording_url = forms.URLField(required=False, label="Recording link", assume_scheme="https")
    guests_allowed = forms.IntegerField(
        min_value=0, max_value=10, initial=1, help_text="Guests each member may bring (0: none)."
    )
    rsvp_opens_at = LocalDateTimeField(
        required=False, label="RSVPs open", help_text="Empty: as soon as it is published."
    )
    rsvp_closes_at = LocalDateTimeField(
        required=False, label="RSVPs close", help_text="Empty: when the event starts."
    )
    waitlist_cutoff_at = LocalDateTimeField(
        required=False,
        label="Waitlist cut-off",
        help_text="Nobody is promoted from the waitlist after this. Empty: when the event starts.",
    )

    def __init__(self, *args, event: Event | None = None, default_time_zone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if event is not None and not self.is_bound:
            settings = rsvp_settings_for(event=event)
            tz = event.time_zone
            self.initial.update(
                title=event.title,
                starts_at=_local(event.starts_at, tz),
                ends_at=_local(event.ends_at, tz),
                time_zone=tz,
                venue=event.venue_id,
                host_sponsor=event.host_sponsor_id,
                capacity=event.capacity,
                description=event.description,
                recording_url=event.recording_url,
                guests_allowed=settings.guests_allowed,
                rsvp_opens_at=_local(settings.opens_at, tz),
                rsvp_closes_at=_local(settings.closes_at, tz),
                waitlist_cutoff_at=_local(settings.waitlist_cutoff_at, tz),
            )
        elif default_time_zone:
            self.initial.setdefault("time_zone", default_time_zone)

    def clean(self):
        data = super().clean()
        tz = data.get("time_zone")
        if tz:
            for name in self.DATETIMES:
                data[name] = _to_zone(data.get(name), tz)
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The event must end after it starts.")
        if data.get("venue") and data.get("new_venue_name"):
            self.add_error(
                "new_venue_name", "Pick a venue from the list or add a new one, not both."
            )
        if data.get("new_venue_address") and not data.get("new_venue_name"):
            self.add_error("new_venue_name", "Give the new venue a name.")
        opens, closes = data.get("rsvp_opens_at"), data.get("rsvp_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("rsvp_closes_at", "RSVPs must close after they open.")
        if ends and closes and closes > ends:
            self.add_error("rsvp_closes_at", "RSVPs cannot close after the event ends.")
        cutoff = data.get("waitlist_cutoff_at")
        if ends and cutoff and cutoff > ends:
            self.add_error("waitlist_cutoff_at", "The cut-off cannot be after the event ends.")
        return data

    def event_fields(self, venue: Venue | None) -> EventFields:
        data = self.cleaned_data
        return EventFields(
            title=data["title"].strip(),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            time_zone=data["time_zone"],
            venue=venue if venue is not None else data.get("venue"),
            host_sponsor=data.get("host_sponsor"),
            capacity=data["capacity"],
            description=data.get("description", ""),
            recording_url=data.get("recording_url", ""),
            guests_allowed=data["guests_allowed"],
            rsvp_opens_at=data.get("rsvp_opens_at"),
            rsvp_closes_at=data.get("rsvp_closes_at"),
            waitlist_cutoff_at=data.get("waitlist_cutoff_at"),
        )


class DuplicateForm(forms.Form):
    starts_at = LocalDateTimeField(label="The copy starts", help_text="Local time of the event.")

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event

    def clean_starts_at(self):
        value = _to_zone(self.cleaned_data["starts_at"], self.event.time_zone)
        if value <= timezone.now():
            raise forms.ValidationError("Choose a start in the future.")
        return value


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=CANCEL_REASON_MAX_LENGTH,
        required=False,
        validators=[validate_multi_line],
        widget=forms.Textarea(attrs={"rows": 3}),
        label="A word to attendees (optional)",
        help_text="Included in the cancellation email.",
    )
    confirm = forms.BooleanField(
        label="Yes, cancel this event and email everyone who RSVP'd",
        error_messages={"required": "Tick the box to confirm the cancellation."},
    )


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address", max_length=254, validators=[validate_email_address]
    )


class MessageForm(forms.Form):
    audience = forms.ChoiceField(
        choices=AttendeeMessage.Audience.choices, label="To", widget=forms.RadioSelect
    )
    subject = forms.CharField(max_length=SUBJECT_MAX_LENGTH)
    body = forms.CharField(
        max_length=BODY_MAX_LENGTH,
        validators=[validate_multi_line],
        widget=forms.Textarea(attrs={"rows": 8}),
        label="Message",
        help_text="Plain text. Each person gets their own email.",
    )

    def clean_subject(self):
        subject = self.cleaned_data["subject"].strip()
        if not is_single_line(subject):
            raise forms.ValidationError(SUBJECT_ONE_LINE)
        return subject

"""The organiser's choice of an event's reminders: up to three, from a fixed list of times."""

from django import forms

from .models import OFFSETS_MAX_COUNT

OFFSET_CHOICES = [
    (15, "15 minutes before"),
    (30, "30 minutes before"),
    (60, "1 hour before"),
    (120, "2 hours before"),
    (180, "3 hours before"),
    (360, "6 hours before"),
    (720, "12 hours before"),
    (1440, "1 day before"),
    (2 * 1440, "2 days before"),
    (3 * 1440, "3 days before"),
    (7 * 1440, "1 week before"),
    (14 * 1440, "2 weeks before"),
]


class ReminderPlanForm(forms.Form):
    offsets = forms.TypedMultipleChoiceField(
        label="Remind those going",
        choices=OFFSET_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=f"Up to {OFFSETS_MAX_COUNT}; none turns this event's reminders off.",
    )

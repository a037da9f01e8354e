from django import forms

from .selectors import SEARCH_MAX_LENGTH, AttendeeFilter


class GuestsForm(forms.Form):
    """How many guests come along; the choices are 0..the event's limit."""

    guests = forms.TypedChoiceField(coerce=int, initial=0, label="Guests")

    def __init__(self, *args, guests_allowed: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.guests_allowed = guests_allowed
        field = self.fields["guests"]
        field.choices = [
            (n, "Just me" if n == 0 else f"Me + {n}") for n in range(guests_allowed + 1)
        ]
        field.error_messages["invalid_choice"] = (
            "This event does not allow guests."
            if guests_allowed == 0
            else f"Choose between 0 and {guests_allowed} guests."
        )


class CheckInSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        label="Find a name or email",
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "placeholder": "Name or email"}
        ),
    )


class AttendeeFilterForm(forms.Form):
    status = forms.ChoiceField(choices=AttendeeFilter.CHOICES, required=False, label="Show")

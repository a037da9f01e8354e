import re

from django import forms

from portal.text import validate_email_address, validate_single_line

from .selectors import SEARCH_MAX_LENGTH, AttendeeFilter
from .services.door import WALK_IN_NAME_MAX_LENGTH

# A ticket's QR code holds its check-in link (`Rsvp.get_check_in_url`, absolute or not);
# the door also takes the bare code. Tokens are url-safe base64 (`new_ticket_token`).
TICKET_LINK = re.compile(r"/check-in/t/(?P<token>[A-Za-z0-9_-]{1,64})/?(?:[?#].*)?$")
TICKET_CODE = re.compile(r"(?P<token>[A-Za-z0-9_-]{16,64})")


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


class ListedForm(forms.Form):
    """Whether one's name is on the event page's list of who's going."""

    listed = forms.BooleanField(required=False, label="Show me on the list of who's going")


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


class DoorCheckInForm(forms.Form):
    """One tap at the door. Without `action` (the ticket link, older clients) the whole party
    comes in; `undo=1` takes the whole party out."""

    ACTIONS = ["all_in", "all_out", "host_in", "host_out", "guests"]

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], required=False)
    guests_in = forms.IntegerField(min_value=0, max_value=1000, required=False)
    undo = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        if not data.get("action"):
            data["action"] = "all_out" if data.get("undo") == "1" else "all_in"
        if data["action"] == "guests" and data.get("guests_in") is None:
            raise forms.ValidationError("Say how many guests are in.")
        return data


class WalkInForm(forms.Form):
    """Someone at the door without an RSVP (`rsvp.services.door.door_walk_in` checks the
    same rules again)."""

    name = forms.CharField(
        max_length=WALK_IN_NAME_MAX_LENGTH,
        label="Name",
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        required=False,
        label="Email (optional)",
        validators=[validate_email_address],
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    override = forms.BooleanField(required=False, widget=forms.HiddenInput)


class TicketScanForm(forms.Form):
    """A scanned (or typed) ticket: its check-in link, or just the code in it."""

    ticket = forms.CharField(
        max_length=300,
        label="Ticket code or link",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )

    def clean_ticket(self) -> str:
        text = self.cleaned_data["ticket"].strip()
        match = TICKET_LINK.search(text) or TICKET_CODE.fullmatch(text)
        if match is None:
            raise forms.ValidationError("That is not a ticket code or link.")
        return match.group("token")

from django import forms

from portal.text import validate_single_line

from .models import BAN_REASON_MAX_LENGTH, QaAudience, RsvpAudience


class ListedForm(forms.Form):
    listed = forms.BooleanField(required=False, label="Show me on the group's members list")


class BanForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=BAN_REASON_MAX_LENGTH,
        validators=[validate_single_line],
        label="Reason (shown to them)",
        widget=forms.TextInput(attrs={"maxlength": BAN_REASON_MAX_LENGTH}),
    )


class GroupPolicyForm(forms.Form):
    rsvp_audience = forms.ChoiceField(choices=RsvpAudience.choices, label="Who may RSVP")
    qa_audience = forms.ChoiceField(
        choices=[
            ("", "As the RSVP policy (members if RSVPs are for members)"),
            *QaAudience.choices,
        ],
        required=False,
        label="Who may ask and vote in live Q&A (and polls)",
    )


class EventPolicyForm(forms.Form):
    rsvp_audience = forms.ChoiceField(
        choices=[("", "Same as the group"), *RsvpAudience.choices],
        required=False,
        label="Who may RSVP",
    )
    qa_audience = forms.ChoiceField(
        choices=[("", "Same as the group"), *QaAudience.choices],
        required=False,
        label="Who may ask and vote in live Q&A (and polls)",
    )

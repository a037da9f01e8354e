from django import forms
from django.conf import settings

from portal.limits import human_size

from .models import RESOURCE_TITLE_MAX_LENGTH, RESOURCE_URL_MAX_LENGTH, TalkResource
from .selectors import SEARCH_MAX_LENGTH


class ArchiveSearchForm(forms.Form):
    q = forms.CharField(
        label="Search past events",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        strip=True,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Event, talk or speaker", "autocomplete": "off"}
        ),
    )


class TalkLinkForm(forms.Form):
    """A link attached to a talk. The rules (http/https, lengths, start format) are the
    service's (meetups/talk_resources.py); the form bounds what it accepts at all."""

    kind = forms.ChoiceField(label="What it is", choices=TalkResource.Kind.choices)
    url = forms.CharField(
        label="Address",
        max_length=RESOURCE_URL_MAX_LENGTH,
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
    )
    title = forms.CharField(
        label="Title (optional)", max_length=RESOURCE_TITLE_MAX_LENGTH, required=False
    )
    start = forms.CharField(
        label="Video starts at (optional)",
        max_length=8,
        required=False,
        help_text="For a video: seconds, mm:ss or hh:mm:ss.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "12:30"}),
    )


class TalkSlidesForm(forms.Form):
    file = forms.FileField(
        label="PDF file",
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    title = forms.CharField(
        label="Title (optional)", max_length=RESOURCE_TITLE_MAX_LENGTH, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = human_size(settings.TALK_SLIDES_MAX_BYTES)
        self.fields["file"].help_text = f"A PDF of at most {limit}."

    def clean_file(self):
        # Refused by its size alone (known from the upload, never read for it); what it
        # contains is the service's check.
        upload = self.cleaned_data["file"]
        if upload.size > settings.TALK_SLIDES_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {human_size(settings.TALK_SLIDES_MAX_BYTES)}."
            )
        return upload


class TalkResourceDeleteForm(forms.Form):
    resource = forms.IntegerField(min_value=1, max_value=10**18 - 1, widget=forms.HiddenInput)

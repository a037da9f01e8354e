from django import forms

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

from django import forms

from portal.text import validate_multi_line, validate_single_line

from .models import Announcement, Category


class AnnouncementForm(forms.Form):
    subject = forms.CharField(
        max_length=Announcement.SUBJECT_MAX_LENGTH, validators=[validate_single_line]
    )
    body = forms.CharField(
        max_length=Announcement.BODY_MAX_LENGTH,
        validators=[validate_multi_line],
        widget=forms.Textarea(attrs={"rows": 10}),
        label="Announcement",
        help_text="Markdown: links, lists, emphasis. Each member gets their own email.",
    )


class GroupPreferencesForm(forms.Form):
    """One group's categories, each a checkbox (unticked = off)."""

    def __init__(self, *args, prefix: str, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        for value, label in Category.choices:
            self.fields[value] = forms.BooleanField(required=False, label=label)

    def choices(self) -> dict[str, bool]:
        return {value: bool(self.cleaned_data[value]) for value in Category.values}

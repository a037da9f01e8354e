from django import forms

from portal.text import validate_multi_line

from .models import COMMENT_MAX_LENGTH, RATING_MAX, RATING_MIN

RATING_LABELS = {1: "1 (poor)", 2: "2", 3: "3", 4: "4", 5: "5 (excellent)"}


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="Your rating",
        choices=[(r, RATING_LABELS[r]) for r in range(RATING_MIN, RATING_MAX + 1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a rating from 1 to 5.",
            "invalid_choice": "Choose a rating from 1 to 5.",
        },
    )
    comment = forms.CharField(
        label="Comment for the speaker (optional)",
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        validators=[validate_multi_line],
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX_LENGTH}),
        help_text=f"Plain text, up to {COMMENT_MAX_LENGTH} characters.",
    )

from django import forms

from meetups.models import Event, Talk

from .models import (
    POLL_MAX_OPTIONS,
    POLL_MIN_OPTIONS,
    POLL_OPTION_MAX_LENGTH,
    POLL_QUESTION_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    LiveState,
    Poll,
)
from .services import clean_question_text


class QuestionForm(forms.Form):
    text = forms.CharField(
        label="Your question",
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": QUESTION_MAX_LENGTH}),
        help_text=f"Plain text, up to {QUESTION_MAX_LENGTH} characters.",
    )
    is_anonymous = forms.BooleanField(
        label="Ask anonymously (organisers still see who asked)", required=False
    )
    # Which Q&A: a talk's slug, or "event" for the event as a whole.
    qa = forms.CharField(widget=forms.HiddenInput, required=False, max_length=80)

    def clean_text(self) -> str:

        text = clean_question_text(self.cleaned_data["text"])
        if not text:
            raise forms.ValidationError("Write a question first.")
        return text


class CurrentTalkForm(forms.Form):
    talk = forms.ModelChoiceField(
        queryset=Talk.objects.none(), required=False, empty_label="Between talks", label="On stage"
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["talk"].queryset = event.talks.all()


class LiveSettingsForm(forms.ModelForm):
    class Meta:
        model = LiveState
        # Live mode (taking questions) is its own switch: "Start/Stop live mode".
        fields = ["premoderate"]
        labels = {"premoderate": "Approve questions before the room sees them"}


class TalkQASettingsForm(forms.Form):
    premoderate = forms.TypedChoiceField(
        label="Approve this talk's questions first",
        choices=[("", "As the event"), ("yes", "Yes"), ("no", "No")],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        required=False,
    )


class PollForm(forms.Form):
    """Prepare a poll: the question, its 2 to 8 options (blank fields left out), and its rules.
    `talk` offers the talks `user` may prepare polls for (and the whole event for organisers)."""

    question = forms.CharField(label="Question", max_length=POLL_QUESTION_MAX_LENGTH)
    talk = forms.ChoiceField(label="For")
    kind = forms.ChoiceField(label="Answers", choices=Poll.Kind.choices, initial=Poll.Kind.SINGLE)
    results = forms.ChoiceField(
        label="Results", choices=Poll.Results.choices, initial=Poll.Results.LIVE
    )

    def __init__(self, *args, talks, event_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("event", "The whole event")] if event_wide else []
        choices += [(str(t.pk), t.title) for t in talks]
        self.fields["talk"].choices = choices
        for n in range(1, POLL_MAX_OPTIONS + 1):
            self.fields[f"option_{n}"] = forms.CharField(
                label=f"Option {n}",
                max_length=POLL_OPTION_MAX_LENGTH,
                required=n <= POLL_MIN_OPTIONS,
            )

    def option_fields(self):
        return [self[f"option_{n}"] for n in range(1, POLL_MAX_OPTIONS + 1)]

    def clean(self):
        data = super().clean()
        options = [data.get(f"option_{n}", "").strip() for n in range(1, POLL_MAX_OPTIONS + 1)]
        data["options"] = [text for text in options if text]
        return data

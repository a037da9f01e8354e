from django import forms

from meetups.models import Event, Talk

from .models import QUESTION_MAX_LENGTH, LiveState
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

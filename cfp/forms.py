"""Forms for the call for talks. Rules that need the database are in cfp.services and cfp.rules."""

from django import forms

from meetups.models import Event
from portal.text import validate_email_address

from .models import CallForTalks, Proposal, TalkIdea
from .services.speakers import PHOTO_MAX_BYTES


class IdeaForm(forms.ModelForm):
    class Meta:
        model = TalkIdea
        fields = ["title", "description"]
        labels = {"title": "Topic", "description": "What would you like to hear about?"}
        help_texts = {"description": "A sentence or two. Markdown works."}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class SpeakerProfileForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="As it should appear on the agenda.")
    bio = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="A few sentences about you, in the third person. Markdown works.",
    )
    link_1_label = forms.CharField(label="Link 1 label", max_length=40, required=False)
    link_1_url = forms.URLField(label="Link 1 address", required=False, assume_scheme="https")
    link_2_label = forms.CharField(label="Link 2 label", max_length=40, required=False)
    link_2_url = forms.URLField(label="Link 2 address", required=False, assume_scheme="https")
    link_3_label = forms.CharField(label="Link 3 label", max_length=40, required=False)
    link_3_url = forms.URLField(label="Link 3 address", required=False, assume_scheme="https")
    photo = forms.FileField(
        required=False,
        help_text="Optional. PNG, JPEG or WebP, at most 2 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_photo = forms.BooleanField(required=False, label="Remove my current photo")

    LINK_SLOTS = 3

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError("The photo is larger than 2 MB.")
        return photo

    def links(self) -> list[tuple[str, str]]:
        pairs = []
        for n in range(1, self.LINK_SLOTS + 1):
            url = self.cleaned_data.get(f"link_{n}_url")
            if url:
                pairs.append((self.cleaned_data.get(f"link_{n}_label") or "Website", url))
        return pairs

    @classmethod
    def initial_for(cls, speaker) -> dict:
        if speaker is None:
            return {}
        initial = {"name": speaker.name, "bio": speaker.bio}
        for n, link in enumerate(speaker.links.all()[: cls.LINK_SLOTS], start=1):
            initial[f"link_{n}_label"] = link.label
            initial[f"link_{n}_url"] = link.url
        return initial


class ProposalForm(forms.ModelForm):
    """Lengths, ideas and events come from the group, so the form is built for one group.

    `usual_length` is where the length starts on a new proposal (the group's most common, from
    `selectors.proposal_length_usual`); every length is a visible radio button, so the choice is
    the speaker's, not a select's first option.
    """

    length_minutes = forms.TypedChoiceField(label="Length", coerce=int, widget=forms.RadioSelect)

    # A draft kept in the session while the speaker edits their profile: at most these
    # characters per field (the API's limits), only values the field accepts.
    DRAFT_FIELDS = {
        "title": 200, "abstract": 10000, "length_minutes": 3, "audience_level": 12, "idea": 18,
        "preferred_dates": 200, "notes_for_organisers": 5000,
    }  # fmt: skip
    DRAFT_MAX_EVENTS = 20

    class Meta:
        model = Proposal
        fields = [
            "title",
            "abstract",
            "length_minutes",
            "audience_level",
            "idea",
            "preferred_events",
            "preferred_dates",
            "notes_for_organisers",
        ]
        labels = {
            "idea": "Talk idea it answers",
            "notes_for_organisers": "Private notes for the organisers",
            "preferred_events": "Events that suit you",
            "preferred_dates": "Dates that suit you",
        }
        help_texts = {
            "abstract": "What the audience will learn. Markdown works; it is shown to voters.",
            "idea": "Optional: the board's topic this talk is for.",
            "notes_for_organisers": "Only organisers see this: equipment, travel, anything else.",
            "preferred_events": "Optional. Leave all unticked if any event works.",
            "preferred_dates": "Optional, e.g. “any Wednesday from March”.",
        }
        widgets = {
            "abstract": forms.Textarea(attrs={"rows": 8}),
            "notes_for_organisers": forms.Textarea(attrs={"rows": 3}),
            "preferred_events": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, group, call: CallForTalks, usual_length: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.fields["length_minutes"].choices = [
            (n, "5 minutes (lightning talk)" if n == 5 else f"{n} minutes")
            for n in call.length_choices
        ]
        if usual_length is not None and self.instance.pk is None:
            length = self.fields["length_minutes"]
            length.initial = usual_length
            length.help_text = f"Set to {usual_length} minutes, the usual talk here; pick yours."
        self.fields["idea"].queryset = TalkIdea.objects.filter(group=group).order_by("title")
        self.fields["idea"].empty_label = "None: my own topic"
        self.fields["preferred_events"].queryset = Event.objects.filter(
            group=group, status=Event.Status.PUBLISHED
        ).upcoming()
        self.fields["preferred_events"].label_from_instance = lambda e: (
            f"{e.title} ({e.starts_at.astimezone(e.tzinfo):%a %-d %b %Y})"
        )

    def draft_from(self, data) -> dict:
        """The fields of a half-filled form worth keeping: each one the form would accept,
        within DRAFT_FIELDS' sizes, as the strings the form was sent (for `initial`)."""
        draft = {}
        for name, limit in self.DRAFT_FIELDS.items():
            value = data.get(name, "")
            if not isinstance(value, str) or not value.strip() or len(value) > limit:
                continue
            try:
                self.fields[name].clean(value)
            except forms.ValidationError:
                continue
            draft[name] = value
        events = data.getlist("preferred_events")[: self.DRAFT_MAX_EVENTS]
        try:
            self.fields["preferred_events"].clean(events)
        except forms.ValidationError:
            events = []
        if events:
            draft["preferred_events"] = [str(pk) for pk in events]
        return draft

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["preferred_events"] = list(data.get("preferred_events") or [])
        return data


class CoSpeakerForm(forms.Form):
    email = forms.EmailField(label="Co-speaker's email", validators=[validate_email_address])


class ReviewForm(forms.Form):
    score = forms.TypedChoiceField(
        label="Your score",
        choices=[("", "No score")] + [(n, f"{n}") for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="1 (weak) to 5 (must have). Only you see your own score and note.",
    )
    note = forms.CharField(
        label="Your private note", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionForm(forms.Form):
    ACTIONS = [
        ("accept", "Accept"),
        ("decline", "Decline"),
        ("vote", "Put to the vote"),
        ("reopen", "Back to submitted"),
        ("unschedule", "Take off the agenda"),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    message = forms.CharField(
        label="Message to the speaker (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Included in the acceptance or decline email.",
    )


class ScheduleForm(forms.Form):
    event = forms.ModelChoiceField(queryset=Event.objects.none(), label="Event")

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events
        self.fields["event"].label_from_instance = lambda e: (
            f"{e.title} ({e.starts_at.astimezone(e.tzinfo):%-d %b %Y})"
        )


class ReviewFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Proposal.Status.choices], required=False
    )
    length = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    idea = forms.ModelChoiceField(
        queryset=TalkIdea.objects.none(), required=False, empty_label="Any idea"
    )

    def __init__(self, *args, group, call: CallForTalks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["length"].choices = [("", "Any length")] + [
            (n, f"{n} min") for n in call.length_choices
        ]
        self.fields["idea"].queryset = TalkIdea.objects.filter(group=group).order_by("title")


DATE_FIELDS = ("opens_at", "closes_at", "voting_opens_at", "voting_closes_at", "decisions_at")


class CallForTalksForm(forms.ModelForm):
    class Meta:
        model = CallForTalks
        fields = [
            "opens_at",
            "closes_at",
            "talk_lengths",
            "members_may_post_ideas",
            "voting_opens_at",
            "voting_closes_at",
            "tallies",
            "voting_requires_rsvp",
            "decisions_at",
        ]
        labels = {
            "opens_at": "Call opens",
            "closes_at": "Call closes",
            "voting_opens_at": "Voting opens",
            "voting_closes_at": "Voting closes",
            "tallies": "Vote counts",
            "voting_requires_rsvp": "Only members who RSVP'd to an event may vote",
            "decisions_at": "Decisions announced",
        }
        help_texts = {
            "voting_opens_at": "Empty: no voting.",
            "voting_closes_at": "Empty: voting stays open.",
            "decisions_at": "When speakers hear back; shown on their proposals. Empty: not set.",
        }
        widgets = {
            name: forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
            for name in DATE_FIELDS
        }

    def clean_talk_lengths(self):
        raw = self.cleaned_data["talk_lengths"]
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        if not parts or not all(p.isdigit() and 0 < int(p) <= 240 for p in parts):
            raise forms.ValidationError("Whole minutes from 1 to 240, separated by commas.")
        return ",".join(str(n) for n in sorted({int(p) for p in parts}))

    def clean(self):
        data = super().clean()
        for start, end in (("opens_at", "closes_at"), ("voting_opens_at", "voting_closes_at")):
            if data.get(start) and data.get(end) and data[end] <= data[start]:
                self.add_error(end, "Must be after the opening time.")
        return data

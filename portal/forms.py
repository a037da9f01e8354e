import unicodedata

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError

from . import personal_data, time_zones
from .errors import ServiceError
from .text import validate_single_line

DISPLAY_NAME_MAX_LENGTH = 80
DISPLAY_NAME_HELP = "Shown on your ticket, at the door and next to your questions."
# Characters that take no room: a name made only of these looks blank on a ticket or a list.
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Cf", "Mn", "Me"})


def validate_visible(value: str) -> None:
    if all(unicodedata.category(char) in _INVISIBLE_CATEGORIES for char in value):
        raise ValidationError("Enter a name people can read.", code="invisible")


class FocusFirstError:
    """After a refused submit the page reloads with focus at the top; the first field in error
    gets `autofocus`, so a keyboard or screen reader user lands on it with its message."""

    def full_clean(self) -> None:
        super().full_clean()
        for name, field in self.fields.items():
            if name in self.errors:
                field.widget.attrs["autofocus"] = True
                break


class DisplayNameField(forms.CharField):
    """The name tickets, door lists, exports and Q&A show for a person (stored in the user's
    `first_name`): required, trimmed, at most 80 characters, one line without control
    characters (it goes into CSV cells and email headers)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", "Display name")
        kwargs.setdefault("help_text", DISPLAY_NAME_HELP)
        super().__init__(
            max_length=DISPLAY_NAME_MAX_LENGTH,
            strip=True,
            validators=[validate_single_line, validate_visible],
            error_messages={"required": "Enter the name to show on your ticket."},
            **kwargs,
        )

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "autocomplete": "name"}


class SignupForm(FocusFirstError, AllauthSignupForm):
    """allauth's sign-up (ACCOUNT_FORMS["signup"]) with a display name first; no username is
    asked (portal.account_adapter.AccountAdapter makes one up) and one password field
    (ACCOUNT_SIGNUP_FIELDS)."""

    name = DisplayNameField()
    field_order = ["name", "email", "password1"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # allauth's placeholders repeat the labels; a placeholder is not a label.
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
        # allauth's help is an HTML list, which cannot sit in the <p> the field's
        # aria-describedby points at (the browser closes the <p> first, leaving it empty).
        self.fields["password1"].help_text = " ".join(password_validators_help_texts())


class DisplayNameForm(FocusFirstError, forms.ModelForm):
    """The profile page's "Display name": the whole name goes into `first_name` and
    `last_name` is cleared, so what the person typed is exactly what `get_full_name` shows."""

    first_name = DisplayNameField()

    class Meta:
        model = get_user_model()
        fields = ["first_name"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A name saved before (first and last apart) is offered whole, so saving keeps it.
        self.initial["first_name"] = self.instance.get_full_name()

    def save(self, commit: bool = True):
        self.instance.last_name = ""
        if commit:
            self.instance.save(update_fields=["first_name", "last_name"])
        return self.instance


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=60,
        help_text="What will use it, e.g. “door laptop script”.",
    )


class TimeZoneForm(forms.Form):
    """The profile's time zone: times of events are also shown in it where it differs."""

    time_zone = forms.ChoiceField(
        label="Your time zone",
        required=False,
        help_text="Event times are shown in the event's zone and, where it differs, in yours.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zones.choices()


class AccountDeleteForm(FocusFirstError, forms.Form):
    """The confirmation before an account is deleted: its password (checked by
    `portal.personal_data.password_check`, so the page and the API refuse alike)."""

    password = forms.CharField(
        label="Your password",
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password to confirm."},
    )

    def __init__(self, *args, user, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        try:
            personal_data.password_check(user=self.user, password=password)
        except ServiceError as error:
            raise ValidationError(error.message, code="wrong_password") from error
        return password

"""How the portal names a person, everywhere: tickets, door lists, exports, Q&A, the header.

The display name asked at sign-up (stored as the user's first name, with the last name for
accounts that had both), else, for accounts from before it was asked, the username, else (an
account made with an email only) the email's local part: never an empty name column.
"""

from django.contrib.auth.models import AbstractBaseUser


def display_name(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username() or (user.email or "").partition("@")[0]

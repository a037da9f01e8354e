"""Authentication for API writes: a browser session with its CSRF token, or a personal token.

Use `auth=write_auth` on every ninja endpoint that changes something. Ninja tries each in turn
and stops at the first that raises, so the Bearer token goes first: it needs no CSRF token
(a browser never attaches it on its own) and answers None when absent. Then the session, with
ninja's CSRF check (a missing or wrong X-CSRFToken answers 403).
"""

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from .services import api_token_authenticate

MAX_TOKEN_LENGTH = 100


class PersonalTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        user = api_token_authenticate(raw=token)
        if user is not None:
            request.user = user
        return user


session_auth = SessionAuth(csrf=True)
token_auth = PersonalTokenAuth()
write_auth = [token_auth, session_auth]
# Reads of one's own data (my RSVPs, my proposals) accept the same.
member_auth = write_auth

"""Your data over the API: the same export and account deletion as the profile page."""

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from .api_auth import member_auth, write_auth
from .api_errors import error_responses
from .personal_data import account_erase, password_check, personal_data_json
from .ratelimit import check_rate

router = Router(tags=["your data"])


class AccountDeleteIn(Schema):
    password: str = Field(max_length=4096, description="The account's password, to confirm.")


@router.get("/me/data", response={200: dict, **error_responses(429)}, auth=member_auth)
def my_data(request: HttpRequest):
    """Everything the portal holds about you, as a JSON attachment (sections sorted by name,
    times in ISO 8601 UTC). Rate limited ("portal.export")."""
    check_rate(request, "portal.export")
    response = HttpResponse(
        personal_data_json(user=request.auth), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
    return response


@router.post(
    "/me/delete",
    response={204: None, **error_responses(409, 422, 429)},
    auth=write_auth,
)
def my_account_delete(request: HttpRequest, payload: AccountDeleteIn):
    """Deletes your account, confirmed with its password: RSVPs cancelled (the waitlist
    moves), undecided proposals withdrawn, tokens revoked, name and email erased; your
    questions stay as "Deleted member". Signs out this session. Rate limited
    ("portal.account_delete")."""
    check_rate(request, "portal.account_delete")
    user = request.auth
    password_check(user=user, password=payload.password)
    account_erase(user=user)
    if request.user.is_authenticated and request.session.session_key:
        logout(request)
    return Status(204, None)

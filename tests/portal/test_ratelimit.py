"""The rate-limit policy: one budget per action and person, its message says the rate.

The clock is stopped (`stopped_clock`): the budget is counted in windows of the wall clock, and
a window rolling over mid-test would hand out a fresh budget."""

import pytest
from django.test import RequestFactory

from portal.errors import Kind, ServiceError
from portal.ratelimit import check_rate


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        ("2/h", "this can be done 2 times an hour. Please wait an hour and try again."),
        ("1/m", "this can be done 1 time a minute. Please wait a minute and try again."),
    ],
)
def test_check_rate_refuses_past_the_rate_with_its_wording(
    settings, member, stopped_clock, rate, message
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "cfp.vote": rate}
    request = RequestFactory().post("/")
    request.user = member
    allowed = int(rate.split("/")[0])
    for _ in range(allowed):
        check_rate(request, "cfp.vote")
    with pytest.raises(ServiceError) as refused:
        check_rate(request, "cfp.vote")
    assert refused.value.kind == Kind.RATE_LIMITED
    assert refused.value.status == 429
    assert refused.value.message == "You are going a little fast: " + message


def test_check_rate_budget_is_per_action(settings, member, stopped_clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "cfp.vote": "1/h", "cfp.post": "1/h"}
    request = RequestFactory().delete("/")  # any method spends the same budget
    request.user = member
    check_rate(request, "cfp.vote")
    check_rate(request, "cfp.post")
    with pytest.raises(ServiceError):
        check_rate(request, "cfp.vote")


def test_check_rate_budget_comes_back_after_its_window(settings, member, stopped_clock):
    """The stopped clock is what holds the window: moved past it, the budget is back."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "cfp.vote": "2/m"}
    request = RequestFactory().post("/")
    request.user = member
    check_rate(request, "cfp.vote")
    check_rate(request, "cfp.vote")
    with pytest.raises(ServiceError):
        check_rate(request, "cfp.vote")

    stopped_clock.shift(60)

    check_rate(request, "cfp.vote")  # a new window: allowed again

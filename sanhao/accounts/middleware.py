from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class IdleTimeoutMiddleware:
    """Office accounts hold the most power: their session ends after a short idle time.

    Setting the expiry on every request makes it a sliding window: the session
    lives OFFICE_IDLE_SECONDS after the last request, then the office signs in again.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_office", False):
            request.session.set_expiry(settings.OFFICE_IDLE_SECONDS)
        return self.get_response(request)

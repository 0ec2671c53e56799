import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from sanhao.accounts.roles import is_office


class IdleTimeoutMiddleware:
    """Office accounts hold the most power: their session ends after a short idle time.

    The session's expiry is a sliding window: it lives OFFICE_IDLE_SECONDS after the
    last request, then the office signs in again. Moving the window means writing the
    session row, so it is moved at most once per IDLE_REFRESH_SECONDS (a minute), not
    on every request: the idle limit is then exact to within that minute.
    """

    KEY = "_idle_refreshed"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and is_office(user):
            now = int(time.time())
            refreshed = request.session.get(self.KEY)
            if not isinstance(refreshed, int) or now - refreshed >= settings.IDLE_REFRESH_SECONDS:
                request.session.set_expiry(settings.OFFICE_IDLE_SECONDS)
                request.session[self.KEY] = now
        return self.get_response(request)


class AccountGateMiddleware:
    """Pages an account must see before any other: the password page while the office's
    temporary password is unchanged; with OFFICE_REQUIRE_2FA, the two-factor set-up for
    an office account whose session was not signed in with a code.

    Both read only what the request has already loaded (the account's row, the session's
    device), so other requests cost nothing more.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._paths: dict[str, frozenset[str]] = {}

    def _open(self, page: str) -> frozenset[str]:
        """The page itself and what stays reachable from it (sign out, the language)."""
        if page not in self._paths:
            self._paths[page] = frozenset(
                reverse(name) for name in (page, "accounts:logout", "set_language")
            )
        return self._paths[page]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            page = None
            if getattr(user, "must_change_password", False):
                page = "accounts:password_change"
            elif (
                settings.OFFICE_REQUIRE_2FA
                and is_office(user)
                and getattr(user, "otp_device", None) is None
            ):
                page = "accounts:two_factor"
            if page is not None and request.path not in self._open(page):
                return HttpResponseRedirect(reverse(page))
        return self.get_response(request)


class LanguageMiddleware:
    """Chinese for everyone unless they chose English with the footer's switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a clerk
    whose browser happens to be English would get an English page; the choice is
    only ever the explicit one, stored in the language cookie by set_language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


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

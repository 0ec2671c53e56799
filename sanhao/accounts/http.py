from django.http import HttpRequest

from sanhao.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """The request of a view behind @login_required: its user is one of ours."""

    user: User

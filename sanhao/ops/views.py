"""/healthz for the load balancer and monitoring; the office's status page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.audit.management.commands.verify_audit import PROBLEMS
from sanhao.audit.services import chain_head
from sanhao.backups.services import last_backup
from sanhao.ops import health, services
from sanhao.ops.access import require_ops_office

CHECK_LABELS = {
    "database": gettext_lazy("Database"),
    "audit_guards": gettext_lazy("Audit log guards (database triggers)"),
    "queue": gettext_lazy("Job queue"),
}


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD"])
def healthz(request: HttpRequest) -> JsonResponse:
    """Public: no account, no cookie. 200 when every check passes, 503 otherwise."""
    ok, checks = health.run_checks()
    return JsonResponse(
        {"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503
    )


@login_required
@require_http_methods(["GET"])
def status(request: AuthenticatedRequest) -> HttpResponse:
    require_ops_office(request.user)
    ok, checks = health.run_checks()
    seq, hash_ = chain_head()
    return render(
        request,
        "ops/status.html",
        {
            "head_seq": seq,
            "head_hash": hash_,
            "checks_ok": ok,
            "checks": [
                {
                    "label": CHECK_LABELS.get(name, name),
                    "ok": result["ok"],
                    "ms": result.get("ms"),
                    "details": [(k, v) for k, v in result.items() if k not in ("ok", "ms")],
                }
                for name, result in checks.items()
            ],
            "vendor": connection.vendor,
            "database_size": services.database_size(),
            "tables": services.table_rows(),
            "versions": services.versions(),
            "last_backup": last_backup(),
        },
    )


@login_required
@require_http_methods(["POST"])
def verify_audit(request: AuthenticatedRequest) -> HttpResponse:
    require_ops_office(request.user)
    result = services.verify_audit_log(actor=request.user)
    report = result.report
    if not report.ok:
        problem = _(PROBLEMS[report.problem]) % {"seq": report.first_bad_seq}
        messages.error(
            request,
            _("Audit log check failed after %(n)s good entries. %(message)s")
            % {"n": report.checked, "message": problem},
        )
    elif result.guards_missing:
        messages.error(
            request,
            _(
                "The audit log's %(n)s entries are intact, but the database no longer "
                "guards them: missing or disabled triggers %(names)s. Run migrate to put "
                "them back, and find out who removed them."
            )
            % {"n": report.checked, "names": ", ".join(result.guards_missing)},
        )
    else:
        messages.success(
            request, _("Audit log intact: %(n)s entries checked.") % {"n": report.checked}
        )
    return redirect("ops:status")

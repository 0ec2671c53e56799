from typing import Any

from django.contrib import admin

from sanhao.audit.admin_mixins import AuditedAdmin
from sanhao.campaigns.models import CampaignYear


@admin.register(CampaignYear)
class CampaignYearAdmin(AuditedAdmin):
    list_display = ["title", "year", "phase", "phase_changed"]
    audit_fields = ("district", "year", "title")
    # The phase moves only through the home page's button, which checks the order.
    readonly_fields = ["phase", "phase_changed"]

    def has_add_permission(self, request: Any) -> bool:
        # A year opens on its page (campaigns:open_year), which starts its scheme.
        return False

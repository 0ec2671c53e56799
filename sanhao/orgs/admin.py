from django.contrib import admin

from sanhao.audit.admin_mixins import AuditedAdmin
from sanhao.orgs.models import District, Person, Post, Unit


@admin.register(District)
class DistrictAdmin(AuditedAdmin):
    list_display = ["name"]


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["name", "code", "kind", "order", "district"]
    list_filter = ["kind", "district"]
    search_fields = ["name", "code"]


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ["name", "code", "gender", "birth_month", "education"]
    search_fields = ["name", "code"]


@admin.register(Post)
class PostAdmin(AuditedAdmin):
    list_display = ["person", "unit", "role", "title", "start", "end"]
    list_filter = ["role", "unit"]
    search_fields = ["person__name", "title"]
    autocomplete_fields = ["person"]
    list_select_related = ["person", "unit"]

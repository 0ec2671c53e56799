from django import forms
from django.contrib import admin

from sanhao.audit.admin_mixins import AuditedAdmin
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import District, Person, Post, Unit
from sanhao.orgs.services import check_post


class PostAdminForm(forms.ModelForm):
    """The admin keeps the rules of the office's pages: no overlapping leaders."""

    class Meta:
        model = Post
        fields = ["person", "unit", "role", "title", "start", "end", "order"]

    def validate_unique(self) -> None:
        # Called once self.instance holds the form's values: check the model's constraints,
        # then the overlap rule of the services.
        super().validate_unique()
        if not self.errors:
            try:
                check_post(self.instance)
            except DomainError as error:
                self.add_error(None, error.message)


@admin.register(District)
class DistrictAdmin(AuditedAdmin):
    list_display = ["name"]
    audit_fields = ("name",)


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["name", "code", "kind", "order", "district"]
    audit_fields = ("district", "code", "name", "kind", "order")
    list_filter = ["kind", "district"]
    search_fields = ["name", "code"]


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ["name", "code", "gender", "birth_month", "education"]
    audit_fields = ("code", "name", "gender", "birth_month", "education", "party_joined")
    search_fields = ["name", "code"]


@admin.register(Post)
class PostAdmin(AuditedAdmin):
    form = PostAdminForm
    list_display = ["person", "unit", "role", "title", "start", "end"]
    audit_fields = ("person", "unit", "role", "title", "start", "end", "order")
    list_filter = ["role", "unit"]
    search_fields = ["person__name", "title"]
    autocomplete_fields = ["person"]
    list_select_related = ["person", "unit"]

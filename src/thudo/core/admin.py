from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from thudo.core import actions
from thudo.core.errors import DomainError
from thudo.core.models import (
    AdministrativeUnit,
    Agency,
    ApiToken,
    AuditRecord,
    CalendarOverride,
    RoleGrant,
    User,
)


@admin.register(AdministrativeUnit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "scheme", "level", "parent")
    list_filter = ("scheme", "level", "province_code")
    search_fields = ("code", "name", "search_text")
    readonly_fields = ("search_text",)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "abbreviation", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "search_text")
    raw_id_fields = ("unit", "parent")
    readonly_fields = ("search_text",)

    def save_model(self, request, obj, form, change):
        if change:
            actions.update_agency(
                obj,
                by=request.user,
                **{
                    f: form.cleaned_data[f]
                    for f in form.changed_data
                    if f in {"name", "short_name", "abbreviation", "office_hours", "is_active", "fields"}
                },
            )
        else:
            super().save_model(request, obj, form, change)


class RoleGrantFormSet(BaseInlineFormSet):
    """Each added, changed or removed grant is checked by ``actions.check_grant`` before anything
    is saved: a grant the signed-in person may not make is an error on its row, not a 403."""

    by = None  # the signed-in person, set per request by RoleGrantInline.get_formset

    def clean(self) -> None:
        super().clean()
        errors = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            removed = self._should_delete_form(form)
            if not data or not (form.has_changed() or removed):
                continue
            checks = []
            if form.instance.pk:  # the grant as it was: changing or removing it is a revocation
                old = RoleGrant.objects.select_related("agency").get(pk=form.instance.pk)
                checks.append((old.role, old.agency))
            if not removed:
                checks.append((data.get("role"), data.get("agency")))
            for role, agency in checks:
                try:
                    actions.check_grant(self.by, role, agency)
                except DomainError as exc:
                    # On the formset, not the row: Django ignores the errors of rows being deleted.
                    errors.append(" ".join([exc.message, *exc.fields.values()]))
                    break
        if errors:
            raise ValidationError(errors)


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    formset = RoleGrantFormSet
    extra = 0
    raw_id_fields = ("agency",)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.by = request.user
        return formset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleGrantInline]
    list_display = ("username", "full_name", "email", "is_active", "is_staff")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Thủ đô số", {"fields": ("full_name", "phone")}))

    def save_formset(self, request, form, formset, change):
        """Grants and revocations go through ``actions.grant_role`` / ``revoke_role`` (audited)."""
        if formset.model is not RoleGrant:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for grant in formset.deleted_objects:
            actions.revoke_role(grant, by=request.user)
        for grant, _fields in formset.changed_objects:
            actions.revoke_role(
                RoleGrant.objects.select_related("agency", "user").get(pk=grant.pk), by=request.user
            )
        for grant in [*formset.new_objects, *(g for g, _f in formset.changed_objects)]:
            actions.grant_role(
                form.instance,
                role=grant.role,
                agency=grant.agency,
                include_subtree=grant.include_subtree,
                by=request.user,
            )
        return None

    def _revoke_all(self, request, user) -> None:
        for grant in user.role_grants.select_related("agency", "user"):
            actions.revoke_role(grant, by=request.user)

    def delete_model(self, request, obj):
        self._revoke_all(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            self._revoke_all(request, user)
        super().delete_queryset(request, queryset)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "decision", "agency")
    list_filter = ("kind",)

    def save_model(self, request, obj, form, change):
        actions.add_calendar_override(
            day=obj.date,
            kind=obj.kind,
            decision=obj.decision,
            agency=obj.agency,
            note=obj.note,
            by=request.user,
        )

    def delete_model(self, request, obj):
        actions.remove_calendar_override(obj, by=request.user)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "token_hash", "created_at", "last_used_at")
    actions = ["revoke"]

    @admin.action(description="Thu hồi")
    def revoke(self, request, queryset):
        for token in queryset:
            actions.revoke_api_token(token, by=request.user)

    def has_add_permission(self, request):
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ("seq", "at", "actor_label", "verb", "object_type", "object_id", "ip")
    list_filter = ("verb",)
    search_fields = ("object_id", "actor_label")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

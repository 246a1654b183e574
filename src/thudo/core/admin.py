from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from thudo.core import actions
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


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    raw_id_fields = ("agency",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleGrantInline]
    list_display = ("username", "full_name", "email", "is_active", "is_staff")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Thủ đô số", {"fields": ("full_name", "phone")}))


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

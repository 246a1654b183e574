from django.contrib import admin

from thudo.kpi.models import (
    Indicator,
    IndicatorGroup,
    IndicatorSet,
    ReportAssignment,
    ReportForm,
    ReportSubmission,
    Snapshot,
    Target,
)


class GroupInline(admin.TabularInline):
    model = IndicatorGroup
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


@admin.register(IndicatorSet)
class IndicatorSetAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "valid_from", "valid_to")
    inlines = [GroupInline]


@admin.register(IndicatorGroup)
class IndicatorGroupAdmin(admin.ModelAdmin):
    list_display = ("set", "code", "name", "max_points")
    inlines = [IndicatorInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "goal", "unit", "deadline", "status")
    list_filter = ("status", "kind")


@admin.register(ReportForm)
class ReportFormAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(ReportAssignment)
class ReportAssignmentAdmin(admin.ModelAdmin):
    list_display = ("form", "agency", "period", "deadline")
    list_filter = ("period",)


@admin.register(ReportSubmission)
class ReportSubmissionAdmin(admin.ModelAdmin):
    list_display = ("assignment", "status", "submitted_at", "late")
    readonly_fields = ("assignment", "values", "status", "submitted_at", "submitted_by", "late", "reviewer")


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    """Read-only: a published ranking is never edited (publish a new version instead)."""

    list_display = ("period", "version", "created_at", "created_by", "reason")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

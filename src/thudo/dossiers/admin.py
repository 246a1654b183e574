"""Read-only admin for dossiers: every change goes through the actions (and the audit log)."""

from django.contrib import admin

from thudo.dossiers.models import (
    ApologyLetter,
    Attachment,
    Dossier,
    DossierEvent,
    Payment,
    Rating,
    ResultDocument,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = DossierEvent
    extra = 0
    can_delete = False
    fields = ("seq", "verb", "from_status", "to_status", "step", "by_label", "at", "step_due_at", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnly):
    list_display = (
        "code",
        "procedure",
        "status",
        "receiving_agency",
        "processing_agency",
        "submitted_at",
        "due_at",
    )
    list_filter = ("status", "channel")
    search_fields = ("code",)
    list_select_related = ("procedure", "receiving_agency", "processing_agency")
    raw_id_fields = (
        "procedure",
        "process",
        "receiving_agency",
        "processing_agency",
        "applicant_user",
        "parent",
    )
    inlines = [EventInline]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnly):
    list_display = ("original_name", "dossier", "kind", "form", "size", "content_type", "uploaded_at")
    list_filter = ("kind", "form")
    list_select_related = ("dossier",)


@admin.register(ResultDocument)
class ResultAdmin(ReadOnly):
    list_display = ("dossier", "version", "signed", "signed_at", "document_code")
    list_select_related = ("dossier",)


for model in (Payment, ApologyLetter, Rating):
    admin.site.register(model, ReadOnly)

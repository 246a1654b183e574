"""Catalogue administration. Every save goes through the actions; published and superseded
versions (and published processes) are read-only here."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from thudo.core import permissions
from thudo.core.errors import DomainError
from thudo.procedures import actions, queries
from thudo.procedures.models import Fee, Field, Procedure, Process, ProcessStep, RequiredPaper, Status


def _report(request, exc: DomainError) -> None:
    detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
    messages.error(request, f"{exc.message} {detail}".strip())


class _ThroughActions:
    """When an action refuses a save, show its message and return to the form instead of
    reporting success (the refusal has already rolled the action back)."""

    def _failed(self, request) -> bool:
        return getattr(request, "_procedures_admin_failed", False)

    def log_addition(self, request, obj, message):
        if obj.pk is not None:
            return super().log_addition(request, obj, message)
        return None

    def log_change(self, request, obj, message):
        if not self._failed(request):
            return super().log_change(request, obj, message)
        return None

    def response_add(self, request, obj, post_url_continue=None):
        if self._failed(request):
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if self._failed(request):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


def _may(request, verb: str, obj=None) -> bool:
    """Staff who hold ``verb`` (somewhere, or for ``obj``'s agency). Rows without an agency
    (commune-level procedures, default processes) are the city administrators' alone."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    if permissions.is_city_admin(user):
        return True
    if obj is None:
        return permissions.can(user, verb)
    return obj.agency_id is not None and permissions.can(user, verb, obj)


class _Managed:
    """Admin permissions from the one permission table (``verb``), not Django model perms."""

    verb = "procedure.manage"

    def has_module_permission(self, request):
        return _may(request, self.verb)

    def has_view_permission(self, request, obj=None):
        return _may(request, self.verb)

    def has_add_permission(self, request, *args):
        return _may(request, self.verb)

    def has_change_permission(self, request, obj=None):
        return _may(request, self.verb, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnlyUnlessDraft:
    """Inline mixin: rows of a parent can be changed only while it is a draft and the person
    manages it; otherwise they are shown read-only."""

    verb = "procedure.manage"

    def _editable(self, request, obj) -> bool:
        return (obj is None or obj.status == Status.DRAFT) and _may(request, self.verb, obj)

    def has_view_permission(self, request, obj=None):
        return _may(request, self.verb)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj)


class PaperInline(_ReadOnlyUnlessDraft, admin.TabularInline):
    model = RequiredPaper
    extra = 0
    fields = ("name", "kind", "mandatory", "from_population_db", "copies", "form_name", "blank_form")


class FeeInline(_ReadOnlyUnlessDraft, admin.TabularInline):
    model = Fee
    extra = 0
    fields = ("channel", "amount", "name", "valid_from", "valid_to", "note")


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return _may(request, "procedure.manage")

    def has_view_permission(self, request, obj=None):
        return _may(request, "procedure.manage")

    def has_add_permission(self, request):
        return request.user.is_staff and permissions.is_city_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    list_display = ("code", "name")
    search_fields = ("code", "name")

    def save_model(self, request, obj, form, change):
        saved = actions.upsert_field(code=obj.code, name=obj.name, by=request.user)
        obj.pk = saved.pk


@admin.register(Procedure)
class ProcedureAdmin(_Managed, _ThroughActions, admin.ModelAdmin):
    list_display = ("code", "version", "name", "status", "level", "agency", "online_level")
    list_filter = ("status", "level", "online_level", "field")
    search_fields = ("code", "name", "search_text")
    raw_id_fields = ("agency",)
    inlines = [PaperInline, FeeInline]
    actions = ["publish_selected", "new_draft_selected"]
    fields = (
        "code",
        "name",
        "field",
        "level",
        "agency",
        "duration_value",
        "duration_unit",
        "cutoff_time",
        "online_level",
        "result_type",
        "result_name",
        "legal_bases",
        "eform_schema",
        "version",
        "status",
        "published_at",
    )

    def get_queryset(self, request):
        return queries.manageable(request.user)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("version", "status", "published_at")
        if obj.status != Status.DRAFT:
            return self.fields
        return ("code", "version", "status", "published_at")

    def save_model(self, request, obj, form, change):
        values = {k: form.cleaned_data[k] for k in actions.EDITABLE if k in form.cleaned_data}
        try:
            if change:
                changed = {k: v for k, v in values.items() if k in form.changed_data}
                if changed:
                    actions.edit_draft(obj, by=request.user, **changed)
            else:
                created = actions.create_draft(code=form.cleaned_data["code"], by=request.user, **values)
                obj.pk, obj.version, obj.status = created.pk, created.version, created.status
                obj._state.adding = False
        except DomainError as exc:
            _report(request, exc)
            request._procedures_admin_failed = True

    def save_formset(self, request, form, formset, change):
        # The action replaces the rows; the admin's change message only needs these lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if self._failed(request) or form.instance.pk is None:
            return
        rows = [
            {k: v for k, v in f.cleaned_data.items() if k not in ("id", "procedure", "DELETE")}
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        if not formset.has_changed():
            return
        try:
            if formset.model is RequiredPaper:
                actions.set_papers(form.instance, papers=rows, by=request.user)
            elif formset.model is Fee:
                actions.set_fees(form.instance, fees=rows, by=request.user)
        except DomainError as exc:
            _report(request, exc)
            request._procedures_admin_failed = True

    @admin.action(description=_("Công bố các bản nháp đã chọn"))
    def publish_selected(self, request, queryset):
        for p in queryset.filter(status=Status.DRAFT):
            try:
                actions.publish(p, by=request.user)
                messages.success(
                    request, _("Đã công bố %(code)s phiên bản %(v)s.") % {"code": p.code, "v": p.version}
                )
            except DomainError as exc:
                _report(request, exc)

    @admin.action(description=_("Tạo bản nháp mới từ phiên bản đã chọn"))
    def new_draft_selected(self, request, queryset):
        for p in queryset.exclude(status=Status.DRAFT):
            try:
                draft = actions.new_draft_from(p, by=request.user)
                messages.success(
                    request,
                    _("Đã tạo bản nháp %(code)s phiên bản %(v)s.") % {"code": draft.code, "v": draft.version},
                )
            except DomainError as exc:
                _report(request, exc)


class StepInline(_ReadOnlyUnlessDraft, admin.TabularInline):
    verb = "process.manage"
    model = ProcessStep
    extra = 0
    fields = ("name", "role", "duration_hours")


@admin.register(Process)
class ProcessAdmin(_Managed, _ThroughActions, admin.ModelAdmin):
    verb = "process.manage"

    list_display = ("procedure", "agency", "status", "supplement_policy")
    list_filter = ("status", "supplement_policy")
    search_fields = ("procedure__code", "procedure__name")
    raw_id_fields = ("procedure", "agency")
    inlines = [StepInline]
    actions = ["publish_selected"]
    fields = ("procedure", "agency", "supplement_policy", "status", "deadline_preview")

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("procedure", "agency")
        return permissions.visible(request.user, qs, "process.manage")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("status", "deadline_preview")
        if obj.status != Status.DRAFT:
            return self.fields
        return ("procedure", "agency", "status", "deadline_preview")

    @admin.display(description=_("Xem trước hạn xử lý từng bước"))
    def deadline_preview(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        start = timezone.localtime()
        rows = queries.deadline_preview(obj, start)
        if not rows:
            return _("Chưa có bước nào.")
        header = _("Nếu nhận đủ hồ sơ lúc %(t)s:") % {"t": start.strftime("%H:%M %d/%m/%Y")}
        items = format_html_join(
            "",
            "<li>{}. {} — {}</li>",
            (
                (step.order, step.name, timezone.localtime(due).strftime("%H:%M %d/%m/%Y"))
                for step, due in rows
            ),
        )
        return format_html_join("", "{}<ol>{}</ol>", [(header, items)])

    def save_model(self, request, obj, form, change):
        try:
            if change:
                if "supplement_policy" in form.changed_data:
                    actions.edit_process(obj, by=request.user, supplement_policy=obj.supplement_policy)
            else:
                created = actions.create_process(
                    obj.procedure, agency=obj.agency, supplement_policy=obj.supplement_policy, by=request.user
                )
                obj.pk, obj.status = created.pk, created.status
                obj._state.adding = False
        except DomainError as exc:
            _report(request, exc)
            request._procedures_admin_failed = True

    def save_formset(self, request, form, formset, change):
        # The action replaces the rows; the admin's change message only needs these lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if self._failed(request) or form.instance.pk is None or not formset.has_changed():
            return
        steps = [
            {k: f.cleaned_data[k] for k in ("name", "role", "duration_hours")}
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            actions.set_process_steps(form.instance, steps=steps, by=request.user)
        except DomainError as exc:
            _report(request, exc)
            request._procedures_admin_failed = True

    @admin.action(description=_("Công bố các quy trình đã chọn"))
    def publish_selected(self, request, queryset):
        for p in queryset.filter(status=Status.DRAFT):
            try:
                actions.publish_process(p, by=request.user)
                messages.success(request, _("Đã công bố quy trình %(p)s.") % {"p": p})
            except DomainError as exc:
                _report(request, exc)

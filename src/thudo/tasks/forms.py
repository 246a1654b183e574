"""Forms of the task pages: they parse what a person typed; the actions decide (and refuse with
the domain's Vietnamese message, shown next to the field)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from thudo.core.models import Agency, User
from thudo.tasks.models import Milestone, Priority, Recurrence, SourceKind

REQUIRED = _("Vui lòng nhập thông tin này.")
INVALID_CHOICE = _("Lựa chọn không hợp lệ.")
DATE_INPUT = ["%Y-%m-%d", "%d/%m/%Y"]
DATE_INVALID = _("Ngày không hợp lệ (ngày/tháng/năm).")


def _messages(**extra) -> dict:
    return {"required": REQUIRED, "invalid_choice": INVALID_CHOICE, "invalid": DATE_INVALID, **extra}


def _date(label, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT,
        error_messages=_messages(),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class AgencyChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


class MilestoneChoice(forms.ModelChoiceField):
    """A milestone as "KH code — milestone (due dd/mm/yyyy)" (the queryset selects the plan)."""

    def label_from_instance(self, obj: Milestone) -> str:
        return _("%(plan)s — %(name)s (hạn %(due)s)") % {
            "plan": obj.plan.code,
            "name": obj.name,
            "due": f"{obj.due:%d/%m/%Y}",
        }


class AssignWhatForm(forms.Form):
    """Giao nhiệm vụ, bước 1 (nội dung): what is directed and where it comes from. The attachments
    of this step are not a form field: each file is checked and stored in the draft on arrival."""

    title = forms.CharField(label=_("Trích yếu nhiệm vụ"), max_length=300, error_messages=_messages())
    content = forms.CharField(
        label=_("Nội dung chỉ đạo"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    source_kind = forms.ChoiceField(
        label=_("Nguồn giao"),
        choices=SourceKind.choices,
        initial=SourceKind.AD_HOC,
        error_messages=_messages(),
    )
    source_label = forms.CharField(
        label=_("Văn bản, kết luận giao (số, ký hiệu, ngày)"), max_length=300, required=False
    )
    priority = forms.ChoiceField(
        label=_("Độ khẩn"), choices=Priority.choices, initial=Priority.NORMAL, error_messages=_messages()
    )

    FIELDS = ("title", "content", "source_kind", "source_label", "priority")


class AssignWhoForm(forms.Form):
    """Giao nhiệm vụ, bước 2 (đơn vị và thời hạn): one unit, or (``each``) many units, each its own
    task; the co-ordinating units and the deadline."""

    assigner_agency = forms.ModelChoiceField(
        label=_("Cơ quan giao"), queryset=Agency.objects.none(), error_messages=_messages()
    )
    lead_agencies = AgencyChoices(
        label=_("Đơn vị chủ trì"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        error_messages=_messages(),
        help_text=_("Mỗi nhiệm vụ có đúng một đơn vị chủ trì. Chọn nhiều đơn vị khi giao cho từng đơn vị."),
    )
    each = forms.BooleanField(
        label=_("Giao cho từng đơn vị (mỗi đơn vị một nhiệm vụ, tự chủ trì)"), required=False
    )
    coordinators = AgencyChoices(
        label=_("Đơn vị phối hợp"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        error_messages=_messages(),
    )
    recurrence = forms.ChoiceField(
        label=_("Loại thời hạn"),
        choices=Recurrence.choices,
        initial=Recurrence.ONCE,
        error_messages=_messages(),
    )
    deadline = _date(_("Hạn xử lý"), required=False)
    milestone = MilestoneChoice(
        label=_("Thuộc kế hoạch (mốc)"),
        queryset=Milestone.objects.none(),
        required=False,
        empty_label=_("— Không thuộc kế hoạch —"),
        error_messages=_messages(),
    )

    FIELDS = (
        "assigner_agency",
        "lead_agencies",
        "each",
        "coordinators",
        "recurrence",
        "deadline",
        "milestone",
    )
    LISTS = ("lead_agencies", "coordinators")

    def __init__(self, *args, agencies=None, assigning=None, milestones=None, **kwargs):
        super().__init__(*args, **kwargs)
        if milestones is not None:
            self.fields["milestone"].queryset = milestones
        if agencies is not None:
            self.fields["lead_agencies"].queryset = agencies
            self.fields["coordinators"].queryset = agencies
        if assigning is not None:
            self.fields["assigner_agency"].queryset = assigning
            if assigning.count() == 1:
                self.fields["assigner_agency"].initial = assigning.first()


class SplitForm(forms.Form):
    """Giao tiếp cho phòng, bộ phận: a sub-task inside the lead unit."""

    title = forms.CharField(label=_("Trích yếu phần việc"), max_length=300, error_messages=_messages())
    lead_agency = forms.ModelChoiceField(
        label=_("Phòng, bộ phận chủ trì"), queryset=Agency.objects.none(), error_messages=_messages()
    )
    deadline = _date(_("Hạn xử lý"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["lead_agency"].queryset = units


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name or obj.username


class DesignateForm(forms.Form):
    """Phân công người chủ trì: one official of the lead unit (the choices are theirs)."""

    person = PersonChoice(
        label=_("Người chủ trì"),
        queryset=User.objects.none(),
        empty_label=_("— Chọn cán bộ —"),
        error_messages=_messages(),
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["person"].queryset = people


class ProgressForm(forms.Form):
    text = forms.CharField(
        label=_("Nội dung báo cáo"), widget=forms.Textarea(attrs={"rows": 3}), error_messages=_messages()
    )
    percent = forms.IntegerField(
        label=_("Tiến độ (%)"),
        min_value=0,
        max_value=100,
        error_messages=_messages(
            invalid=_("Nhập một số từ 0 đến 100."),
            min_value=_("Nhập một số từ 0 đến 100."),
            max_value=_("Nhập một số từ 0 đến 100."),
        ),
    )
    files = FilesField(label=_("Tệp đính kèm"))


class DoneForm(forms.Form):
    text = forms.CharField(
        label=_("Kết quả thực hiện"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    result_document = forms.CharField(
        label=_("Số, ký hiệu văn bản báo cáo kết quả"), max_length=120, required=False
    )
    files = FilesField(label=_("Tệp đính kèm"))


class ExtensionForm(forms.Form):
    proposed = _date(_("Hạn đề nghị"))
    reason = forms.CharField(
        label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}), error_messages=_messages()
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}), error_messages=_messages()
    )


class PlanForm(forms.Form):
    """Tạo kế hoạch: the plan and up to :attr:`ROWS` milestones (a blank row is skipped). The first
    rows come prefilled with the usual milestones of a year's plan (quarters, half year, year)."""

    code = forms.CharField(label=_("Số, ký hiệu"), max_length=60, error_messages=_messages())
    title = forms.CharField(label=_("Tên kế hoạch"), max_length=300, error_messages=_messages())
    year = forms.IntegerField(
        label=_("Năm"),
        min_value=2000,
        max_value=2100,
        error_messages=_messages(
            invalid=_("Nhập năm, ví dụ 2026."),
            min_value=_("Nhập năm, ví dụ 2026."),
            max_value=_("Nhập năm, ví dụ 2026."),
        ),
    )
    agency = forms.ModelChoiceField(
        label=_("Cơ quan ban hành"),
        queryset=Agency.objects.none(),
        to_field_name="code",
        empty_label=_("— Chọn cơ quan —"),
        error_messages=_messages(),
    )
    basis = forms.CharField(
        label=_("Căn cứ, mục tiêu"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    ROWS = 6
    USUAL = (
        (_("Quý I"), 3, 31),
        (_("6 tháng"), 6, 30),
        (_("Quý III"), 9, 30),
        (_("Cả năm"), 12, 31),
    )

    def __init__(self, *args, agencies=None, year: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies
            if agencies.count() == 1:
                self.fields["agency"].initial = agencies.first().code
        if year is not None:
            self.fields["year"].initial = year
        for n in range(self.ROWS):
            name = forms.CharField(label=_("Mốc %(n)d") % {"n": n + 1}, max_length=120, required=False)
            due = _date(_("Hạn mốc %(n)d") % {"n": n + 1}, required=False)
            if year is not None and n < len(self.USUAL):
                label, month, day = self.USUAL[n]
                name.initial, due.initial = str(label), dt.date(year, month, day)
            self.fields[f"m{n}_name"] = name
            self.fields[f"m{n}_due"] = due

    def plan_fields(self):
        return [self[k] for k in ("code", "title", "year", "agency", "basis")]

    def milestone_rows(self):
        return [(self[f"m{n}_name"], self[f"m{n}_due"]) for n in range(self.ROWS)]

    def milestones(self) -> list[tuple[str, dt.date | None]]:
        """The filled rows as ``(name, due)``, in order; :attr:`row_of` maps each back to its row."""
        out, self.row_of = [], []
        for n in range(self.ROWS):
            name, due = self.cleaned_data.get(f"m{n}_name", ""), self.cleaned_data.get(f"m{n}_due")
            if name or due:
                out.append((name, due))
                self.row_of.append(n)
        return out

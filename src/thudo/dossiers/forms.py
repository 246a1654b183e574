"""Forms of the dossier pages: they parse and check what a person typed; the domain decides.

Every message is Vietnamese (gettext). Forms never write: views hand ``cleaned_data`` to one
action in :mod:`thudo.dossiers.actions` and show its :class:`~thudo.core.errors.DomainError`.
"""

from __future__ import annotations

from collections.abc import Collection

from django import forms
from django.utils.translation import gettext_lazy as _

from thudo.core.models import Agency
from thudo.dossiers.actions import papers as paper_rules
from thudo.dossiers.models import PauseKind, PaymentMethod
from thudo.dossiers.queries import REGISTER_YEARS

REQUIRED = _("Vui lòng nhập thông tin này.")
INVALID_CHOICE = _("Lựa chọn không hợp lệ.")
DATE_INPUT = ["%d/%m/%Y", "%Y-%m-%d"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One input, several files (a paper may be scanned as several pages)."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _messages(**extra) -> dict:
    return {"required": REQUIRED, "invalid_choice": INVALID_CHOICE, **extra}


class ApplicantForm(forms.Form):
    """The applicant (người nộp hồ sơ): pre-filled from the verified identity when there is one."""

    applicant_name = forms.CharField(label=_("Họ và tên"), max_length=200, error_messages=_messages())
    applicant_pin = forms.RegexField(
        label=_("Số định danh cá nhân (CCCD)"),
        regex=r"^\d{12}$",
        error_messages=_messages(invalid=_("Số định danh cá nhân gồm đúng 12 chữ số.")),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 12}),
    )
    applicant_birth_date = forms.DateField(
        label=_("Ngày sinh"),
        required=False,
        input_formats=DATE_INPUT,
        error_messages=_messages(invalid=_("Ngày không hợp lệ (ngày/tháng/năm).")),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    applicant_phone = forms.RegexField(
        label=_("Điện thoại"),
        regex=r"^\+?[0-9 .]{8,15}$",
        required=False,
        error_messages=_messages(invalid=_("Số điện thoại không hợp lệ.")),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    applicant_email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        error_messages=_messages(invalid=_("Địa chỉ thư điện tử không hợp lệ.")),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    applicant_address = forms.CharField(
        label=_("Địa chỉ liên hệ"), max_length=300, required=False, error_messages=_messages()
    )

    def applicant(self) -> dict:
        return {
            k.removeprefix("applicant_"): v
            for k, v in self.cleaned_data.items()
            if k.startswith("applicant_")
        }


class PapersMixin:
    """One file input per required paper (the counter form; the online form is the guided one)."""

    def add_paper_fields(self, papers):
        self.papers = list(papers)
        for paper in self.papers:
            self.fields[f"paper_{paper.pk}"] = MultipleFileField(
                label=paper.name,
                required=False,
                error_messages=_messages(
                    invalid=_("Tệp tải lên không hợp lệ."),
                    empty=_("Tệp tải lên bị rỗng."),
                ),
                widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.doc,.docx,.xlsx"}),
            )


class AgencyStepForm(forms.Form):
    """Step 1 of the guided submission: the receiving agency, listed in Vietnamese alphabetical
    order (``order``: the agencies shown, already sorted and filtered by the search box)."""

    agency = forms.ModelChoiceField(
        label=_("Cơ quan tiếp nhận"),
        queryset=Agency.objects.none(),
        empty_label=_("— Chọn cơ quan —"),
        error_messages=_messages(),
    )

    def __init__(self, *args, agencies, order, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        field.queryset = agencies
        field.choices = [("", field.empty_label), *[(a.pk, a.name) for a in order]]
        if len(order) > 1:
            field.widget.attrs["size"] = min(len(order) + 1, 10)


def clean_note(text: str) -> str:
    return " ".join((text or "").split())[:1000]


class CounterForm(PapersMixin, ApplicantForm):
    """Tiếp nhận tại quầy: an officer enters a walk-in applicant's dossier. Every paper received is
    digitised at intake (Decree 118/2025/NĐ-CP; Circular 01/2023/TT-VPCP)."""

    def __init__(self, *args, papers, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_paper_fields(papers)

    def check_stored(self, covered: Collection[int], refused: dict[int, str]) -> None:
        """Errors next to each paper, from the papers with a file kept in the draft (``covered``,
        paper ids) and the files just refused (``{paper id: message}``): the files themselves
        never go through the form. Completeness is the actions' one rule (``papers.missing``)."""
        for paper in self.papers:
            if paper.pk in refused:
                self.add_error(f"paper_{paper.pk}", refused[paper.pk])
        for paper in paper_rules.missing(self.papers, covered=covered, not_asked=refused):
            self.add_error(f"paper_{paper.pk}", _("Giấy tờ này là bắt buộc: hãy đính kèm tệp."))


class LookupForm(forms.Form):
    """Tra cứu hồ sơ: the code and the secret printed on the receipt."""

    code = forms.CharField(label=_("Mã hồ sơ"), max_length=64, error_messages=_messages())
    secret = forms.CharField(
        label=_("Mã bí mật (in trên giấy tiếp nhận)"),
        max_length=64,
        error_messages=_messages(),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class ReasonsForm(forms.Form):
    reasons = forms.CharField(
        label=_("Lý do"),
        max_length=4000,
        error_messages=_messages(),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Ghi chú"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ForwardForm(NoteForm):
    assignee = forms.ModelChoiceField(
        label=_("Giao cho (không bắt buộc)"),
        queryset=None,
        required=False,
        empty_label=_("— Cả bộ phận —"),
        error_messages=_messages(),
    )


class StopRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do đề nghị dừng giải quyết"),
        max_length=2000,
        error_messages=_messages(),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do rút hồ sơ (không bắt buộc)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


SCORE_CHOICES = [(str(i), str(i)) for i in range(5, 0, -1)]


def _score(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect, error_messages=_messages()
    )


class RatingForm(forms.Form):
    """Đánh giá mức độ hài lòng: 1–5 on attitude, time and result (domain-rules §3)."""

    attitude = _score(_("Thái độ của cán bộ"))
    time = _score(_("Thời gian giải quyết"))
    result = _score(_("Kết quả giải quyết"))
    comment = forms.CharField(
        label=_("Góp ý (không bắt buộc)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def scores(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("attitude", "time", "result")}


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do"),
        max_length=2000,
        error_messages=_messages(),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PauseForm(DeclineForm):
    kind = forms.ChoiceField(
        label=_("Tạm dừng để chờ"), choices=PauseKind.choices, error_messages=_messages()
    )
    field_order = ("kind", "reason")


class TransferForm(NoteForm):
    to_agency = forms.ModelChoiceField(
        label=_("Chuyển đến cơ quan"),
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        empty_label=_("— Chọn cơ quan —"),
        error_messages=_messages(),
    )


class ResultForm(forms.Form):
    pdf = forms.FileField(
        label=_("Tệp kết quả (PDF, không bắt buộc — để trống để hệ thống tạo từ mẫu)"),
        required=False,
        error_messages=_messages(empty=_("Tệp tải lên bị rỗng."), invalid=_("Tệp tải lên không hợp lệ.")),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf"}),
    )


class SignForm(forms.Form):
    """The leader's confirmation before signing (and the token's PIN on the PKCS#11 path: the
    view removes ``pin`` for a leader whose key is a file on the server)."""

    confirm = forms.BooleanField(
        label=_("Tôi đã xem dự thảo kết quả và đồng ý phê duyệt, ký số."),
        error_messages={"required": _("Hãy xem dự thảo kết quả và đánh dấu xác nhận trước khi ký.")},
    )
    pin = forms.CharField(
        label=_("Mã PIN của thiết bị ký số (USB token)"),
        help_text=_("Để trống nếu thiết bị có bàn phím nhập PIN riêng."),
        required=False,
        max_length=64,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


class ApologyForm(forms.Form):
    new_due = forms.DateTimeField(
        label=_("Ngày hẹn trả mới"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"],
        error_messages=_messages(invalid=_("Thời điểm không hợp lệ (ngày/tháng/năm giờ:phút).")),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    reason = forms.CharField(
        label=_("Lý do chậm trễ"),
        max_length=2000,
        error_messages=_messages(),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PaymentForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Hình thức"), choices=PaymentMethod.choices, error_messages=_messages()
    )
    amount = forms.IntegerField(
        label=_("Số tiền (đồng)"),
        required=False,
        help_text=_("Để trống: phí, lệ phí còn phải nộp. Nếu nhập, phải đúng bằng số đó."),
        min_value=0,
        error_messages=_messages(
            invalid=_("Số tiền phải là số nguyên (đồng)."), min_value=_("Số tiền không được âm.")
        ),
    )
    reference = forms.CharField(label=_("Số biên lai / mã giao dịch"), required=False, max_length=120)


class RegisterFilterForm(forms.Form):
    """Which agency's register (form 07) and which period; at most one year at a time."""

    MAX_DAYS = 366

    agency = forms.ModelChoiceField(
        label=_("Cơ quan tiếp nhận"), queryset=None, empty_label=None, error_messages=_messages()
    )
    start = forms.DateField(
        label=_("Từ ngày"), error_messages=_messages(), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Đến ngày"), error_messages=_messages(), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["agency"].to_field_name = "code"

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        first, last = REGISTER_YEARS
        for name in ("start", "end"):
            day = data.get(name)
            if day and not first <= day.year <= last:
                self.add_error(name, _("Chọn ngày trong khoảng năm 2000–2100."))
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("Ngày kết thúc phải sau ngày bắt đầu."))
            elif (end - start).days >= self.MAX_DAYS:
                self.add_error("end", _("Mỗi lần xem tối đa một năm."))
        return data

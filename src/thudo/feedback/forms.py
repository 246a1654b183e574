"""Forms of the feedback pages: they parse what a person typed; the actions decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from thudo.feedback.models import Level, RefusalReason

REQUIRED = _("Vui lòng nhập thông tin này.")
INVALID_CHOICE = _("Lựa chọn không hợp lệ.")


def _messages(**extra) -> dict:
    return {"required": REQUIRED, "invalid_choice": INVALID_CHOICE, **extra}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One input, several photos (checked by the action, not here)."""

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class WhatForm(forms.Form):
    """Step 1: what happened (category, level, description; photos are stored at once)."""

    category = forms.ChoiceField(label=_("Lĩnh vực"), error_messages=_messages())
    level = forms.ChoiceField(
        label=_("Mức độ"),
        choices=Level.choices,
        initial=Level.NORMAL,
        widget=forms.RadioSelect,
        error_messages=_messages(),
        help_text=_("Khẩn cấp: thiên tai, dịch bệnh, tai nạn, trộm cướp, mất an toàn, an ninh trật tự."),
    )
    title = forms.CharField(label=_("Tiêu đề ngắn"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Nội dung phản ánh"),
        max_length=5000,
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 5000}),
        error_messages=_messages(min_length=_("Mô tả sự việc (ít nhất 10 ký tự).")),
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", _("— Chọn lĩnh vực —")),
            *[(c.code, c.name) for c in categories],
        ]


class WhereForm(forms.Form):
    """Step 2: where (address, the commune from a searchable list, optional coordinates)."""

    address = forms.CharField(
        label=_("Địa chỉ nơi xảy ra sự việc"), max_length=300, error_messages=_messages()
    )
    commune = forms.ChoiceField(label=_("Phường, xã"), error_messages=_messages())
    latitude = forms.DecimalField(
        label=_("Vĩ độ"), required=False, min_value=-90, max_value=90, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Kinh độ"), required=False, min_value=-180, max_value=180, decimal_places=6
    )

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["commune"]
        field.choices = [("", _("— Chọn phường, xã —")), *[(str(u.pk), u.name) for u in communes]]
        if len(communes) > 1:
            field.widget.attrs["size"] = min(len(communes) + 1, 8)


class ReviewForm(forms.Form):
    hide_identity = forms.BooleanField(
        label=_("Ẩn danh tính của tôi khi công khai"), required=False, initial=True
    )


class AcceptForm(forms.Form):
    level = forms.ChoiceField(label=_("Mức độ"), choices=Level.choices, error_messages=_messages())
    unit = forms.ChoiceField(
        label=_("Đơn vị xử lý"), required=False, help_text=_("Để trống: theo quy tắc chuyển xử lý.")
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=1000)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("— Theo quy tắc —")), *[(str(a.pk), a.name) for a in units]]


class RefuseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Lý do"),
        choices=[c for c in RefusalReason.choices if c[0] != RefusalReason.DUPLICATE],
        error_messages=_messages(),
    )
    note = forms.CharField(
        label=_("Giải thích cho người phản ánh"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeForm(forms.Form):
    duplicate_of = forms.CharField(label=_("Mã phản ánh gốc"), max_length=20, error_messages=_messages())


class UnitForm(forms.Form):
    unit = forms.ChoiceField(label=_("Đơn vị xử lý"), error_messages=_messages())

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("— Chọn đơn vị —")), *[(str(a.pk), a.name) for a in units]]


class TransferForm(UnitForm):
    reason = forms.CharField(label=_("Lý do chuyển"), max_length=1000, error_messages=_messages())


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Nội dung trả lời"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        error_messages=_messages(),
    )
    photos = MultipleFileField(
        label=_("Ảnh sau xử lý"), required=False, widget=MultipleFileInput(attrs={"accept": "image/*"})
    )


class RateForm(forms.Form):
    satisfied = forms.ChoiceField(
        label=_("Bạn có hài lòng với trả lời?"),
        choices=[("1", _("Hài lòng")), ("0", _("Chưa hài lòng"))],
        widget=forms.RadioSelect,
        error_messages=_messages(),
    )
    comment = forms.CharField(
        label=_("Nhận xét"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=1000)

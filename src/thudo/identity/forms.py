"""Page forms. They only parse input; the rules are checked in ``actions`` (one place)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from thudo.identity.models import Sex

REQUIRED = {"required": _("Ô này là bắt buộc.")}


class SignUpForm(forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên (như trên thẻ căn cước)"),
        max_length=200,
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    pin = forms.CharField(
        label=_("Số định danh cá nhân (số CCCD, 12 chữ số)"),
        max_length=20,
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Ngày sinh"),
        error_messages={**REQUIRED, "invalid": _("Ngày sinh không hợp lệ.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    sex = forms.ChoiceField(
        label=_("Giới tính"),
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={**REQUIRED, "invalid_choice": _("Chọn giới tính nam hoặc nữ.")},
    )
    phone = forms.CharField(
        label=_("Điện thoại"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("Thư điện tử"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu (ít nhất 10 ký tự)"),
        strip=False,
        error_messages=REQUIRED,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        error_messages=REQUIRED,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("Hai lần nhập mật khẩu không giống nhau."))
        return data


class ProfileForm(forms.Form):
    phone = SignUpForm.base_fields["phone"]
    email = SignUpForm.base_fields["email"]
    address = forms.CharField(label=_("Địa chỉ liên hệ"), required=False, max_length=300)

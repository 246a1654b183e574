import json

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thudo.core.errors import DomainError, InvalidInput
from thudo.identity import actions, queries
from thudo.identity.forms import ProfileForm, SignUpForm


def _show_errors(form, exc: InvalidInput) -> None:
    for name, message in exc.fields.items():
        form.add_error(name if name in form.fields else None, message)
    if not exc.fields:
        form.add_error(None, exc.message)


def sign_up(request):
    if request.user.is_authenticated:
        return redirect("identity:profile")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = actions.sign_up(
                username=data["username"],
                password=data["password"],
                full_name=data["full_name"],
                pin=data["pin"],
                birth_date=data["birth_date"],
                sex=data["sex"],
                email=data["email"],
                phone=data["phone"],
            )
        except InvalidInput as exc:
            _show_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Đã tạo tài khoản. Hãy xác thực định danh để dùng dịch vụ công."))
            return redirect("identity:profile")
    if request.method == "POST" and form.errors:
        # Show the rule checks of the fields that parsed, too: every mistake at once.
        parsed = {k: v for k, v in form.cleaned_data.items() if k != "password2"}
        for name, message in actions.check_sign_up(**parsed).items():
            if name in form.fields and name not in form.errors:
                form.add_error(name, message)
    status = 422 if request.method == "POST" else 200
    return render(request, "identity/sign_up.html", {"form": form}, status=status)


def profile(request):
    if not request.user.is_authenticated:
        return render(request, "identity/welcome.html")
    citizen = queries.citizen_for_user(request.user)
    form = None
    if citizen is not None:
        initial = {"phone": citizen.phone, "email": citizen.email, "address": citizen.address}
        form = ProfileForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                actions.update_profile(citizen, by=request.user, **form.cleaned_data)
            except InvalidInput as exc:
                _show_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu thông tin liên hệ."))
                return redirect("identity:profile")
    status = 422 if form is not None and form.errors else 200
    return render(request, "identity/profile.html", {"citizen": citizen, "form": form}, status=status)


@login_required
@require_POST
def verify(request):
    citizen = queries.citizen_for_user(request.user)
    if citizen is None:
        return redirect("identity:profile")
    try:
        actions.verify_identity(citizen, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã xác thực định danh với Cơ sở dữ liệu quốc gia về dân cư."))
    return redirect("identity:profile")


@login_required
def export(request):
    citizen = queries.citizen_for_user(request.user)
    if citizen is None:
        return redirect("identity:profile")
    data = actions.export_person(citizen, by=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"du-lieu-ca-nhan-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response

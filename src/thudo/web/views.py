from django.apps import apps
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from thudo.core import queries as core_queries
from thudo.web.context import platform
from thudo.web.forms import LoginForm

# The public services the home page offers, in the order a citizen needs them.
SERVICES = [
    (
        reverse_lazy("procedures:catalogue"),
        _("Thủ tục hành chính"),
        _("Giấy tờ cần nộp, thời hạn, lệ phí và nộp hồ sơ trực tuyến."),
    ),
    (
        reverse_lazy("dossiers:lookup"),
        _("Tra cứu hồ sơ"),
        _("Xem hồ sơ đang ở đâu bằng mã hồ sơ và mã bí mật in trên giấy tiếp nhận, không cần đăng nhập."),
    ),
    (
        reverse_lazy("signing:verify"),
        _("Xác thực văn bản"),
        _("Kiểm tra chữ ký số của giấy tờ, kết quả do cơ quan nhà nước cấp."),
    ),
    (
        reverse_lazy("core:units"),
        _("Đơn vị hành chính"),
        _("126 phường, xã của Hà Nội từ 1/7/2025 và đơn vị cũ trước sắp xếp, với bảng chuyển đổi."),
    ),
    (
        reverse_lazy("core:due"),
        _("Tính hạn xử lý"),
        _("Tính ngày hẹn trả theo ngày làm việc, bỏ qua Tết, ngày lễ và ngày nghỉ bù."),
    ),
]


def home(request):
    services = [{"url": url, "title": title, "text": text} for url, title, text in SERVICES]
    return render(request, "web/home.html", {"services": services})


def _tiles(person) -> list[dict]:
    """Counters contributed by apps (``workspace_tiles`` on their AppConfig: the dotted path of a
    function of the person returning ``{"label", "count", "url", "alert"}`` dicts)."""
    tiles: list[dict] = []
    for config in apps.get_app_configs():
        path = getattr(config, "workspace_tiles", None)
        if path:
            tiles += import_string(path)(person)
    return tiles


@login_required
def workspace(request):
    if not platform(request)["is_official"]:
        return redirect("web:home")
    return render(
        request,
        "web/workspace.html",
        {"tiles": _tiles(request.user), "worker_silence": core_queries.worker_silence(request.user)},
    )


class LoginView(auth_views.LoginView):
    """Sign-in; officials land on their workspace (their work), citizens on the portal's home,
    unless a ``next`` page was asked for."""

    template_name = "web/login.html"
    authentication_form = LoginForm

    def get_default_redirect_url(self):
        if platform(self.request)["is_official"]:
            return reverse("web:workspace")
        return super().get_default_redirect_url()

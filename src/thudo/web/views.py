from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from thudo.core import queries as core_queries
from thudo.web.context import platform

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


@login_required
def workspace(request):
    if not platform(request)["is_official"]:
        return redirect("web:home")
    return render(
        request, "web/workspace.html", {"worker_silence": core_queries.worker_silence(request.user)}
    )

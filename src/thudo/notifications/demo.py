"""Demo content: a welcome notice for the city administrator (idempotent by key)."""

from django.db import transaction

from thudo.core.models import User
from thudo.notifications import actions


def load(*, progress, stdout) -> list[tuple[str, str, str]]:
    admin = User.objects.filter(username="admin").first()
    if admin is not None:
        with transaction.atomic():
            actions.notify(
                event="platform.welcome",
                subject="Chào mừng đến Thủ đô số",
                body=(
                    "Thông báo về hồ sơ và công việc sẽ hiện ở đây và được gửi qua thư điện tử. "
                    "Hàng đợi gửi thư xem tại trang quản trị."
                ),
                user=admin,
                url="/admin/notifications/outboxmessage/",
                key="demo:welcome:admin",
            )
    stdout.write("  Thông báo: sẵn sàng")
    return []

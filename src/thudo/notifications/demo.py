"""Demo content: a welcome notice for the city administrator (idempotent by key); the months
of demo dossiers loaded before leave each person only their few newest notices unread, as a
person who uses the platform would (not hundreds of unread notices on the bell)."""

from django.db import transaction
from django.db.models import Count, Q

from thudo.core.models import User
from thudo.notifications import actions

UNREAD_KEPT = 3


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
    crowded = User.objects.annotate(
        unread=Count("notifications", filter=Q(notifications__read_at__isnull=True))
    ).filter(unread__gt=UNREAD_KEPT)
    for user in crowded:
        actions.mark_all_read(by=user, keep_latest=UNREAD_KEPT)
    stdout.write("  Thông báo: sẵn sàng")
    return []

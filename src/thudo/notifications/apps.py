from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from thudo.core.schedule import ScheduledTask


class NotificationsConfig(AppConfig):
    name = "thudo.notifications"
    label = "notifications"
    verbose_name = _("Thông báo")
    portal_nav = [("notifications:list", _("Thông báo"), "auth")]

    schedule = [
        ScheduledTask(
            "thudo.notifications.tasks.deliver_due", ("* * * * *",), _("gửi thông báo đến hạn: mỗi phút")
        ),
    ]

    def ready(self) -> None:
        from thudo.core import events, monitoring, permissions
        from thudo.notifications import actions, queries
        from thudo.notifications.models import Notification, OutboxMessage

        # Whatever any app publishes for a person to be told: the notice and its outbox rows are
        # written in the publisher's transaction (they commit or roll back with the change).
        events.subscribe(events.PersonNotified, actions.notice_published, when=events.IN_TRANSACTION)

        permissions.register(Notification, permissions.Scope(noun="notification", owner_field="user"))
        # No agency field: only city administrators (notification.manage) see the queue.
        permissions.register(OutboxMessage, permissions.Scope(noun="notification"))
        # Operations watches the outbox (/metrics, /readyz) without importing this app.
        monitoring.QUEUES.register(
            monitoring.QueueSource("outbox", backlog=queries.outbox_backlog, dead=queries.outbox_dead)
        )

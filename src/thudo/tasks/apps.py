from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from thudo.core.schedule import ScheduledTask


class TasksConfig(AppConfig):
    name = "thudo.tasks"
    label = "tasks"
    verbose_name = _("Giao việc, theo dõi nhiệm vụ")
    workspace_nav = [
        ("tasks:unit", _("Nhiệm vụ của đơn vị"), "can:task.view"),
        ("tasks:assigned", _("Nhiệm vụ đã giao"), "can:task.assign"),
        ("tasks:scoreboard", _("Bảng theo dõi nhiệm vụ"), "can:task.view"),
    ]
    # Reminders every morning; the job itself sends nothing on a day off of the lead unit.
    schedule = [
        ScheduledTask(
            "thudo.tasks.tasks.send_reminders",
            ("0 7 * * *",),
            _("nhắc hạn nhiệm vụ: 07:00 mỗi ngày làm việc"),
        ),
    ]

    def ready(self) -> None:
        from thudo.core import indicators, permissions
        from thudo.core.livedata import LIVE_DATASETS
        from thudo.tasks import facts, opentables
        from thudo.tasks.models import Task

        # The lead unit's and the assigning agency's people see the task; co-ordinating units
        # see it too (agency_getter, for one task; lists of them: queries.unit_tasks).
        permissions.register(
            Task,
            permissions.Scope(
                noun="task",
                agency_fields=("lead_agency", "assigner_agency"),
                agency_getter=lambda t: [
                    t.lead_agency_id,
                    t.assigner_agency_id,
                    *t.units.values_list("agency_id", flat=True),
                ],
            ),
        )
        indicators.SOURCES.register(facts.SOURCE)
        # Task statistics per unit, published as open data.
        LIVE_DATASETS.register(opentables.STATISTICS)

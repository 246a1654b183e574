from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from thudo.core.schedule import ScheduledTask


class FeedbackConfig(AppConfig):
    name = "thudo.feedback"
    label = "feedback"
    verbose_name = _("Phản ánh, kiến nghị")
    portal_nav = [
        ("feedback:public_list", _("Phản ánh hiện trường")),
        ("feedback:mine", _("Phản ánh của tôi"), "auth"),
    ]
    workspace_nav = [
        ("feedback:triage", _("Tiếp nhận phản ánh"), "can:feedback.triage"),
        ("feedback:unit_queue", _("Phản ánh cần xử lý"), "can:feedback.view"),
    ]
    # Deadlines are in working hours: every 30 minutes during office hours on working days
    # (Saturday make-up days included), reminders go out 2 working hours before each deadline.
    schedule = [
        ScheduledTask(
            "thudo.feedback.tasks.send_reminders",
            ("*/30 7-17 * * mon-sat",),
            _("nhắc hạn phản ánh: mỗi 30 phút trong giờ làm việc"),
        ),
    ]

    def ready(self) -> None:
        from thudo.core import indicators, permissions
        from thudo.core.livedata import LIVE_DATASETS
        from thudo.feedback import facts, opentables
        from thudo.feedback.models import Report

        # Officials of the receiving agency and of the handling unit see the report (with the
        # reporter's identity); the reporter sees their own. The public sees handled reports
        # through queries.public_reports, which never selects the reporter.
        permissions.register(
            Report,
            permissions.Scope(
                noun="feedback", agency_fields=("receiving_agency", "unit"), owner_field="reporter"
            ),
        )
        indicators.SOURCES.register(
            indicators.IndicatorSource(name="feedback", facts=facts.FACTS, count=facts.count)
        )
        # Feedback statistics per commune and category, published as open data.
        LIVE_DATASETS.register(opentables.STATISTICS)

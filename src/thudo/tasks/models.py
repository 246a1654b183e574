"""Directives and tasks (giao việc, theo dõi, đôn đốc nhiệm vụ): domain-round2 §2.

One task, one lead unit (Decree 314/2025/NĐ-CP): ``Task.lead_agency`` is a NOT NULL column, and
every unit a task involves is a :class:`TaskUnit` row whose constraints make a second lead, or a
lead that is also a co-ordinating unit, impossible in the database. The source of a task (an
incoming document's direction, a meeting conclusion, a citizen report, a plan, or none) is a
typed ``(source_kind, source_ref)`` pair, so later modules attach tasks without this app
importing them. Deadlines are dates; the status a person reads is derived in one function
(:func:`thudo.tasks.status.standing`) with the shared working-time calendar.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from thudo.core.models import Agency


class SourceKind(models.TextChoices):
    AD_HOC = "ad_hoc", _("Giao trực tiếp")
    DOCUMENT = "document", _("Văn bản đến")
    MEETING = "meeting", _("Kết luận cuộc họp")
    FEEDBACK = "feedback", _("Phản ánh, kiến nghị")
    PLAN = "plan", _("Kế hoạch")


class Recurrence(models.TextChoices):
    ONCE = "once", _("Có thời hạn")
    MONTHLY = "monthly", _("Định kỳ hằng tháng")
    QUARTERLY = "quarterly", _("Định kỳ hằng quý")
    ONGOING = "ongoing", _("Thường xuyên")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Thường")
    URGENT = "urgent", _("Khẩn")
    VERY_URGENT = "very_urgent", _("Thượng khẩn")
    FLASH = "flash", _("Hỏa tốc")


class State(models.TextChoices):
    ASSIGNED = "assigned", _("Đã giao")
    ACCEPTED = "accepted", _("Đã tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    REPORTED = "reported", _("Đã báo cáo hoàn thành")
    CLOSED = "closed", _("Đã kết thúc")
    CANCELLED = "cancelled", _("Đã hủy")


OPEN_STATES = (State.ASSIGNED, State.ACCEPTED, State.IN_PROGRESS)
DONE_STATES = (State.REPORTED, State.CLOSED)


class DeadlineBasis(models.TextChoices):
    ORIGINAL = "original", _("hạn ban đầu")
    EXTENDED = "extended", _("hạn đã gia hạn")


class Plan(models.Model):
    """A plan (kế hoạch) whose tasks carry quarterly or half-year milestones (Plan 57/KH-UBND)."""

    code = models.CharField(_("số, ký hiệu"), max_length=60, unique=True)
    title = models.CharField(_("tên kế hoạch"), max_length=300)
    year = models.PositiveIntegerField(_("năm"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="task_plans")
    basis = models.TextField(_("căn cứ, mục tiêu"), blank=True)

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        ordering = ["-year", "code"]
        # "57/KH-UBND" and "57/kh-ubnd" are the same plan number, also when two people save at once.
        constraints = [models.UniqueConstraint(Lower("code"), name="tasks_plan_code_any_case")]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"


class Milestone(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("mốc"), max_length=120)
    due = models.DateField(_("hạn mốc"))

    class Meta:
        verbose_name = _("mốc kế hoạch")
        verbose_name_plural = _("mốc kế hoạch")
        ordering = ["plan", "due", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="tasks_milestone_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.due:%d/%m/%Y})"


class Task(models.Model):
    """Nhiệm vụ: one piece of work given to exactly one lead unit."""

    title = models.CharField(_("trích yếu nhiệm vụ"), max_length=300)
    content = models.TextField(_("nội dung"), blank=True)
    source_kind = models.CharField(_("nguồn giao"), max_length=12, choices=SourceKind.choices)
    # What the source is, as another module names it: "documents.incoming:123"; "" for ad hoc.
    source_ref = models.CharField(_("mã nguồn"), max_length=120, blank=True, db_index=True)
    # How people read it: "Văn bản số 123/UBND-KGVX ngày 02/12/2026".
    source_label = models.CharField(_("văn bản, kết luận giao"), max_length=300, blank=True)
    batch = models.CharField(_("chỉ đạo"), max_length=32, blank=True, db_index=True)
    assigner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks_assigned"
    )
    assigner_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="tasks_given", verbose_name=_("cơ quan giao")
    )
    lead_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="tasks_led", verbose_name=_("đơn vị chủ trì")
    )
    lead_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks_led",
        verbose_name=_("người chủ trì"),
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="subtasks"
    )
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    recurrence = models.CharField(
        _("loại thời hạn"), max_length=12, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    priority = models.CharField(
        _("độ khẩn"), max_length=12, choices=Priority.choices, default=Priority.NORMAL
    )
    original_deadline = models.DateField(_("hạn ban đầu"), null=True, blank=True)
    deadline = models.DateField(_("hạn xử lý"), null=True, blank=True, db_index=True)
    state = models.CharField(_("trạng thái"), max_length=12, choices=State.choices, default=State.ASSIGNED)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    assigned_at = models.DateTimeField(_("giao lúc"), db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # The done report the status is judged on: its date, and the deadline it counted against.
    done_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True, db_index=True)
    done_deadline = models.DateField(null=True, blank=True)
    done_basis = models.CharField(max_length=10, choices=DeadlineBasis.choices, blank=True)
    result = models.TextField(_("kết quả"), blank=True)
    result_document = models.CharField(_("số, ký hiệu văn bản trả lời"), max_length=120, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["-assigned_at", "-pk"]
        indexes = [models.Index(fields=["lead_agency", "state"], name="tasks_lead_state")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="tasks_progress_max_100"),
            models.CheckConstraint(
                condition=Q(recurrence="ongoing") | Q(deadline__isnull=False),
                name="tasks_deadline_unless_ongoing",
            ),
        ]

    def __str__(self) -> str:
        return f"NV-{self.pk}: {self.title}"[:255]

    @property
    def code(self) -> str:
        return f"NV-{self.pk}"


class UnitRole(models.TextChoices):
    LEAD = "lead", _("Chủ trì")
    COORDINATE = "coordinate", _("Phối hợp")


class TaskUnit(models.Model):
    """A unit a task involves: its one lead, and any number of co-ordinating units. The database
    refuses a second lead row and a unit listed twice (so the lead is never also a co-ordinator)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="units")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="task_units")
    role = models.CharField(_("vai trò"), max_length=12, choices=UnitRole.choices)

    class Meta:
        verbose_name = _("đơn vị thực hiện")
        verbose_name_plural = _("đơn vị thực hiện")
        constraints = [
            models.UniqueConstraint(fields=["task", "agency"], name="tasks_unit_once_per_task"),
            models.UniqueConstraint(
                fields=["task"], condition=Q(role="lead"), name="tasks_one_lead_per_task"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} · {self.get_role_display()} · {self.agency_id}"


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("Báo cáo tiến độ")
    DONE = "done", _("Báo cáo hoàn thành")


class Report(models.Model):
    """A progress or done report. A done report states the deadline it counts against."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=10, choices=ReportKind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    on = models.DateField(_("ngày báo cáo"))
    text = models.TextField(_("nội dung báo cáo"))
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"))
    result_document = models.CharField(_("số, ký hiệu văn bản trả lời"), max_length=120, blank=True)
    deadline_basis = models.CharField(max_length=10, choices=DeadlineBasis.choices, blank=True)
    deadline_counted = models.DateField(null=True, blank=True)
    on_time = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("báo cáo")
        verbose_name_plural = _("báo cáo")
        ordering = ["at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="tasks_report_percent")]

    def __str__(self) -> str:
        return f"{self.task_id} · {self.get_kind_display()} · {self.on}"


def task_file_path(instance, filename: str) -> str:
    return f"tasks/{instance.task_id}/{filename}"


class TaskFile(models.Model):
    """An attachment of the task (at assignment) or of one of its reports."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="files")
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.CASCADE, related_name="files")
    original_name = models.CharField(_("tên tệp"), max_length=255)
    file = models.FileField(upload_to=task_file_path, max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=120)
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class Decision(models.TextChoices):
    PENDING = "pending", _("Chờ quyết định")
    APPROVED = "approved", _("Đồng ý gia hạn")
    REFUSED = "refused", _("Không đồng ý")


class ExtensionRequest(models.Model):
    """Đề nghị gia hạn: a proposed date and a reason; the assigner decides. The task's original
    deadline never changes; ``deadline_before`` keeps the date this request wanted to move."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    deadline_before = models.DateField()
    proposed = models.DateField(_("hạn đề nghị"))
    reason = models.TextField(_("lý do"))
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("đề nghị gia hạn")
        verbose_name_plural = _("đề nghị gia hạn")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"], condition=Q(decision="pending"), name="tasks_one_pending_extension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_id} → {self.proposed}"


class TaskEvent(models.Model):
    """The task's history, one row per action (who, what, when, from which state to which)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    verb = models.CharField(max_length=30)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("lịch sử nhiệm vụ")
        verbose_name_plural = _("lịch sử nhiệm vụ")
        ordering = ["task", "seq"]
        constraints = [models.UniqueConstraint(fields=["task", "seq"], name="tasks_event_seq")]

    def __str__(self) -> str:
        return f"{self.task_id}#{self.seq} {self.verb}"


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("Sắp đến hạn")
    DUE = "due", _("Đến hạn hôm nay")
    OVERDUE = "overdue", _("Quá hạn")


class SentReminder(models.Model):
    """One reminder to one person about one task on one day: the unique key makes each reminder
    go out exactly once, however often the job runs."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    day = models.DateField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("nhắc việc đã gửi")
        verbose_name_plural = _("nhắc việc đã gửi")
        constraints = [
            models.UniqueConstraint(fields=["task", "kind", "day", "user"], name="tasks_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind} {self.day}"

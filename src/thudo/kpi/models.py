"""Data of the kpi app: indicator sets (as data), monthly facts, targets, report forms, snapshots.

Data only; every write goes through :mod:`thudo.kpi.actions` (facts: :mod:`thudo.kpi.compute`).

Legal sources (domain-rules §4–§5): Decision 766/QĐ-TTg of 23 June 2022 (service-quality index
for public services: five groups, 100 points); Hanoi Resolution 18-NQ/TU (2022), Plans
239/KH-UBND (2023) and 57/KH-UBND (2024) (digital-transformation targets); Decision
405/QĐ-BKHCN (2025) (provincial DTI).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from thudo.core.errors import Conflict


def default_bands() -> dict:
    """Classification bands (domain-rules §4): ≥ 90 excellent, < 50 weak, the middle configurable."""
    return {"excellent": 90, "good": 70, "average": 50}


class SetKind(models.TextChoices):
    """``index``: the service-quality index of Decision 766/QĐ-TTg (one valid set at a time);
    ``targets``: digital-transformation targets (not ranked); ``tasks``: the ranking of units on
    the tasks they were assigned (Plan 259/KH-UBND), scored like the index from its own facts."""

    INDEX = "index", _("Bộ chỉ số chất lượng phục vụ")
    TARGETS = "targets", _("Mục tiêu chuyển đổi số")
    TASKS = "tasks", _("Kết quả thực hiện nhiệm vụ được giao")


# The kinds of set that rank units monthly and are published as snapshots (the index first).
RANKED_KINDS = (SetKind.INDEX, SetKind.TASKS)


class IndicatorSet(models.Model):
    """A versioned set of indicators, valid between two dates, because the authority revises it."""

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=300)
    kind = models.CharField(_("loại"), max_length=10, choices=SetKind.choices, default=SetKind.INDEX)
    source = models.CharField(_("căn cứ"), max_length=500, blank=True)
    valid_from = models.DateField(_("áp dụng từ"))
    valid_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    bands = models.JSONField(_("ngưỡng xếp loại"), default=default_bands)

    class Meta:
        verbose_name = _("bộ chỉ số")
        verbose_name_plural = _("bộ chỉ số")
        ordering = ["-valid_from", "code"]

    def __str__(self) -> str:
        return self.name


class IndicatorGroup(models.Model):
    set = models.ForeignKey(IndicatorSet, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(_("mã"), max_length=10)
    name = models.CharField(_("tên"), max_length=300)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("nhóm chỉ số")
        verbose_name_plural = _("nhóm chỉ số")
        ordering = ["set", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["set", "code"], name="kpi_group_unique")]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class IndicatorKind(models.TextChoices):
    DOSSIER_RATIO = "dossier_ratio", _("Tỷ lệ từ dữ liệu hồ sơ")
    RATING_MEAN = "rating_mean", _("Điểm đánh giá trung bình")
    REPORTED = "reported", _("Báo cáo (chưa có nguồn dữ liệu)")
    QUERY = "query", _("Truy vấn đăng ký sẵn")


class Indicator(models.Model):
    """One indicator. ``config`` for ``dossier_ratio``: ``{"numerator": fact, "denominator": fact}``
    (fact names of :mod:`thudo.kpi.compute`); for ``query``: ``{"query": name}``; for
    ``reported``: ``{"reason": "..."}`` (why the platform has no data yet). ``scored=False`` for
    indicators that are reported but not scored (2.2)."""

    group = models.ForeignKey(IndicatorGroup, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("mã"), max_length=10)
    name = models.CharField(_("tên"), max_length=400)
    kind = models.CharField(_("loại"), max_length=16, choices=IndicatorKind.choices)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2, default=0)
    target = models.DecimalField(_("chỉ tiêu (tỷ lệ)"), max_digits=5, decimal_places=4, null=True, blank=True)
    scored = models.BooleanField(_("tính điểm"), default=True)
    config = models.JSONField(default=dict, blank=True)
    formula = models.CharField(_("công thức"), max_length=500, blank=True)
    valid_from = models.DateField(_("áp dụng từ"), null=True, blank=True)
    valid_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("chỉ số")
        verbose_name_plural = _("chỉ số")
        ordering = ["group", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["group", "code"], name="kpi_indicator_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TargetKind(models.TextChoices):
    COMPUTED = "computed", _("Tính từ dữ liệu nền tảng")
    REPORTED = "reported", _("Đơn vị báo cáo")


class TargetStatus(models.TextChoices):
    MET = "met", _("Đã đạt")
    ON_TRACK = "on_track", _("Đúng tiến độ")
    AT_RISK = "at_risk", _("Có nguy cơ không đạt")
    NOT_MET = "not_met", _("Không đạt")


class Target(models.Model):
    """A digital-transformation target (domain-rules §5): goal, deadline, owner, a value computed
    from platform data or reported by the owner with its source, and a status."""

    set = models.ForeignKey(IndicatorSet, on_delete=models.CASCADE, related_name="targets")
    code = models.CharField(_("mã"), max_length=20)
    name = models.CharField(_("tên"), max_length=400)
    goal = models.DecimalField(_("mục tiêu"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("đơn vị tính"), max_length=40)
    deadline = models.DateField(_("thời hạn"))
    owner_agency = models.ForeignKey(
        "core.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_name = models.CharField(_("cơ quan chủ trì"), max_length=200, blank=True)
    baseline_value = models.DecimalField(_("giá trị gốc"), max_digits=14, decimal_places=4, null=True)
    baseline_date = models.DateField(_("thời điểm gốc"), null=True, blank=True)
    current_value = models.DecimalField(
        _("giá trị hiện tại"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    current_date = models.DateField(_("thời điểm cập nhật"), null=True, blank=True)
    kind = models.CharField(_("cách lấy số liệu"), max_length=10, choices=TargetKind.choices)
    query = models.CharField(_("truy vấn"), max_length=60, blank=True)
    status = models.CharField(_("tình trạng"), max_length=10, choices=TargetStatus.choices)
    source = models.CharField(_("nguồn số liệu"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        ordering = ["set", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["set", "code"], name="kpi_target_unique")]

    def __str__(self) -> str:
        return self.name


class MonthlyAgencyCount(models.Model):
    """A rolled-up fact: ``value`` of ``metric`` for one agency and one month (first day).

    Filled by :func:`thudo.kpi.compute.rollup` (one transaction per agency-month, delete + insert,
    so re-running is idempotent). Pages read these rows; they never rescan dossiers."""

    agency = models.ForeignKey("core.Agency", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    metric = models.CharField(max_length=40)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("số liệu tháng")
        verbose_name_plural = _("số liệu tháng")
        constraints = [
            models.UniqueConstraint(fields=["agency", "month", "metric"], name="kpi_count_unique"),
        ]
        indexes = [models.Index(fields=["month", "metric"], name="kpi_count_month")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.month:%Y-%m} {self.metric}={self.value}"


class FillState(models.Model):
    """How far a metric set is rolled up (Zulip analytics ``FillState`` idea): ``month`` is the
    month in progress (``started``) or the last month completed (``done``). A crash leaves
    ``started``; the next run redoes that month (idempotent) and goes on."""

    class State(models.TextChoices):
        STARTED = "started", _("Đang tổng hợp")
        DONE = "done", _("Đã xong")

    metric_set = models.CharField(max_length=40, unique=True)
    month = models.DateField()
    state = models.CharField(max_length=8, choices=State.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("trạng thái tổng hợp")
        verbose_name_plural = _("trạng thái tổng hợp")

    def __str__(self) -> str:
        return f"{self.metric_set}: {self.month:%Y-%m} {self.state}"


class ImmutableError(Conflict):
    pass


class SnapshotQuerySet(models.QuerySet):
    """Bulk writes are refused too: a published ranking changes only by publishing a new version."""

    def update(self, **kwargs):
        raise ImmutableError(_("Bảng xếp hạng đã công bố không được sửa; hãy công bố lần mới."))

    def delete(self):
        raise ImmutableError(_("Bảng xếp hạng đã công bố không được xóa."))


class Snapshot(models.Model):
    """A published ranking of one set for one month. Never updated: publishing the same set and
    month again creates ``version + 1`` with a reason (required from version 2). Each set (the
    Decision 766 index, the task results of Plan 259) has its own versions."""

    period = models.CharField(_("kỳ"), max_length=7)  # YYYY-MM
    version = models.PositiveSmallIntegerField(_("lần công bố"))
    reason = models.TextField(_("lý do công bố lại"), blank=True)
    set = models.ForeignKey(IndicatorSet, on_delete=models.PROTECT, related_name="snapshots")
    created_at = models.DateTimeField(_("công bố lúc"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField()

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("bảng xếp hạng đã công bố")
        verbose_name_plural = _("bảng xếp hạng đã công bố")
        ordering = ["-period", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["set", "period", "version"], name="kpi_snapshot_set_unique")
        ]

    def __str__(self) -> str:
        return f"{self.period} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise ImmutableError(_("Bảng xếp hạng đã công bố không được sửa; hãy công bố lần mới."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(_("Bảng xếp hạng đã công bố không được xóa."))


class FieldType(models.TextChoices):
    INT = "int", _("Số nguyên")
    DECIMAL = "decimal", _("Số thập phân")
    PERCENT = "percent", _("Tỷ lệ phần trăm")
    TEXT = "text", _("Văn bản")
    DATE = "date", _("Ngày")


class ReportForm(models.Model):
    """A report form of the reporting system: ``fields`` = ``[{key, label, type, unit, required,
    min, max}]`` (types of :class:`FieldType`)."""

    code = models.CharField(_("mã biểu"), max_length=40, unique=True)
    name = models.CharField(_("tên biểu"), max_length=300)
    fields = models.JSONField(_("chỉ tiêu"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("biểu mẫu báo cáo")
        verbose_name_plural = _("biểu mẫu báo cáo")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class ReportAssignment(models.Model):
    form = models.ForeignKey(ReportForm, on_delete=models.PROTECT, related_name="assignments")
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("kỳ báo cáo"), max_length=7)
    deadline = models.DateField(_("hạn nộp"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField()

    class Meta:
        verbose_name = _("giao báo cáo")
        verbose_name_plural = _("giao báo cáo")
        ordering = ["-period", "form", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["form", "agency", "period"], name="kpi_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.form.code} {self.period} {self.agency_id}"


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    SUBMITTED = "submitted", _("Đã nộp")
    ACCEPTED = "accepted", _("Đã chấp nhận")
    RETURNED = "returned", _("Trả lại để sửa")


class ReportSubmission(models.Model):
    assignment = models.OneToOneField(ReportAssignment, on_delete=models.CASCADE, related_name="submission")
    values = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    late = models.BooleanField(_("nộp muộn"), default=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("ý kiến"), blank=True)

    class Meta:
        verbose_name = _("báo cáo đã nộp")
        verbose_name_plural = _("báo cáo đã nộp")

    def __str__(self) -> str:
        return f"{self.assignment} {self.status}"


def evidence_path(instance, filename: str) -> str:
    import secrets

    return f"kpi/evidence/{secrets.token_hex(2)}/{secrets.token_hex(16)}"


class ReportEvidence(models.Model):
    submission = models.ForeignKey(ReportSubmission, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")

    def __str__(self) -> str:
        return self.original_name

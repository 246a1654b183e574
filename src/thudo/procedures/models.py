"""The catalogue of administrative procedures (thủ tục hành chính) and their internal processes.

Data only; every write goes through :mod:`thudo.procedures.actions`.

Sources: Decree 118/2025/NĐ-CP (one-stop mechanism: durations, internal processes approved per
procedure), Circular 03/2025/TT-VPCP (forms and codes), Decree 42/2022/NĐ-CP art. 11 (online
service level), Hanoi Resolutions 07/2023/NQ-HĐND and 77/2025/NQ-HĐND (fees 0 đồng online).
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from thudo.core.models import Agency
from thudo.core.workcalendar import HOURS_PER_DAY


class Field(models.Model):
    """Lĩnh vực: the subject area a procedure belongs to (e.g. "Hộ tịch")."""

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    """Lifecycle of a procedure version (and of a process): only drafts can be edited."""

    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đang áp dụng")
    SUPERSEDED = "superseded", _("Đã thay thế")


class Level(models.TextChoices):
    """Which level handles the procedure after the two-level local government of 1 July 2025."""

    COMMUNE = "commune", _("Cấp xã")
    DEPARTMENT = "department", _("Cấp tỉnh (sở, ngành)")


class DurationUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")


class OnlineLevel(models.TextChoices):
    """Decree 42/2022/NĐ-CP art. 11: full (toàn trình) or partial (một phần) online service."""

    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")


class ResultType(models.TextChoices):
    DOCUMENT = "document", _("Văn bản, giấy tờ")
    NONE = "none", _("Không có văn bản kết quả")


class PaperKind(models.TextChoices):
    """What a required paper is, so that an earlier paper of the same kind can be re-used and the
    declaration (tờ khai) can be replaced by the procedure's e-form."""

    DECLARATION = "declaration", _("Tờ khai, đơn")
    IDENTITY = "identity", _("Giấy tờ tùy thân")
    RESIDENCE = "residence", _("Giấy tờ về cư trú")
    BIRTH = "birth", _("Giấy chứng sinh")
    AUTHORISATION = "authorisation", _("Văn bản ủy quyền")
    OTHER = "other", _("Giấy tờ khác")


class Procedure(models.Model):
    """One version of a procedure as published in the national procedure database.

    ``(code, version)`` is unique; at most one version of a code is published at a time (earlier
    ones become superseded). A published version is read-only: changes are made in a new draft
    (Decree 118/2025/NĐ-CP: procedures are publicised and applied as announced). ``agency`` is
    the department that handles a department-level procedure; commune-level procedures have no
    agency (every commune People's Committee handles them).
    """

    code = models.CharField(_("mã thủ tục"), max_length=40)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("lĩnh vực")
    )
    level = models.CharField(_("cấp thực hiện"), max_length=12, choices=Level.choices)
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="procedures",
        verbose_name=_("cơ quan thực hiện"),
    )
    duration_value = models.DecimalField(_("thời hạn giải quyết"), max_digits=7, decimal_places=2)
    duration_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=16, choices=DurationUnit.choices, default=DurationUnit.WORKING_DAYS
    )
    cutoff_time = models.TimeField(
        _("giờ tiếp nhận cuối ngày"),
        null=True,
        blank=True,
        help_text=_("Hồ sơ nhận sau giờ này được tính từ ngày làm việc tiếp theo (ví dụ 15:00)."),
    )
    online_level = models.CharField(
        _("mức độ trực tuyến"), max_length=8, choices=OnlineLevel.choices, default=OnlineLevel.PARTIAL
    )
    result_type = models.CharField(
        _("loại kết quả"), max_length=10, choices=ResultType.choices, default=ResultType.DOCUMENT
    )
    result_name = models.CharField(_("tên kết quả"), max_length=500, blank=True)
    legal_bases = models.JSONField(_("căn cứ pháp lý"), default=list, blank=True)
    eform_schema = models.JSONField(
        _("biểu mẫu điện tử (tờ khai tương tác)"),
        default=list,
        blank=True,
        help_text=_(
            'Danh sách trường: {"name", "label", "type" (text, textarea, date, number, choice), '
            '"required", "choices"}. Có biểu mẫu thì người dân khai trực tuyến thay cho tệp tờ khai.'
        ),
    )
    search_text = models.CharField(max_length=700, editable=False, db_index=True)
    source_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("ngày công bố"), null=True, blank=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="procedure_code_version_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(status="published"), name="procedure_one_published"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def legal_duration_hours(self) -> Decimal:
        """The legal duration in working hours (8 per working day, domain-rules §2)."""
        value = Decimal(self.duration_value)
        if self.duration_unit == DurationUnit.WORKING_DAYS:
            return value * HOURS_PER_DAY
        return value

    @property
    def is_editable(self) -> bool:
        return self.status == Status.DRAFT


class RequiredPaper(models.Model):
    """A paper of the dossier (thành phần hồ sơ), with the number of copies and its blank form."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="papers")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên giấy tờ"), max_length=700)
    mandatory = models.BooleanField(_("bắt buộc"), default=True)
    copies = models.PositiveSmallIntegerField(_("số bản"), default=1)
    form_name = models.CharField(_("mẫu đơn, tờ khai"), max_length=300, blank=True)
    blank_form = models.FileField(_("tệp mẫu"), upload_to="procedures/forms/", null=True, blank=True)
    kind = models.CharField(
        _("loại giấy tờ"), max_length=16, choices=PaperKind.choices, default=PaperKind.OTHER
    )
    from_population_db = models.BooleanField(
        _("khai thác từ CSDL quốc gia về dân cư"),
        default=False,
        help_text=_("Người đã xác thực định danh không phải nộp giấy tờ này (Nghị định 104/2022/NĐ-CP)."),
    )

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure_id", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    COUNTER = "counter", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Qua bưu chính")


class Fee(models.Model):
    """A fee or charge (phí, lệ phí) per submission channel, valid between two dates.

    Integer đồng. Online fees in Hanoi are 0 đồng: Resolution 07/2023/NQ-HĐND and, from
    1 January 2026, Resolution 77/2025/NQ-HĐND.
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fees")
    channel = models.CharField(_("hình thức nộp"), max_length=8, choices=Channel.choices)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"), default=0)
    name = models.CharField(_("tên phí, lệ phí"), max_length=300, blank=True)
    valid_from = models.DateField(_("áp dụng từ"))
    valid_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=700, blank=True)

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        ordering = ["procedure_id", "channel", "valid_from"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.amount:,} đ"


class SupplementPolicy(models.TextChoices):
    PAUSE = "pause", _("Tạm dừng, cộng lại thời gian đã dừng")
    RESTART = "restart", _("Tính lại từ đầu khi bổ sung")


class Process(models.Model):
    """The internal process (quy trình nội bộ) of a procedure at one agency; ``agency`` null is
    the default for every agency. Its steps' durations may not exceed the legal duration
    (Decree 118/2025/NĐ-CP; checked when the process is published). Published processes are
    read-only; a new one supersedes them."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="processes")
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="processes",
        verbose_name=_("cơ quan"),
        help_text=_("Để trống = quy trình mặc định."),
    )
    supplement_policy = models.CharField(
        _("khi yêu cầu bổ sung"),
        max_length=8,
        choices=SupplementPolicy.choices,
        default=SupplementPolicy.PAUSE,
    )
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("quy trình nội bộ")
        verbose_name_plural = _("quy trình nội bộ")
        ordering = ["procedure_id", "agency_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "agency"],
                condition=Q(status="published", agency__isnull=False),
                name="process_one_published_per_agency",
            ),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(status="published", agency__isnull=True),
                name="process_one_published_default",
            ),
        ]

    def __str__(self) -> str:
        where = self.agency.short_name or self.agency.name if self.agency_id else _("mặc định")
        return f"{self.procedure.code} · {where} ({self.get_status_display()})"

    @property
    def total_hours(self) -> Decimal:
        return sum((s.duration_hours for s in self.steps.all()), Decimal(0))


class StepRole(models.TextChoices):
    RECEPTION = "reception", _("Cán bộ một cửa")
    SPECIALIST = "specialist", _("Chuyên viên")
    LEADER = "leader", _("Lãnh đạo")


class ProcessStep(models.Model):
    """One hand-over of the process control sheet (form 06, Circular 03/2025/TT-VPCP)."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=300)
    role = models.CharField(_("vai trò"), max_length=12, choices=StepRole.choices)
    duration_hours = models.DecimalField(_("thời gian (giờ làm việc)"), max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["process_id", "order"]
        constraints = [models.UniqueConstraint(fields=["process", "order"], name="process_step_order_unique")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

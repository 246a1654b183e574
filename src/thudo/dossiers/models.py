"""Data of the dossiers app: dossiers (hồ sơ) and everything that hangs off them.

Data only; every write goes through :mod:`thudo.dossiers.actions`.

Legal basis (domain-rules §3): Decree 118/2025/NĐ-CP (one-stop mechanism), Circular 03/2025/TT-VPCP
(forms 01–07 and dossier codes), Decree 45/2020/NĐ-CP and Decree 42/2022/NĐ-CP (electronic
environment, online services), Circular 01/2023/TT-VPCP (digitisation).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """The dossier's state (domain-rules §3). Overdue is derived, never a state."""

    SUBMITTED = "submitted", _("Mới nộp, chờ tiếp nhận")
    PROCESSING = "processing", _("Đang giải quyết")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung")
    PAUSED = "paused", _("Tạm dừng")
    TRANSFERRED = "transferred", _("Đã chuyển liên thông")
    RESULT_READY = "result_ready", _("Có kết quả, chờ trả")
    RETURNED = "returned", _("Đã trả kết quả")
    REJECTED = "rejected", _("Từ chối")
    WITHDRAWN = "withdrawn", _("Đã rút / dừng giải quyết")


OPEN_STATUSES = (
    Status.SUBMITTED,
    Status.PROCESSING,
    Status.SUPPLEMENT_REQUESTED,
    Status.PAUSED,
    Status.TRANSFERRED,
)
"""States in which the clock (or the wait for the applicant) still runs: the dossier is not finished."""


def ended_or_changed() -> Coalesce:
    """When the dossier finished, else was returned, else last changed: the expression of the
    ``dossier_ended`` index, which queries must repeat exactly for the index to serve them."""
    return Coalesce("finished_at", "returned_at", "updated_at")


TERMINAL_STATUSES = (Status.RETURNED, Status.REJECTED, Status.WITHDRAWN)


class PauseKind(models.TextChoices):
    """Why the clock stopped (domain-rules §3): each kind has its own status for the applicant and
    its own national-portal code (6 only for a financial obligation)."""

    FINANCIAL = "financial", _("Chờ thực hiện nghĩa vụ tài chính")
    INSPECTION = "inspection", _("Chờ kiểm tra, xác minh thực tế")
    OPINION = "opinion", _("Chờ ý kiến của cơ quan, tổ chức khác")


class DossierChannel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    COUNTER = "counter", _("Trực tiếp")


class Dossier(models.Model):
    """Hồ sơ: one application for one procedure, from submission to hand-over of the result.

    ``receiving_agency`` is where it was submitted (often the city's Public Administration Service
    Center or a commune); ``processing_agency`` handles it — their working calendar gives the due
    moment. ``due_at`` may move once, by an apology letter (form 04); ``original_due_at`` keeps
    the first appointment. Pauses stop the clock; ``paused_total`` is the working time added back.
    """

    code = models.CharField(_("mã hồ sơ"), max_length=64, unique=True)
    secret = models.CharField(_("mã tra cứu"), max_length=16)
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("thủ tục")
    )
    process = models.ForeignKey(
        "procedures.Process",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("quy trình nội bộ"),
    )
    receiving_agency = models.ForeignKey(
        "core.Agency",
        on_delete=models.PROTECT,
        related_name="received_dossiers",
        verbose_name=_("nơi tiếp nhận"),
    )
    processing_agency = models.ForeignKey(
        "core.Agency",
        on_delete=models.PROTECT,
        related_name="processed_dossiers",
        verbose_name=_("nơi giải quyết"),
    )
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dossiers",
        verbose_name=_("tài khoản người nộp"),
    )
    applicant_name = models.CharField(_("họ tên người nộp"), max_length=200)
    applicant_pin = models.CharField(_("số định danh"), max_length=12, blank=True)
    applicant_birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    channel = models.CharField(_("hình thức nộp"), max_length=8, choices=DossierChannel.choices)
    status = models.CharField(
        _("trạng thái"), max_length=24, choices=Status.choices, default=Status.SUBMITTED
    )
    current_step = models.ForeignKey(
        "procedures.ProcessStep",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("bước hiện tại"),
    )
    step_due_at = models.DateTimeField(_("hạn của bước hiện tại"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_dossiers",
        verbose_name=_("người xử lý"),
    )
    submitted_at = models.DateTimeField(_("nộp lúc"))
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    clock_started_at = models.DateTimeField(_("bắt đầu tính hạn"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả"), null=True, blank=True)
    original_due_at = models.DateTimeField(_("hẹn trả ban đầu"), null=True, blank=True)
    paused_since = models.DateTimeField(_("tạm dừng từ"), null=True, blank=True)
    paused_total = models.DurationField(_("thời gian tạm dừng (giờ làm việc)"), default=timedelta(0))
    pause_kind = models.CharField(_("lý do tạm dừng"), max_length=16, choices=PauseKind.choices, blank=True)
    withdrawal_requested_at = models.DateTimeField(_("đề nghị dừng giải quyết lúc"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("lý do đề nghị dừng giải quyết"), blank=True)
    # Supplements requested while processing (the clock stops; more than one counts as late, index
    # 2.1) and completeness requests before reception (no clock yet; back to reception when done).
    supplement_count = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung khi giải quyết"), default=0)
    completion_requests = models.PositiveSmallIntegerField(
        _("số lần yêu cầu hoàn thiện trước tiếp nhận"), default=0
    )
    finished_at = models.DateTimeField(_("kết thúc xử lý lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("hồ sơ gốc (liên thông)"),
    )
    form_data = models.JSONField(_("nội dung tờ khai"), default=dict, blank=True)
    fee_amount = models.PositiveBigIntegerField(_("phí, lệ phí (đồng)"), default=0)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    # SHA-256 of the canonical submission the key came with: the same key with another body is refused.
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["processing_agency", "status", "due_at"], name="dossier_queue"),
            models.Index(fields=["assignee", "status"], name="dossier_assignee"),
            models.Index(fields=["receiving_agency", "status"], name="dossier_reception"),
            models.Index(fields=["applicant_user", "-submitted_at"], name="dossier_applicant"),
            # The service-quality index reads one month at a time (kpi.compute): the open dossiers
            # and those that ended (finished, else returned, else last changed) since the month
            # began; and the online submissions of the month (procedures in use, 3.2).
            models.Index(ended_or_changed(), name="dossier_ended"),
            models.Index(
                fields=["status"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="dossier_open",
            ),
            models.Index(fields=["submitted_at"], name="dossier_submitted"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def adopt_related(self, other: "Dossier | None") -> "Dossier":
        """Reuse the related rows ``other`` (an earlier copy of this dossier, read in the same
        request) already loaded, where the foreign key still points at the same row; returns self.
        Spares a query per relation when an action re-reads the dossier under a lock."""
        if other is None or other is self or other.pk != self.pk:
            return self
        for field in self._meta.concrete_fields:
            if (
                field.is_relation
                and field.is_cached(other)
                and not field.is_cached(self)
                and getattr(other, field.attname) == getattr(self, field.attname)
            ):
                field.set_cached_value(self, field.get_cached_value(other))
        return self


class EventVerb(models.TextChoices):
    SUBMIT = "submit", _("Nộp hồ sơ")
    CREATE_COUNTER = "create_counter", _("Tiếp nhận trực tiếp")
    RECEIVE = "receive", _("Tiếp nhận")
    REQUEST_SUPPLEMENT = "request_supplement", _("Yêu cầu bổ sung")
    SUPPLEMENT = "supplement", _("Bổ sung hồ sơ")
    REQUEST_COMPLETION = "request_completion", _("Yêu cầu hoàn thiện hồ sơ trước tiếp nhận")
    COMPLETE = "complete", _("Hoàn thiện hồ sơ")
    REJECT = "reject", _("Từ chối")
    WITHDRAW = "withdraw", _("Rút / dừng giải quyết")
    REQUEST_WITHDRAWAL = "request_withdrawal", _("Đề nghị dừng giải quyết")
    DECLINE_WITHDRAWAL = "decline_withdrawal", _("Không chấp nhận dừng giải quyết")
    PAUSE = "pause", _("Tạm dừng")
    RESUME = "resume", _("Tiếp tục")
    FORWARD = "forward", _("Chuyển bước")
    TRANSFER = "transfer", _("Chuyển liên thông")
    CHILD_DONE = "child_done", _("Nhận lại từ liên thông")
    ATTACH_RESULT = "attach_result", _("Dự thảo kết quả")
    SIGN = "sign", _("Phê duyệt, ký số")
    RETURN = "return", _("Trả kết quả")
    APOLOGIZE = "apologize", _("Xin lỗi, hẹn lại")
    RATE = "rate", _("Đánh giá")
    PAYMENT = "payment", _("Thanh toán")
    ATTACH = "attach", _("Đính kèm")


class DossierEvent(models.Model):
    """One row of the dossier's history and of the process control sheet (form 06, Circular
    03/2025/TT-VPCP): every hand-over with its step, its due moment and its actual time."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    verb = models.CharField(max_length=24, choices=EventVerb.choices)
    from_status = models.CharField(max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=Status.choices, blank=True)
    step = models.ForeignKey(
        "procedures.ProcessStep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    step_due_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("lịch sử hồ sơ")
        verbose_name_plural = _("lịch sử hồ sơ")
        ordering = ["dossier", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.verb}"


class AttachmentKind(models.TextChoices):
    PAPER = "paper", _("Thành phần hồ sơ")
    SUPPLEMENT = "supplement", _("Bổ sung")
    RESULT = "result", _("Kết quả")
    NOTICE = "notice", _("Phiếu do cơ quan phát hành")


class NoticeForm(models.TextChoices):
    """Papers the agency issues (Circular 03/2025/TT-VPCP forms 01–06)."""

    RECEIPT = "receipt", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mẫu 01)")
    SUPPLEMENT_REQUEST = "supplement_request", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02)")
    REFUSAL = "refusal", _("Phiếu từ chối tiếp nhận giải quyết hồ sơ (mẫu 03)")
    APOLOGY = "apology", _("Văn bản xin lỗi và hẹn lại ngày trả kết quả (mẫu 04)")
    STOP_NOTICE = "stop_notice", _("Thông báo dừng giải quyết hồ sơ (mẫu 05)")


def attachment_path(instance, filename: str) -> str:
    """A random path; the user's file name is never part of it (kept in ``original_name``)."""
    import secrets

    return f"dossiers/{secrets.token_hex(2)}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    """A file of the dossier: a paper submitted by the applicant, a supplement, an electronic result,
    or a paper the agency issued (kind ``notice``, with ``form``: the receipt 01 etc.).

    The content type is sniffed from the bytes, never taken from the client; ``digitised`` marks the
    electronic copy kept so the citizen never submits it again (Decree 118/2025/NĐ-CP, Circular
    01/2023/TT-VPCP); ``reused_from`` counts re-use of stored papers (index 4.3, Decision 766/QĐ-TTg).
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    paper = models.ForeignKey(
        "procedures.RequiredPaper", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(
        _("loại"), max_length=12, choices=AttachmentKind.choices, default=AttachmentKind.PAPER
    )
    form = models.CharField(_("mẫu"), max_length=24, choices=NoticeForm.choices, blank=True)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    file = models.FileField(upload_to=attachment_path, max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=120)
    digitised = models.BooleanField(_("đã số hóa"), default=True)
    reused_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reuses"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["dossier", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Tiền mặt")
    ONLINE = "online", _("Thanh toán trực tuyến")
    TRANSFER = "transfer", _("Chuyển khoản")


class Payment(models.Model):
    """A fee paid for the dossier (integer đồng): method, amount, reference, time, online or not
    (domain-rules §3 "Fees"; index 3.6 counts payments made online)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="payments")
    channel = models.CharField(_("kênh nộp"), max_length=8, choices=DossierChannel.choices)
    method = models.CharField(_("hình thức"), max_length=10, choices=PaymentMethod.choices)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    reference = models.CharField(_("mã giao dịch"), max_length=100, blank=True)
    paid_at = models.DateTimeField(_("thanh toán lúc"))
    online = models.BooleanField(_("trực tuyến"), default=False)
    gateway_status = models.CharField(max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("thanh toán")
        verbose_name_plural = _("thanh toán")
        ordering = ["dossier", "paid_at"]

    def __str__(self) -> str:
        return f"{self.amount:,} đ"


def result_path(instance, filename: str) -> str:
    import secrets

    return f"results/{secrets.token_hex(2)}/{secrets.token_hex(16)}.pdf"


class ResultDocument(models.Model):
    """The result (PDF) of a dossier. A signed result is immutable; a correction is a new version
    that ``supersedes`` the old one (domain-rules §3, "Results")."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="results")
    version = models.PositiveSmallIntegerField(default=1)
    file = models.FileField(upload_to=result_path, max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    document_code = models.CharField(_("số, ký hiệu"), max_length=80, blank=True)
    signed = models.BooleanField(_("đã ký số"), default=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("kết quả giải quyết")
        verbose_name_plural = _("kết quả giải quyết")
        ordering = ["dossier", "version"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "version"], name="result_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} v{self.version}"


class ApologyLetter(models.Model):
    """Văn bản xin lỗi và hẹn lại (form 04): at most one per dossier — the new date is set only
    once, and the dossier still counts as late (Decree 118/2025/NĐ-CP; domain-rules §3)."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="apology")
    reason = models.TextField(_("lý do"))
    old_due = models.DateTimeField(_("hẹn trả cũ"))
    new_due = models.DateTimeField(_("hẹn trả mới"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField()

    class Meta:
        verbose_name = _("văn bản xin lỗi")
        verbose_name_plural = _("văn bản xin lỗi")

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.new_due:%Y-%m-%d}"


def default_scores() -> dict:
    return {"attitude": None, "time": None, "result": None}


class Rating(models.Model):
    """The applicant's satisfaction after the result (default 1–5 on attitude, time, result)."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    scores = models.JSONField(default=default_scores)
    comment = models.TextField(blank=True)
    rated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("đánh giá")
        verbose_name_plural = _("đánh giá")

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.scores}"


class DailySequence(models.Model):
    """The last dossier number given by an agency on one day (codes restart daily per agency)."""

    agency = models.ForeignKey("core.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="daily_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}: {self.last_value}"

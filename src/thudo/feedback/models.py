"""Reports (phản ánh), their categories, routing rules, photos, history, followers and ratings.

Everything a person reads about the rules is data: categories (with "reopen allowed"), routing
rules (category × commune → unit) and the handling terms per level (:class:`LevelTerm`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from thudo.core.models import AdministrativeUnit, Agency


class Category(models.Model):
    """Lĩnh vực phản ánh (environment, traffic, urban order …): data, seeded by migration 0002."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    description = models.CharField(_("mô tả"), max_length=400, blank=True)
    reopen_allowed = models.BooleanField(
        _("cho phép mở lại"),
        default=True,
        help_text=_("Người phản ánh chưa hài lòng với trả lời thì được yêu cầu xử lý lại."),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("lĩnh vực phản ánh")
        verbose_name_plural = _("lĩnh vực phản ánh")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    """Mức độ (Decision 1207/QĐ-UBND): urgent (disasters, epidemics, accidents, theft, loss of
    safety and order), complex (several agencies, or a legal procedure), normal (the rest)."""

    URGENT = "urgent", _("Khẩn cấp")
    COMPLEX = "complex", _("Phức tạp")
    NORMAL = "normal", _("Thông thường")


class LevelTerm(models.Model):
    """How many working hours a unit has to handle a report of one level, counted from its
    acceptance. Urgent: 4 h (Decision 1207/QĐ-UBND). Normal and complex: UNCONFIRMED (the stored
    copies of the decision are cut off after the urgent rule) — seeded with working values the
    city administrator can change here; ``confirmed`` says which values come from the text."""

    level = models.CharField(_("mức độ"), max_length=10, choices=Level.choices, unique=True)
    handle_hours = models.PositiveIntegerField(_("số giờ làm việc để xử lý"))
    confirmed = models.BooleanField(_("đã đối chiếu văn bản"), default=False)
    source = models.CharField(_("căn cứ"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("thời hạn xử lý theo mức độ")
        verbose_name_plural = _("thời hạn xử lý theo mức độ")

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.handle_hours} h"


class RoutingRule(models.Model):
    """Which unit handles reports of a category in a commune. Empty category or commune = any;
    the most specific rule wins (category and commune, then commune, then category)."""

    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
        verbose_name=_("lĩnh vực"),
    )
    commune = models.ForeignKey(
        AdministrativeUnit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("phường/xã"),
    )
    unit = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", verbose_name=_("đơn vị xử lý")
    )

    class Meta:
        verbose_name = _("quy tắc chuyển xử lý")
        verbose_name_plural = _("quy tắc chuyển xử lý")
        constraints = [
            models.UniqueConstraint(fields=["category", "commune"], name="feedback_rule_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} × {self.commune or '*'} → {self.unit}"


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Chờ tiếp nhận")
    ACCEPTED = "accepted", _("Đã tiếp nhận")
    ASSIGNED = "assigned", _("Đã chuyển đơn vị xử lý")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    HANDLED = "handled", _("Đã xử lý, chờ công bố")
    PUBLISHED = "published", _("Đã công khai trả lời")
    RATED = "rated", _("Đã đánh giá")
    CLOSED = "closed", _("Đã đóng")
    REFUSED = "refused", _("Không tiếp nhận")


OPEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.HANDLED)
ANSWERED_STATUSES = (Status.PUBLISHED, Status.RATED, Status.CLOSED)


class RefusalReason(models.TextChoices):
    OUTSIDE_REMIT = "outside_remit", _("Không thuộc thẩm quyền của thành phố")
    DUPLICATE = "duplicate", _("Trùng với phản ánh đã có")
    NOT_ENOUGH_INFO = "not_enough_info", _("Không đủ thông tin để xử lý")
    COMPLAINT = "complaint", _("Là khiếu nại, tố cáo")


class Channel(models.TextChoices):
    WEB = "web", _("Cổng thông tin")
    APP = "app", _("Ứng dụng di động")
    HOTLINE = "hotline", _("Đường dây nóng")


class Report(models.Model):
    """Một phản ánh, kiến nghị. ``receiving_agency`` accepts (the commune committee of the place);
    ``unit`` handles. The reporter's identity (account, name, phone) is shown only to the
    officials of those agencies and to the reporter (queries.public_reports never selects it)."""

    code = models.CharField(_("mã phản ánh"), max_length=20, unique=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="reports", verbose_name=_("lĩnh vực")
    )
    title = models.CharField(_("tiêu đề"), max_length=200)
    description = models.TextField(_("nội dung"))
    latitude = models.DecimalField(_("vĩ độ"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("kinh độ"), max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300)
    commune = models.ForeignKey(
        AdministrativeUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("phường/xã")
    )
    receiving_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan tiếp nhận")
    )
    unit = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị xử lý"),
    )
    level = models.CharField(_("mức độ"), max_length=10, choices=Level.choices, default=Level.NORMAL)
    level_claimed = models.CharField(_("mức độ người phản ánh chọn"), max_length=10, choices=Level.choices)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    # The reporter: an account, or a phone number (hotline entries, the Open311 API).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reporter_name = models.CharField(_("họ tên người phản ánh"), max_length=200, blank=True)
    reporter_phone = models.CharField(_("điện thoại người phản ánh"), max_length=20, blank=True)
    hide_identity = models.BooleanField(_("ẩn danh tính khi công khai"), default=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Clocks (clocks.py): due moments computed once, on the one calendar service.
    submitted_at = models.DateTimeField(_("gửi lúc"), db_index=True)
    accept_due = models.DateTimeField(_("hạn tiếp nhận"))
    accepted_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    handle_due = models.DateTimeField(_("hạn xử lý"), null=True, blank=True)
    handled_at = models.DateTimeField(_("xử lý xong lúc"), null=True, blank=True)
    published_at = models.DateTimeField(_("công khai lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"))
    accept_reminded_at = models.DateTimeField(null=True, blank=True)
    handle_reminded_at = models.DateTimeField(null=True, blank=True)
    # The outcome.
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    refusal_reason = models.CharField(
        _("lý do không tiếp nhận"), max_length=20, choices=RefusalReason.choices, blank=True
    )
    refusal_note = models.TextField(_("giải thích"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        verbose_name=_("trùng với"),
    )
    reopen_count = models.PositiveSmallIntegerField(_("số lần mở lại"), default=0)

    class Meta:
        verbose_name = _("phản ánh")
        verbose_name_plural = _("phản ánh")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "accept_due"]),
            models.Index(fields=["commune", "status"]),
            models.Index(fields=["receiving_agency", "submitted_at"]),
            models.Index(fields=["unit", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def photo_path(instance: Photo, filename: str) -> str:
    return f"feedback/{instance.report_id}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("Ảnh hiện trường")
    AFTER = "after", _("Ảnh sau xử lý")


class Photo(models.Model):
    """A photo, re-encoded without any metadata (EXIF, GPS, XMP) before storage (photos.py)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("loại"), max_length=8, choices=PhotoKind.choices)
    file = models.FileField(upload_to=photo_path, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ảnh")
        verbose_name_plural = _("ảnh")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.get_kind_display()}"


class ReportEvent(models.Model):
    """History (append-only): every action on a report, with who, when, from/to and why."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("lúc"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    verb = models.CharField(_("thao tác"), max_length=30)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    from_unit = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_unit = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("ghi chú"), blank=True)
    public = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("lịch sử phản ánh")
        verbose_name_plural = _("lịch sử phản ánh")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.verb}"


class Follower(models.Model):
    """A person who follows a report: its reporter's duplicates merged into it bring theirs."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    phone = models.CharField(max_length=20, blank=True)
    merged_from = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("người theo dõi")
        verbose_name_plural = _("người theo dõi")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "user"],
                condition=models.Q(user__isnull=False),
                name="feedback_follower_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.user_id or self.phone}"


class Rating(models.Model):
    """The reporter's rating of one answer (one per answer: ``round`` is the number of reopens
    before it)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="ratings")
    round = models.PositiveSmallIntegerField(default=0)
    satisfied = models.BooleanField(_("hài lòng"))
    comment = models.TextField(_("nhận xét"), blank=True)
    at = models.DateTimeField()
    unit = models.ForeignKey(Agency, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("đánh giá")
        verbose_name_plural = _("đánh giá")
        constraints = [models.UniqueConstraint(fields=["report", "round"], name="feedback_rating_once")]

    def __str__(self) -> str:
        return f"{self.report_id}: {'+' if self.satisfied else '-'}"

"""Foundation data: administrative units, agencies, people and roles, calendar overrides, audit.

Data only; every write goes through ``thudo.core.actions``.
"""

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scheme(models.TextChoices):
    """Which administrative structure a unit code belongs to (the same code can mean two units)."""

    LEGACY = "legacy", _("Trước 1/7/2025 (ba cấp)")
    Y2025 = "2025", _("Từ 1/7/2025 (hai cấp)")


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Tỉnh/Thành phố")
    DISTRICT = "district", _("Quận/Huyện/Thị xã")
    COMMUNE = "commune", _("Phường/Xã/Đặc khu")


class AdministrativeUnit(models.Model):
    """Đơn vị hành chính, with its GSO code and the scheme it belongs to.

    Codes are strings (leading zeros matter: province "01", district "001", commune "00004").
    Source: General Statistics Office codes via the ``vietnam-provinces`` package; Resolution
    202/2025/QH15 (provinces) and the Standing Committee's 2025 resolutions (communes).
    """

    scheme = models.CharField(_("hệ thống"), max_length=8, choices=Scheme.choices)
    code = models.CharField(_("mã"), max_length=10)
    name = models.CharField(_("tên"), max_length=200)
    division_type = models.CharField(_("loại"), max_length=40)
    level = models.CharField(_("cấp"), max_length=10, choices=UnitLevel.choices)
    codename = models.CharField(max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    province_code = models.CharField(_("mã tỉnh"), max_length=2, db_index=True)
    search_text = models.CharField(max_length=400, editable=False, db_index=True)

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="unit_scheme_code_unique")]
        indexes = [models.Index(fields=["scheme", "province_code", "level"])]
        ordering = ["scheme", "code"]

    def __str__(self) -> str:
        return self.name


class UnitSuccession(models.Model):
    """A legacy unit's territory (wholly or partly) now belongs to a 2025 unit."""

    predecessor = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="precessions")
    partial = models.BooleanField(_("một phần"), default=False)

    class Meta:
        verbose_name = _("sáp nhập đơn vị")
        verbose_name_plural = _("sáp nhập đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unit_succession_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id}"


class AgencyKind(models.TextChoices):
    CITY_COMMITTEE = "city_committee", _("UBND thành phố")
    CITY_OFFICE = "city_office", _("Văn phòng UBND thành phố")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    SERVICE_CENTER = "service_center", _("Trung tâm Phục vụ hành chính công")
    COMMUNE_COMMITTEE = "commune_committee", _("UBND phường/xã")
    OTHER = "other", _("Khác")


class Agency(models.Model):
    """Cơ quan: a body that receives or processes dossiers.

    ``code`` is the electronic identification code (mã định danh điện tử, QCVN 102:2016/BTTTT,
    Decision 20/2020/QĐ-TTg), e.g. ``000.00.00.H26`` for Hanoi People's Committee.
    """

    code = models.CharField(_("mã định danh"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=120, blank=True)
    abbreviation = models.CharField(_("ký hiệu"), max_length=20, blank=True)
    kind = models.CharField(_("loại"), max_length=24, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    unit = models.ForeignKey(
        AdministrativeUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="agencies"
    )
    office_hours = models.JSONField(
        _("giờ làm việc"),
        null=True,
        blank=True,
        help_text=_('Để trống = mặc định. Ví dụ: {"0": [["08:00", "12:00"], ["13:00", "17:00"]], ...}'),
    )
    fields = models.JSONField(_("lĩnh vực"), default=list, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    search_text = models.CharField(max_length=400, editable=False, db_index=True)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in: citizen, business representative or official."""

    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Công dân/Doanh nghiệp")
    RECEPTION = "reception", _("Cán bộ một cửa")
    SPECIALIST = "specialist", _("Chuyên viên")
    LEADER = "leader", _("Lãnh đạo")
    AGENCY_ADMIN = "agency_admin", _("Quản trị cơ quan")
    CITY_ADMIN = "city_admin", _("Quản trị thành phố")
    CLERK = "clerk", _("Văn thư")


class RoleGrant(models.Model):
    """A role held in an agency (and, with ``include_subtree``, in the agencies below it)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="grants")
    include_subtree = models.BooleanField(_("cả đơn vị cấp dưới"), default=False)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [models.UniqueConstraint(fields=["user", "role", "agency"], name="role_grant_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.agency or '—'}"


class OverrideKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ")
    WORKING_DAY = "working_day", _("Ngày làm việc bù")


class CalendarOverride(models.Model):
    """A day off or make-up working day added by decision, city-wide or for one agency."""

    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=12, choices=OverrideKind.choices)
    decision = models.CharField(_("số quyết định/văn bản"), max_length=120)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="overrides"
    )

    class Meta:
        verbose_name = _("điều chỉnh lịch làm việc")
        verbose_name_plural = _("điều chỉnh lịch làm việc")
        constraints = [
            models.UniqueConstraint(fields=["date", "agency"], name="calendar_override_unique"),
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(agency__isnull=True), name="calendar_override_city_unique"
            ),
        ]
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} ({self.decision})"


class ApiToken(models.Model):
    """A bearer token for an integration; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuditRecord(models.Model):
    """Nhật ký: append-only, hash-chained.

    ``hash = sha256(canonical(record) + prev_hash)``; ``seq`` is contiguous (assigned under the
    chain-head lock). ``thudo audit_verify`` recomputes the chain and names the first break.
    """

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_label = models.CharField(max_length=200, blank=True)
    verb = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=255, blank=True)
    ip = models.CharField(max_length=45, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    # The request (or the task a request queued) that appended it: the same id as its log lines.
    request_id = models.CharField(max_length=64, blank=True, default="")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký")
        indexes = [models.Index(fields=["object_type", "object_id"])]
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("Audit records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit records are append-only.")


class AuditChainHead(models.Model):
    """The chain's last sequence number and hash; locked while a record is appended."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")

    def __str__(self) -> str:
        return f"#{self.last_seq}"


class WorkerHeartbeat(models.Model):
    """The background worker (``thudo db_worker``) says it is alive: one row per worker, its
    ``seen_at`` moved forward every few seconds. The workspace warns the administrators when no
    worker has been seen for a few minutes (queued KPI refreshes and e-mails would wait)."""

    worker_id = models.CharField(_("mã tiến trình"), max_length=64, unique=True)
    host = models.CharField(_("máy"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("số hiệu tiến trình"), default=0)
    started_at = models.DateTimeField(_("bắt đầu lúc"))
    seen_at = models.DateTimeField(_("hoạt động gần nhất"), db_index=True)

    class Meta:
        verbose_name = _("nhịp tiến trình nền")
        verbose_name_plural = _("nhịp tiến trình nền")

    def __str__(self) -> str:
        return f"{self.worker_id}@{self.host}"


def draft_upload_path(instance, filename: str) -> str:
    """A random path; the person's file name is kept in ``original_name`` only."""
    import secrets

    return f"drafts/{secrets.token_hex(2)}/{secrets.token_hex(16)}"


class Draft(models.Model):
    """Bản nháp: a multi-step form saved on the server so that its owner can resume it.

    Generic (``kind`` names the form: ``dossier.submit``, ``dossier.counter``, later citizen
    reports and document drafts); ``subject`` is what the form is about (a procedure code);
    ``data`` holds the typed answers by step. Uploads are stored at once as :class:`DraftUpload`
    rows, so a validation error never loses a file. An untouched draft expires after
    ``THUDO["DRAFT_DAYS"]`` days (default 30); ``core.drafts.expire`` deletes it and its files.
    """

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="drafts")
    kind = models.CharField(_("loại biểu mẫu"), max_length=40)
    subject = models.CharField(_("đối tượng"), max_length=100, blank=True)
    step = models.CharField(_("bước"), max_length=40, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    updated_at = models.DateTimeField(_("sửa lúc"))
    expires_at = models.DateTimeField(_("hết hạn lúc"), db_index=True)

    class Meta:
        verbose_name = _("bản nháp")
        verbose_name_plural = _("bản nháp")
        indexes = [models.Index(fields=["owner", "kind", "-updated_at"], name="draft_owner_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} #{self.pk}"


class DraftUpload(models.Model):
    """A file attached to a draft in one slot (a required paper, a supplement item)."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="uploads")
    slot = models.CharField(max_length=40)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    file = models.FileField(upload_to=draft_upload_path, max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=120)
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("tệp của bản nháp")
        verbose_name_plural = _("tệp của bản nháp")
        ordering = ["slot", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

"""The open-data catalogue (dữ liệu mở, Law on Data 60/2024/QH15 Art. 21; Law on E-Transactions
20/2023/QH15 Art. 43): organisations (the city's agencies), groups (themes), datasets and their
resources, shaped like CKAN's so that CKAN clients and DCAT harvesters read them unchanged.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from thudo.core.models import Agency


class Frequency(models.TextChoices):
    """Update frequency: the EU Publications Office frequency authority table (the codes DCAT-AP
    uses for ``dct:accrualPeriodicity``; ckanext-dcat issue #1)."""

    DAILY = "DAILY", _("Hằng ngày")
    WEEKLY = "WEEKLY", _("Hằng tuần")
    MONTHLY = "MONTHLY", _("Hằng tháng")
    QUARTERLY = "QUARTERLY", _("Hằng quý")
    ANNUAL = "ANNUAL", _("Hằng năm")
    IRREGULAR = "IRREG", _("Không định kỳ")
    NEVER = "NEVER", _("Không cập nhật")


class Organisation(models.Model):
    """A publishing organisation: one of the city's agencies (departments, communes)."""

    agency = models.OneToOneField(Agency, on_delete=models.PROTECT, related_name="open_data")
    name = models.SlugField(_("tên định danh"), max_length=100, unique=True)
    title = models.CharField(_("tên"), max_length=255)
    description = models.TextField(_("mô tả"), blank=True)
    created = models.DateTimeField(_("tạo lúc"))

    class Meta:
        verbose_name = _("tổ chức công bố dữ liệu")
        verbose_name_plural = _("tổ chức công bố dữ liệu")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.title


class Group(models.Model):
    """A theme (chủ đề) datasets are filed under."""

    name = models.SlugField(_("tên định danh"), max_length=100, unique=True)
    title = models.CharField(_("tên"), max_length=255)
    description = models.TextField(_("mô tả"), blank=True)
    created = models.DateTimeField(_("tạo lúc"))

    class Meta:
        verbose_name = _("chủ đề dữ liệu")
        verbose_name_plural = _("chủ đề dữ liệu")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.title


class Tag(models.Model):
    name = models.CharField(_("từ khóa"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("từ khóa")
        verbose_name_plural = _("từ khóa")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""


class Dataset(models.Model):
    """Bộ dữ liệu: CKAN's package."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.SlugField(_("tên định danh"), max_length=100, unique=True)
    title = models.CharField(_("tên"), max_length=255)
    notes = models.TextField(_("mô tả"), blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="datasets")
    groups = models.ManyToManyField(Group, blank=True, related_name="datasets")
    tags = models.ManyToManyField(Tag, blank=True, related_name="datasets")
    license_id = models.CharField(_("giấy phép"), max_length=40, default="cc-by-4.0")
    frequency = models.CharField(
        _("tần suất cập nhật"), max_length=10, choices=Frequency.choices, default=Frequency.IRREGULAR
    )
    temporal_start = models.DateField(_("dữ liệu từ ngày"), null=True, blank=True)
    temporal_end = models.DateField(_("dữ liệu đến ngày"), null=True, blank=True)
    spatial = models.CharField(_("phạm vi không gian"), max_length=255, blank=True)
    contact_name = models.CharField(_("người liên hệ"), max_length=200, blank=True)
    contact_email = models.EmailField(_("thư điện tử liên hệ"), blank=True)
    url = models.URLField(_("trang nguồn"), blank=True)
    version = models.CharField(_("phiên bản"), max_length=40, blank=True)
    private = models.BooleanField(_("không công khai"), default=False)
    live_key = models.CharField(max_length=60, blank=True, db_index=True)
    metadata_created = models.DateTimeField(_("tạo lúc"))
    metadata_modified = models.DateTimeField(_("cập nhật lúc"), db_index=True)
    search_text = models.CharField(max_length=4000, editable=False, blank=True)
    view_count = models.PositiveIntegerField(_("lượt xem"), default=0)
    download_count = models.PositiveIntegerField(_("lượt tải"), default=0)

    class Meta:
        verbose_name = _("bộ dữ liệu")
        verbose_name_plural = _("bộ dữ liệu")
        ordering = ["name"]
        indexes = [models.Index(fields=["organisation", "private"])]

    def __str__(self) -> str:
        return self.title


class ResourceKind(models.TextChoices):
    UPLOAD = "upload", _("Tệp tải lên")
    LINK = "link", _("Đường dẫn")
    LIVE = "live", _("Dữ liệu trực tiếp từ hệ thống")


def resource_path(instance: Resource, filename: str) -> str:
    return f"opendata/{instance.dataset_id}/{instance.id}/{filename}"


class Resource(models.Model):
    """Tài nguyên: a file, a link or a live export of a dataset."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(_("tên"), max_length=255)
    description = models.TextField(_("mô tả"), blank=True)
    kind = models.CharField(_("loại"), max_length=8, choices=ResourceKind.choices)
    url = models.URLField(_("đường dẫn"), max_length=1000, blank=True)
    file = models.FileField(upload_to=resource_path, max_length=255, blank=True)
    format = models.CharField(_("định dạng"), max_length=20, blank=True)
    mimetype = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("kích thước"), null=True, blank=True)
    hash = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)
    table_schema = models.JSONField(_("lược đồ bảng"), null=True, blank=True)
    created = models.DateTimeField(_("tạo lúc"))
    last_modified = models.DateTimeField(_("cập nhật lúc"))
    download_count = models.PositiveIntegerField(_("lượt tải"), default=0)

    class Meta:
        verbose_name = _("tài nguyên")
        verbose_name_plural = _("tài nguyên")
        ordering = ["dataset", "position", "created"]

    def __str__(self) -> str:
        return self.name

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""

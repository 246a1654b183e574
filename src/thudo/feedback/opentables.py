"""Citizen-feedback statistics as open data (registered in ``core.livedata.LIVE_DATASETS`` by the
app's ready; the open-data app publishes it): per month, commune and category, how many reports
were received, answered in public and refused. Counts only: no report, reporter or address."""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from thudo.core.livedata import Column, LiveDataset, Table
from thudo.core.opentables import city_agency
from thudo.core.workcalendar import HCM
from thudo.feedback.models import ANSWERED_STATUSES, Report, Status


def statistics_table() -> Table:
    columns = [
        Column("ky", _("Kỳ (năm-tháng)"), "string"),
        Column("ma_phuong_xa", _("Mã phường, xã"), "string"),
        Column("ten_phuong_xa", _("Tên phường, xã"), "string"),
        Column("ma_linh_vuc", _("Mã lĩnh vực"), "string"),
        Column("linh_vuc", _("Lĩnh vực"), "string"),
        Column("so_phan_anh", _("Số phản ánh tiếp nhận"), "integer"),
        Column("da_tra_loi", _("Số phản ánh đã trả lời công khai"), "integer"),
        Column("khong_tiep_nhan", _("Số phản ánh không tiếp nhận"), "integer"),
    ]
    grouped = (
        Report.objects.annotate(month=TruncMonth("submitted_at", tzinfo=HCM))
        .values("month", "commune__code", "commune__name", "category__code", "category__name")
        .annotate(
            received=Count("pk"),
            answered=Count("pk", filter=Q(status__in=ANSWERED_STATUSES)),
            refused=Count("pk", filter=Q(status=Status.REFUSED)),
        )
        .order_by("-month", "commune__code", "category__code")
    )
    rows = [
        [
            f"{g['month']:%Y-%m}",
            g["commune__code"] or "",
            g["commune__name"] or "",
            g["category__code"],
            g["category__name"],
            g["received"],
            g["answered"],
            g["refused"],
        ]
        for g in grouped
    ]
    return Table(columns, rows)


STATISTICS = LiveDataset(
    key="thong-ke-phan-anh-kien-nghi",
    title="Thống kê phản ánh, kiến nghị theo phường, xã và lĩnh vực",
    notes=(
        "Số phản ánh, kiến nghị của người dân về vấn đề nơi công cộng theo tháng, phường, xã và lĩnh "
        "vực: tiếp nhận, đã trả lời công khai, không tiếp nhận. Chỉ có số đếm, không có thông tin "
        "người phản ánh."
    ),
    table=statistics_table,
    frequency="DAILY",
    tags=("phản ánh kiến nghị", "thống kê"),
    publisher=city_agency,
)

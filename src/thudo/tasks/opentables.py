"""Task statistics as open data (registered in ``core.livedata.LIVE_DATASETS`` by the app's ready;
the open-data app publishes it): per month and lead unit, the facts the task indicator source
counts (:mod:`thudo.tasks.facts`) for the last twelve months. Counts only: no task content."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thudo.core.indicators import month_bounds, previous_month
from thudo.core.livedata import Column, LiveDataset, Table
from thudo.core.models import Agency
from thudo.core.opentables import city_agency
from thudo.tasks import facts

MONTHS = 12
FACTS = ("tasks.received", "tasks.done_on_time", "tasks.done_late", "tasks.overdue_month_end")


def _months(today: dt.date, n: int) -> list[dt.date]:
    out, month = [], dt.date(today.year, today.month, 1)
    for _i in range(n):
        out.append(month)
        month = previous_month(month)
    return out


def statistics_table() -> Table:
    columns = [
        Column("ky", _("Kỳ (năm-tháng)"), "string"),
        Column("ma_don_vi", _("Mã đơn vị chủ trì"), "string"),
        Column("ten_don_vi", _("Tên đơn vị chủ trì"), "string"),
        Column("nhiem_vu_duoc_giao", _("Nhiệm vụ được giao"), "integer"),
        Column("hoan_thanh_dung_han", _("Hoàn thành đúng hạn"), "integer"),
        Column("hoan_thanh_tre_han", _("Hoàn thành trễ hạn"), "integer"),
        Column("qua_han_cuoi_thang", _("Quá hạn cuối tháng"), "integer"),
    ]
    now = timezone.now()
    per_month = []
    for month in _months(timezone.localdate(now), MONTHS):
        counted = facts.count(month, None, min(month_bounds(month)[1], now))
        per_month.append((month, counted))
    ids = {pk for _m, counted in per_month for pk in counted}
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=ids)}
    rows = []
    for month, counted in per_month:
        for pk, values in sorted(counted.items(), key=lambda kv: agencies[kv[0]].code):
            a = agencies[pk]
            rows.append([f"{month:%Y-%m}", a.code, a.name, *(int(values.get(f, 0)) for f in FACTS)])
    return Table(columns, rows)


STATISTICS = LiveDataset(
    key="thong-ke-thuc-hien-nhiem-vu",
    title="Thống kê thực hiện nhiệm vụ được giao theo đơn vị",
    notes=(
        "Số nhiệm vụ Ủy ban nhân dân thành phố giao cho từng sở, ngành, phường, xã theo tháng: được "
        "giao, hoàn thành đúng hạn, hoàn thành trễ hạn, quá hạn cuối tháng (mười hai tháng gần nhất)."
    ),
    table=statistics_table,
    frequency="MONTHLY",
    tags=("nhiệm vụ", "thống kê"),
    publisher=city_agency,
)

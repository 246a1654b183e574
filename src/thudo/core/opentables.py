"""The foundation's own open data (registered in ``LIVE_DATASETS`` by ``CoreConfig.ready``):
the administrative units and the old→new unit mapping of the 2025 reorganisation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from thudo.core.livedata import Column, LiveDataset, Table
from thudo.core.models import AdministrativeUnit, Agency, AgencyKind, UnitSuccession


def city_agency() -> str | None:
    """The publisher of the city-wide tables: the city office, else the People's Committee."""
    for kind in (AgencyKind.CITY_OFFICE, AgencyKind.CITY_COMMITTEE):
        agency = Agency.objects.filter(kind=kind).order_by("code").first()
        if agency is not None:
            return agency.code
    return None


def units_table() -> Table:
    columns = [
        Column("he_thong", _("Hệ thống mã"), "string"),
        Column("ma", _("Mã đơn vị"), "string"),
        Column("ten", _("Tên đơn vị"), "string"),
        Column("loai", _("Loại"), "string"),
        Column("cap", _("Cấp"), "string"),
        Column("ma_tinh", _("Mã tỉnh"), "string"),
        Column("ma_cap_tren", _("Mã đơn vị cấp trên"), "string"),
    ]
    rows = [
        [u.scheme, u.code, u.name, u.division_type, u.level, u.province_code, parent or ""]
        for u, parent in (
            (u, u.parent.code if u.parent_id else "")
            for u in AdministrativeUnit.objects.select_related("parent").order_by("scheme", "code")
        )
    ]
    return Table(columns, rows)


def succession_table() -> Table:
    columns = [
        Column("ma_cu", _("Mã đơn vị cũ"), "string"),
        Column("ten_cu", _("Tên đơn vị cũ"), "string"),
        Column("ma_moi", _("Mã đơn vị mới"), "string"),
        Column("ten_moi", _("Tên đơn vị mới"), "string"),
        Column("mot_phan", _("Chỉ một phần địa bàn"), "boolean"),
    ]
    rows = [
        [s.predecessor.code, s.predecessor.name, s.successor.code, s.successor.name, s.partial]
        for s in UnitSuccession.objects.select_related("predecessor", "successor").order_by(
            "predecessor__code", "successor__code"
        )
    ]
    return Table(columns, rows)


UNITS = LiveDataset(
    key="don-vi-hanh-chinh",
    title="Danh mục đơn vị hành chính",
    notes="Đơn vị hành chính cấp tỉnh và cấp xã (mã theo hệ thống trước và sau sắp xếp năm 2025).",
    table=units_table,
    frequency="MONTHLY",
    tags=("đơn vị hành chính",),
    publisher=city_agency,
)
SUCCESSION = LiveDataset(
    key="doi-chieu-don-vi-hanh-chinh-cu-moi",
    title="Đối chiếu đơn vị hành chính cũ và mới",
    notes="Đơn vị hành chính trước sắp xếp và đơn vị mới tiếp nhận địa bàn (toàn bộ hoặc một phần).",
    table=succession_table,
    frequency="MONTHLY",
    tags=("đơn vị hành chính", "sáp nhập"),
    publisher=city_agency,
)

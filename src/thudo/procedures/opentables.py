"""The procedure catalogue as open data (registered in ``LIVE_DATASETS`` by the app's ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from thudo.core.livedata import Column, LiveDataset, Table
from thudo.core.opentables import city_agency
from thudo.procedures.models import Procedure, Status


def catalogue_table() -> Table:
    columns = [
        Column("ma", _("Mã thủ tục"), "string"),
        Column("ten", _("Tên thủ tục"), "string"),
        Column("linh_vuc", _("Lĩnh vực"), "string"),
        Column("cap_thuc_hien", _("Cấp thực hiện"), "string"),
        Column("co_quan", _("Cơ quan thực hiện"), "string"),
        Column("thoi_han", _("Thời hạn giải quyết"), "number"),
        Column("don_vi_thoi_han", _("Đơn vị thời hạn"), "string"),
        Column("muc_do_truc_tuyen", _("Mức độ trực tuyến"), "string"),
        Column("ngay_cong_bo", _("Ngày công bố"), "date"),
    ]
    rows = [
        [
            p.code,
            p.name,
            p.field.name if p.field_id else "",
            p.level,
            p.agency.code if p.agency_id else "",
            float(p.duration_value),
            p.duration_unit,
            p.online_level,
            p.published_at.date().isoformat() if p.published_at else "",
        ]
        for p in Procedure.objects.filter(status=Status.PUBLISHED)
        .select_related("field", "agency")
        .order_by("code")
    ]
    return Table(columns, rows)


CATALOGUE = LiveDataset(
    key="danh-muc-thu-tuc-hanh-chinh",
    title="Danh mục thủ tục hành chính",
    notes="Các thủ tục hành chính đang áp dụng: lĩnh vực, cấp và cơ quan thực hiện, thời hạn giải quyết.",
    table=catalogue_table,
    frequency="DAILY",
    tags=("thủ tục hành chính",),
    publisher=city_agency,
)

"""Published monthly rankings as open data (registered in ``LIVE_DATASETS`` by the app's ready):
the last version of every published month, one row per ranked unit — one dataset per kind of
ranking (the Decision 766 index; the task results of Plan 259/KH-UBND)."""

from __future__ import annotations

import functools

from django.utils.translation import gettext_lazy as _

from thudo.core.livedata import Column, LiveDataset, Table
from thudo.core.opentables import city_agency
from thudo.kpi.models import SetKind, Snapshot
from thudo.kpi.results import class_label

KINDS = (("departments", "so_nganh"), ("communes", "phuong_xa"))


def rankings_table(kind: str = SetKind.INDEX) -> Table:
    columns = [
        Column("ky", _("Kỳ (năm-tháng)"), "string"),
        Column("lan_cong_bo", _("Lần công bố"), "integer"),
        Column("loai_don_vi", _("Loại đơn vị"), "string"),
        Column("hang", _("Hạng"), "integer"),
        Column("ma_co_quan", _("Mã cơ quan"), "string"),
        Column("ten_co_quan", _("Tên cơ quan"), "string"),
        Column("diem_dat", _("Điểm đạt"), "number"),
        Column("diem_toi_da", _("Điểm tối đa có dữ liệu"), "number"),
        Column("diem_thang_100", _("Điểm quy đổi thang 100"), "number"),
        Column("xep_loai", _("Xếp loại"), "string"),
    ]
    rows = []
    seen: set[str] = set()
    for snap in Snapshot.objects.filter(set__kind=kind).order_by("-period", "-version"):
        if snap.period in seen:
            continue  # only the last version of each month
        seen.add(snap.period)
        for key, kind in KINDS:
            for u in snap.data.get(key, []):
                rows.append(
                    [
                        snap.period,
                        snap.version,
                        kind,
                        u.get("rank") if u.get("rank") is not None else "",
                        u.get("code", ""),
                        u.get("name", ""),
                        _num(u.get("earned")),
                        _num(u.get("available")),
                        _num(u.get("score")),
                        str(class_label(u.get("class"))) if u.get("class") else "",
                    ]
                )
    return Table(columns, rows)


def _num(value):
    return "" if value is None else float(value)


RANKINGS = LiveDataset(
    key="xep-hang-chat-luong-phuc-vu",
    title="Xếp hạng chất lượng phục vụ người dân, doanh nghiệp",
    notes=(
        "Bảng xếp hạng hằng tháng đã công bố theo Quyết định 766/QĐ-TTg: "
        "điểm và xếp loại từng sở, ngành, phường, xã."
    ),
    table=rankings_table,
    frequency="MONTHLY",
    tags=("xếp hạng", "chỉ số phục vụ"),
    publisher=city_agency,
)


TASK_RANKINGS = LiveDataset(
    key="xep-hang-ket-qua-thuc-hien-nhiem-vu",
    title="Xếp hạng kết quả thực hiện nhiệm vụ được giao",
    notes=(
        "Bảng xếp hạng hằng tháng đã công bố theo Kế hoạch 259/KH-UBND: tỷ lệ nhiệm vụ hoàn thành "
        "đúng hạn của từng sở, ngành, phường, xã (trọng số chính thức chưa được xác nhận)."
    ),
    table=functools.partial(rankings_table, SetKind.TASKS),
    frequency="MONTHLY",
    tags=("xếp hạng", "nhiệm vụ"),
    publisher=city_agency,
)

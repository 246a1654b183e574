"""Exports: CSV/JSON open data of a published ranking, Excel workbooks (openpyxl) with a header
naming the agency and period and Vietnamese column names, PDF (WeasyPrint, no network).

Cells are written by ``core.spreadsheets``, which neutralises text a spreadsheet would run as a
formula."""

from __future__ import annotations

import json
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from thudo.core.spreadsheets import HEADER_ROW as HEADER_ROW
from thudo.core.spreadsheets import csv_bytes, xlsx_bytes
from thudo.kpi.models import ReportForm, Snapshot
from thudo.kpi.results import class_label, vi_number
from thudo.signing.papers import font_config


def _number(value):
    return "" if value is None else value


def ranking_title(snap: Snapshot) -> str:
    """The title of a published ranking, from its own set's name as frozen in the snapshot
    ("Xếp hạng kết quả thực hiện nhiệm vụ được giao"; the 766 index: "Xếp hạng — Bộ chỉ số ...")."""
    name = str(snap.data.get("set", {}).get("name") or _("Xếp hạng"))
    return name if name.casefold().startswith("xếp hạng") else _("Xếp hạng — %(n)s") % {"n": name}


def ranking_rows(snap: Snapshot) -> tuple[list[str], list[list]]:
    groups = snap.data.get("groups", [])
    facts = snap.data.get("facts", [])  # the counts shown beside the score (task results)
    head = [_("Loại đơn vị"), _("Hạng"), _("Mã cơ quan"), _("Tên cơ quan")]
    head += [f["label"] for f in facts]
    head += [f"{_('Nhóm')} {g['code']}: {g['name']} ({g['max']:g})" for g in groups]
    head += [_("Điểm đạt"), _("Điểm tối đa có dữ liệu"), _("Điểm quy đổi thang 100"), _("Xếp loại")]
    rows = []
    for key, label in (("departments", _("Sở, ngành")), ("communes", _("Phường, xã"))):
        for u in snap.data.get(key, []):
            rows.append(
                [label, _number(u["rank"]), u["code"], u["name"]]
                + [u.get("facts", {}).get(f["code"], 0) for f in facts]
                + [_number(u["groups"].get(g["code"])) for g in groups]
                + [u["earned"], u["available"], _number(u["score"]), class_label(u["class"])]
            )
    return head, rows


def ranking_csv(snap: Snapshot) -> bytes:
    return csv_bytes(*ranking_rows(snap))


def ranking_json(snap: Snapshot) -> bytes:
    body = {
        "period": snap.period,
        "version": snap.version,
        "reason": snap.reason,
        "published_at": snap.created_at.isoformat(),
        **snap.data,
    }
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")


def ranking_xlsx(snap: Snapshot) -> bytes:
    head, rows = ranking_rows(snap)
    return xlsx_bytes(
        f"{ranking_title(snap)} ({snap.data.get('set', {}).get('code', '')})",
        _("Đơn vị: Thành phố Hà Nội — Kỳ: %(p)s — Công bố lần %(v)s") % {"p": snap.period, "v": snap.version},
        head,
        rows,
    )


def unit_rows(result: dict) -> tuple[list[str], list[list]]:
    head = [
        _("Mã chỉ số"),
        _("Chỉ số"),
        _("Tử số"),
        _("Mẫu số"),
        _("Tỷ lệ (%)"),
        _("Chỉ tiêu (%)"),
        _("Điểm"),
        _("Điểm tối đa"),
        _("Ghi chú"),
    ]
    rows = []
    for g in result["groups"]:
        for i in g["indicators"]:
            rows.append(
                [
                    i["code"],
                    i["name"],
                    _number(i["numerator"]),
                    _number(i["denominator"]),
                    "" if i["ratio"] is None else float(round(i["ratio"] * 100, 2)),
                    "" if i["target"] is None else float(i["target"] * 100),
                    _("Không có dữ liệu") if i["points"] is None and i["scored"] else _number(i["points"]),
                    float(i["max"]),
                    str(
                        i["no_data_reason"]
                        or (i["value"] and _("%(v)s ngày làm việc") % {"v": vi_number(i["value"])})
                        or ""
                    ),
                ]
            )
    return head, rows


def unit_xlsx(agency, period: str, result: dict) -> bytes:
    head, rows = unit_rows(result)
    score = result["score"]
    return xlsx_bytes(
        _("Kết quả chỉ số chất lượng phục vụ (Quyết định 766/QĐ-TTg)"),
        _("Đơn vị: %(a)s (%(c)s) — Kỳ: %(p)s — Điểm quy đổi: %(s)s — Xếp loại: %(k)s")
        % {
            "a": agency.name,
            "c": agency.code,
            "p": period,
            "s": "—" if score is None else score,
            "k": result["class_label"],
        },
        head,
        rows,
    )


def submissions_xlsx(form: ReportForm, period: str, assignments) -> bytes:
    """One row per assigned agency; the same layout is read back by ``actions.import_submissions``."""
    head = [_("Mã cơ quan"), _("Tên cơ quan")]
    head += [f"{f['label']}{f' ({f["unit"]})' if f.get('unit') else ''}" for f in form.fields]
    head += [_("Trạng thái"), _("Nộp lúc"), _("Nộp muộn")]
    rows = []
    for a in assignments:
        sub = getattr(a, "submission", None)
        values = sub.values if sub else {}
        rows.append(
            [a.agency.code, a.agency.name]
            + [values.get(f["key"]) for f in form.fields]
            + [
                sub.get_status_display() if sub else _("Chưa nộp"),
                timezone.localtime(sub.submitted_at).strftime("%d/%m/%Y %H:%M")
                if sub and sub.submitted_at
                else "",
                (_("Có") if sub.late else _("Không")) if sub and sub.submitted_at else "",
            ]
        )
    return xlsx_bytes(
        f"{form.code} — {form.name}",
        _("Đơn vị: các cơ quan được giao — Kỳ báo cáo: %(p)s") % {"p": period},
        head,
        rows,
    )


def _refuse_network(url: str, *args, **kwargs):
    raise ValueError(f"network access refused: {url}")


def _cell(value) -> str:
    """A table cell of a PDF: numbers the Vietnamese way (12,26), nothing for no data."""
    if value is None:
        return ""
    if isinstance(value, float | Decimal) or (isinstance(value, int) and not isinstance(value, bool)):
        return vi_number(value)
    return str(value)


def pdf(template: str, context: dict) -> bytes:
    """HTML template → PDF. The url fetcher refuses every URL: nothing is fetched from a network.
    Numbers in ``rows`` are written the Vietnamese way, as on the pages."""
    import weasyprint

    if "rows" in context:
        context = {**context, "rows": [[_cell(c) for c in row] for row in context["rows"]]}
    html = render_to_string(template, context)
    return weasyprint.HTML(string=html, url_fetcher=_refuse_network).write_pdf(font_config=font_config())

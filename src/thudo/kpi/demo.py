"""Demo content of the kpi app: the indicator sets and one periodic report form assigned to a
few agencies; later (in the background, after the demo dossiers) their months rolled up and the
last complete month published (the 766 index and the task results)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min

from thudo.core.models import Agency, AgencyKind
from thudo.dossiers.models import Dossier
from thudo.kpi import actions, compute
from thudo.kpi.models import IndicatorSet, ReportForm, SetKind, Snapshot

DEMO_FORM = {
    "code": "BC-CCHC",
    "name": "Báo cáo tình hình cải cách hành chính hằng tháng",
    "fields": [
        {
            "key": "received",
            "label": "Số hồ sơ tiếp nhận",
            "type": "int",
            "unit": "hồ sơ",
            "required": True,
            "min": 0,
        },
        {
            "key": "online_share",
            "label": "Tỷ lệ hồ sơ trực tuyến",
            "type": "percent",
            "unit": "%",
            "required": True,
        },
        {"key": "note", "label": "Ghi chú", "type": "text", "unit": "", "required": False},
    ],
}


def load(*, progress, stdout) -> list[tuple[str, str, str]]:
    """The fast part: the indicator sets and the report form (the history comes later)."""
    actions.load_sets(by=None)
    period = f"{compute.last_complete_month():%Y-%m}"
    form = ReportForm.objects.filter(code=DEMO_FORM["code"]).first() or actions.create_form(
        by=None, **DEMO_FORM
    )
    agencies = list(
        Agency.objects.filter(kind__in=(AgencyKind.DEPARTMENT, AgencyKind.COMMUNE_COMMITTEE)).order_by(
            "code"
        )[:10]
    )
    actions.assign(
        form, by=None, agencies=agencies, period=period, deadline=compute.this_month() + dt.timedelta(days=9)
    )
    stdout.write(f"  KPI: report form {form.code} assigned to {len(agencies)} agencies\n")
    return []


def load_later(*, progress, stdout) -> None:
    """After the demo dossiers (``thudo.dossiers.demo.load_later``): their months rolled up and
    the last complete month published."""
    first = Dossier.objects.aggregate(m=Min("submitted_at"))["m"]
    last_complete = compute.last_complete_month()
    since = min(compute.this_month(first), last_complete) if first else last_complete
    compute.catch_up(since=since, progress=progress)
    period = f"{last_complete:%Y-%m}"
    if not Snapshot.objects.filter(period=period, set__kind=SetKind.INDEX).exists():
        actions.publish(period, by=None)
    # The task-results ranking (Plan 259) beside it, when its set applies to that month.
    for ranked in IndicatorSet.objects.filter(kind=SetKind.TASKS, valid_from__lte=last_complete):
        if not Snapshot.objects.filter(period=period, set=ranked).exists():
            actions.publish(period, by=None, set=ranked)
    stdout.write(f"  KPI: published {period}\n")

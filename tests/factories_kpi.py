"""Factories for the kpi tests: dossiers with known outcomes, built directly (not via the lifecycle)."""

from __future__ import annotations

import datetime as dt
import itertools
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from tests import factories
from tests import factories_procedures as fp
from thudo.core.models import AgencyKind
from thudo.dossiers.models import (
    ApologyLetter,
    Attachment,
    Dossier,
    Payment,
    Rating,
    ResultDocument,
)

_seq = itertools.count(1)
TZ = timezone.get_default_timezone()


def at(day: str, hour: int = 9) -> dt.datetime:
    """Local time (Asia/Ho_Chi_Minh) on an ISO day."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=TZ)


def department(name="Sở Thử Nghiệm KPI", abbreviation="STN"):
    return factories.AgencyFactory(
        name=name, short_name=name, kind=AgencyKind.DEPARTMENT, abbreviation=abbreviation
    )


def commune(name="UBND Phường KPI"):
    return factories.AgencyFactory(name=name, short_name=name, kind=AgencyKind.COMMUNE_COMMITTEE)


def procedure(*, agency=None, code=None, level=None, online_level="partial", result_type="document", **kw):
    level = level or ("department" if agency is not None else "commune")
    return fp.published(
        code=code or f"9.{next(_seq):06d}",
        level=level,
        agency=agency,
        online_level=online_level,
        result_type=result_type,
        result_name="Giấy chứng nhận" if result_type == "document" else "",
        legal_bases=["Nghị định 118/2025/NĐ-CP"],
        papers=kw.pop("papers", (("Tờ khai", "Mẫu 01"),)),
        **kw,
    )


def dossier(
    *,
    procedure,
    agency,
    received: dt.datetime,
    due: dt.datetime,
    status: str = "processing",
    finished: dt.datetime | None = None,
    channel: str = "counter",
    supplements: int = 0,
    apology: bool = False,
    e_result: bool = False,
    fee: int = 0,
    paid_online: bool = False,
    reused: bool = False,
    undigitised: bool = False,
    rating: dict | None = None,
    paused_since: dt.datetime | None = None,
) -> Dossier:
    n = next(_seq)
    d = Dossier.objects.create(
        code=f"{agency.code}-KPI-{n:05d}",
        secret="abc123",
        procedure=procedure,
        receiving_agency=agency,
        processing_agency=agency,
        applicant_name="Nguyễn Văn Thử",
        channel=channel,
        status=status,
        submitted_at=received,
        received_at=received,
        clock_started_at=received,
        due_at=due,
        original_due_at=due,
        supplement_count=supplements,
        finished_at=finished,
        returned_at=finished if status == "returned" else None,
        paused_since=paused_since,
        fee_amount=fee,
    )
    paper = Attachment(
        dossier=d,
        kind="paper",
        original_name="to-khai.pdf",
        sha256="0" * 64,
        size=10,
        content_type="application/pdf",
        digitised=not undigitised,
        uploaded_at=received,
    )
    paper.file.save("x.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    if reused:
        source = Attachment.objects.filter(reused_from__isnull=True).exclude(dossier=d).first()
        paper.reused_from = source
    paper.save()
    if reused and paper.reused_from is None:
        paper.reused_from = paper
        paper.save()
    if e_result:
        r = ResultDocument(dossier=d, sha256="1" * 64, signed=True, created_at=finished or received)
        r.file.save("r.pdf", ContentFile(b"%PDF-1.4 result"), save=False)
        r.save()
    if apology:
        # As actions.apologize leaves it: the dossier's appointment moves to the new one.
        ApologyLetter.objects.create(
            dossier=d, reason="Chậm", old_due=due, new_due=due + timedelta(days=3), issued_at=received
        )
        Dossier.objects.filter(pk=d.pk).update(due_at=due + timedelta(days=3))
    if paid_online:
        Payment.objects.create(
            dossier=d, channel="online", method="online", amount=fee, paid_at=received, online=True
        )
    if rating is not None:
        Rating.objects.create(dossier=d, scores=rating, rated_at=finished or received)
    return d

"""Demo dossiers: about 200 over the last four months, at the demo agencies, in every state.

Deterministic (``random.Random(2026)``) and idempotent (skipped when demo dossiers exist; they
carry ``form_data["demo"] = True``). Everything goes through :mod:`thudo.dossiers.actions` with an
explicit ``now=`` (time travel without mocking clocks), so history, deadlines, codes, payments,
audit records and notifications are what real use would have produced. Some dossiers are late,
some carry an apology with a new appointment, some were supplemented, one was transferred.
Forms 01–05 are rendered as PDF for the most recent dossiers only (rendering is the slow part).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from thudo.core.calendars import calendar_for
from thudo.core.errors import DomainError
from thudo.core.models import Agency, Role, RoleGrant, User
from thudo.core.workcalendar import HCM
from thudo.dossiers import actions
from thudo.dossiers.models import Dossier

TOTAL = 200
DAYS = 120
RENDERED_RECENT = 15

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc", "Quang", "Thanh"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hùng",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Phương",
    "Tâm",
    "Trang",
]

# target state → weight
TARGETS = {
    "returned": 38,
    "result_ready": 8,
    "processing": 16,
    "submitted": 8,
    "supplement_requested": 6,
    "paused": 4,
    "rejected": 6,
    "withdrawn": 4,
    "apology": 5,
    "supplemented": 5,
}


@dataclass
class Desk:
    agency: Agency
    reception: User
    specialist: User | None
    leader: User | None
    procedures: list


def _pdf(title: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _files(procedure) -> list:
    out = []
    for paper in procedure.papers.all():
        if paper.mandatory:
            out.append((paper, SimpleUploadedFile(f"{paper.name[:60]}.pdf", _pdf(paper.name))))
    return out or [SimpleUploadedFile("don-de-nghi.pdf", _pdf("Đơn đề nghị"))]


def _first(agency, role):
    grant = RoleGrant.objects.filter(agency=agency, role=role).select_related("user").order_by("pk").first()
    return grant.user if grant else None


def _desks() -> list[Desk]:
    from thudo.procedures.models import Level, Procedure, Process
    from thudo.procedures.models import Status as PStatus

    with_process = Process.objects.filter(status=PStatus.PUBLISHED).values_list("procedure_id", flat=True)
    published = Procedure.objects.filter(status=PStatus.PUBLISHED, pk__in=with_process).order_by("code")
    desks = []
    agency_ids = RoleGrant.objects.filter(role=Role.RECEPTION, agency__isnull=False).values_list(
        "agency_id", flat=True
    )
    for agency in Agency.objects.filter(pk__in=agency_ids).order_by("code"):
        procedures = list(published.filter(agency=agency))
        if agency.kind == "commune_committee":
            procedures += list(published.filter(level=Level.COMMUNE, agency__isnull=True))
        if not procedures:
            continue
        desks.append(
            Desk(
                agency=agency,
                reception=_first(agency, Role.RECEPTION),
                specialist=_first(agency, Role.SPECIALIST),
                leader=_first(agency, Role.LEADER),
                procedures=procedures[:8],
            )
        )
    return desks


def _ensure_certificate(leader: User, agency: Agency) -> bool:
    try:
        from thudo.signing import pki
    except ImportError:  # pragma: no cover
        return False
    if pki.active_credential(leader) is None:
        pki.issue_certificate(leader, title="Lãnh đạo", agency=agency)
    return True


def _office_moment(rng: random.Random, day: datetime) -> datetime:
    if rng.random() < 0.2:  # online at night or at the weekend
        return day.replace(hour=rng.choice([19, 20, 21, 22]), minute=rng.randrange(60))
    return day.replace(hour=rng.choice([8, 9, 10, 11, 13, 14, 15, 16]), minute=rng.randrange(60))


def _applicant(rng: random.Random) -> dict:
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    return {"name": name, "phone": f"09{rng.randrange(10**8):08d}", "address": "Hà Nội"}


def _build(
    rng, desk: Desk, citizens: list[User], submitted: datetime, target: str, now: datetime, render: bool
):
    procedure = rng.choice(desk.procedures)
    cal = calendar_for(desk.agency)
    online = rng.random() < 0.7
    form = {"demo": True}
    with actions.papers_rendered(render):
        if online and citizens:
            user = rng.choice(citizens)
            d = actions.submit_online(
                procedure=procedure,
                agency=desk.agency,
                applicant=None,
                form_data=form,
                files=_files(procedure),
                by=user,
                now=submitted,
            )
            if target == "submitted":
                return d
            if target == "withdrawn":
                return actions.withdraw(
                    d, by=user, reason="Nộp nhầm thủ tục", now=submitted + timedelta(hours=2)
                )
            if target == "rejected" and rng.random() < 0.5:
                return actions.reject(
                    d,
                    by=desk.reception,
                    reasons=["Không thuộc thẩm quyền giải quyết"],
                    now=submitted + timedelta(hours=3),
                )
            t = cal.add_working_time(submitted, hours=rng.choice([1, 2, 4]))
            d = actions.receive(d, by=desk.reception, now=t)
        else:
            user = None
            submitted = cal.next_working_moment(submitted)
            d = actions.create_at_counter(
                procedure=procedure,
                agency=desk.agency,
                applicant=_applicant(rng),
                form_data=form,
                files=_files(procedure),
                by=desk.reception,
                now=submitted,
            )
            t = submitted
            if target in ("submitted", "withdrawn"):
                target = "processing"
        if target == "rejected":
            return actions.reject(
                d, by=desk.reception, reasons=["Hồ sơ không đủ điều kiện"], now=t + timedelta(hours=4)
            )
        legal = Decimal(procedure.legal_duration_hours)
        if target in ("supplement_requested", "supplemented"):
            t = cal.add_working_time(t, hours=2)
            d = actions.request_supplement(
                d, by=desk.reception, reasons=["Bổ sung bản sao giấy tờ tùy thân"], now=t
            )
            if target == "supplement_requested" or user is None:
                return d
            t = t + timedelta(days=rng.choice([1, 2, 3]))
            d = actions.supplement(
                d, by=user, files=[SimpleUploadedFile("bo-sung.pdf", _pdf("Bổ sung"))], now=t
            )
        if target == "paused":
            return actions.pause(
                d,
                by=desk.reception,
                reason="Chờ thực hiện nghĩa vụ tài chính",
                kind="financial",
                now=t + timedelta(hours=3),
            )
        late = rng.random() < 0.18
        if target == "apology" and desk.specialist is not None and legal >= 24:
            t_apology = cal.add_working_time(d.clock_started_at, hours=legal - 16)
            if t_apology < now:
                actions.apologize(
                    d,
                    by=desk.specialist,
                    new_due=cal.add_working_time(d.due_at, days=3),
                    reason="Cần xác minh thêm thông tin với cơ quan khác",
                    now=t_apology,
                )
                d.refresh_from_db()
                t = max(t, t_apology)
            late = True
        # Walk the internal process.
        fraction = Decimal(str(rng.uniform(1.05, 1.6) if late else rng.uniform(0.3, 0.95)))
        finish = cal.add_working_time(
            d.clock_started_at, hours=legal * fraction, duration=d.paused_total or None
        )
        steps = list(d.process.steps.order_by("order")) if d.process_id else []
        if len(steps) > 1:
            gap = (finish - t) / len(steps)
            for step in steps[1:]:
                t = t + gap
                if t >= now:
                    return d
                worker = desk.leader if step.role == "leader" else desk.specialist or desk.reception
                d = actions.forward(
                    d, by=desk.reception if d.current_step.role == "reception" else worker, now=t
                )
        if target in ("processing", "apology") and (finish >= now or rng.random() < 0.5):
            return d
        if finish >= now or desk.leader is None or not _ensure_certificate(desk.leader, desk.agency):
            return d
        d = actions.approve_and_sign(d, by=desk.leader, now=finish)
        if target == "result_ready":
            return d
        returned = finish + timedelta(hours=rng.choice([2, 20, 44]))
        if returned >= now:
            return d
        d = actions.return_result(d, by=desk.reception, now=returned)
        if user is not None and rng.random() < 0.6:
            scores = {q: rng.choice([3, 4, 5, 5, 5]) for q in ("attitude", "time", "result")}
            actions.rate(d, by=user, scores=scores, comment="", now=returned + timedelta(hours=1))
        return d


def _transfer(desks: list[Desk], citizens: list[User], now: datetime) -> None:
    """One dossier handed to another agency (liên thông) and back."""
    if len(desks) < 2 or not citizens or desks[0].specialist is None or desks[1].leader is None:
        return
    a, b = desks[0], desks[1]
    start = now - timedelta(days=20)
    d = actions.submit_online(
        procedure=a.procedures[0],
        agency=a.agency,
        applicant=None,
        form_data={"demo": True},
        files=_files(a.procedures[0]),
        by=citizens[0],
        now=start,
    )
    d = actions.receive(d, by=a.reception, now=start + timedelta(days=3, hours=12))
    child = actions.transfer(
        d, by=a.specialist, to_agency=b.agency, note="Liên thông xác minh", now=start + timedelta(days=4)
    )
    child = actions.receive(child, by=b.reception, now=start + timedelta(days=4, hours=2))
    if child.process_id and b.specialist is not None:
        for step in list(child.process.steps.order_by("order"))[1:]:
            who = b.reception if child.current_step.role == "reception" else b.specialist
            child = actions.forward(child, by=who, now=start + timedelta(days=5, hours=step.order))
    if _ensure_certificate(b.leader, b.agency):
        actions.approve_and_sign(child, by=b.leader, now=start + timedelta(days=6, hours=3))
    # A second one still waiting at the other agency, and one paused for a financial obligation.
    recent = now - timedelta(days=2)
    d = actions.create_at_counter(
        procedure=a.procedures[0],
        agency=a.agency,
        applicant={"name": "Lê Thị Hằng"},
        form_data={"demo": True},
        files=_files(a.procedures[0]),
        by=a.reception,
        now=recent,
    )
    actions.transfer(
        d, by=a.specialist, to_agency=b.agency, note="Liên thông lấy ý kiến", now=recent + timedelta(hours=5)
    )
    d = actions.create_at_counter(
        procedure=a.procedures[0],
        agency=a.agency,
        applicant={"name": "Phạm Văn Tú"},
        form_data={"demo": True},
        files=_files(a.procedures[0]),
        by=a.reception,
        now=recent,
    )
    actions.pause(
        d,
        by=a.reception,
        reason="Chờ thực hiện nghĩa vụ tài chính",
        kind="financial",
        now=recent + timedelta(hours=6),
    )


def load(*, progress, stdout) -> list[tuple[str, str, str]]:
    if Dossier.objects.filter(form_data__demo=True).exists():
        stdout.write("  Hồ sơ mẫu đã có: bỏ qua.")
        return []
    desks = [d for d in _desks() if d.reception is not None]
    if not desks:
        stdout.write("  Chưa có cơ quan/thủ tục mẫu: bỏ qua hồ sơ mẫu.")
        return []
    officials = [r for r in Role.values if r != Role.CITIZEN]
    citizens = list(
        User.objects.filter(citizen__isnull=False)
        .exclude(role_grants__role__in=officials)
        .distinct()
        .order_by("username")[:10]
    )
    rng = random.Random(2026)  # noqa: S311 (demo data)
    now = timezone.now()
    start = (now - timedelta(days=DAYS)).astimezone(HCM)
    moments = sorted(
        _office_moment(
            rng, datetime.combine((start + timedelta(days=rng.uniform(0, DAYS))).date(), time(0), tzinfo=HCM)
        )
        for _ in range(TOTAL)
    )
    targets = rng.choices(list(TARGETS), weights=list(TARGETS.values()), k=TOTAL)
    made, skipped = 0, 0
    for i, (moment, target) in enumerate(zip(moments, targets, strict=True)):
        if moment >= now:
            continue
        desk = desks[i % len(desks)]
        # Open states need recent dossiers to look plausible (some are overdue anyway).
        if (
            target in ("submitted", "supplement_requested", "paused", "processing")
            and (now - moment).days > 30
        ):
            target = "returned"
        try:
            _build(rng, desk, citizens, moment, target, now, render=i >= TOTAL - RENDERED_RECENT)
            made += 1
        except DomainError as exc:
            skipped += 1
            stdout.write(f"  ! hồ sơ mẫu {i}: {exc.message}")
        progress("Hồ sơ mẫu", i + 1, TOTAL)
    try:
        with actions.papers_rendered(False):
            _transfer(desks, citizens, now)
    except DomainError as exc:
        stdout.write(f"  ! liên thông mẫu: {exc.message}")
    stdout.write(f"  Hồ sơ: {made} hồ sơ mẫu" + (f", {skipped} bỏ qua" if skipped else ""))
    return []

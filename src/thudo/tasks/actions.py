"""Every write of the tasks app: one function per verb (domain-round2 §2; Decree 314/2025/NĐ-CP:
one task, one lead unit; Decree 30/2020/NĐ-CP Art. 23–24: the direction names the lead and
co-ordinating units and the deadline).

Each action: ``transaction.atomic()``, a row lock on the task (two people acting at once: one
wins, the other gets :class:`Conflict`), the permission on the verb's side and the move
(:mod:`thudo.tasks.transitions`), the change, a :class:`TaskEvent` (history), ``audit.record``,
and typed events: :class:`TaskNotified` for the people of the other side, :class:`TaskFactsChanged`
when the lead unit's counts change. Every action takes ``now=`` for demo data and tests.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from thudo.core import audit, events, permissions
from thudo.core.context import public_base_url
from thudo.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from thudo.core.models import Agency, Role, RoleGrant, User
from thudo.core.text import clean, nfc
from thudo.core.uploads import CleanUpload, validate_upload
from thudo.tasks import status as task_status
from thudo.tasks.events import TaskFactsChanged, TaskNotified
from thudo.tasks.models import (
    Decision,
    ExtensionRequest,
    Milestone,
    Plan,
    Priority,
    Recurrence,
    Report,
    ReportKind,
    SourceKind,
    State,
    Task,
    TaskEvent,
    TaskFile,
    TaskUnit,
    UnitRole,
)
from thudo.tasks.transitions import VERBS, may_act, refusal

MAX_FILES = 10


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _local_day(at: datetime) -> date:
    return timezone.localtime(at).date()


def _label(by) -> str:
    if by is None or not getattr(by, "is_authenticated", False):
        return ""
    return (getattr(by, "full_name", "") or by.get_username())[:200]


def task_url(t: Task) -> str:
    return public_base_url() + reverse("tasks:detail", args=[t.pk])


# --- shared steps --------------------------------------------------------------------------------


def _lock(t: Task) -> Task:
    locked = Task.objects.select_for_update().filter(pk=t.pk).first()
    if locked is None:
        raise NotFound(_("Không tìm thấy nhiệm vụ."))
    return locked


def _begin(t: Task, verb: str, by) -> Task:
    """Lock, then the permission on the verb's side, then the state (on the fresh row)."""
    locked = _lock(t)
    if not may_act(by, verb, locked):
        if permissions.can(by, "task.view", locked):
            raise NotAllowed()
        raise NotFound(_("Không tìm thấy nhiệm vụ."))
    refused = refusal(verb, locked)
    if refused is not None:
        raise refused
    return locked


def _event(
    t: Task, verb: str, *, by, at: datetime, old: str | None = None, note: str = "", data=None
) -> TaskEvent:
    seq = (t.events.aggregate(m=Max("seq"))["m"] or 0) + 1
    return TaskEvent.objects.create(
        task=t,
        seq=seq,
        verb=verb,
        from_state=old or "",
        to_state=t.state if old is not None and old != t.state else "",
        by=by if getattr(by, "is_authenticated", False) else None,
        by_label=_label(by),
        at=at,
        note=nfc(note).strip(),
        data=data or {},
    )


def _facts(t: Task, at: datetime, *, coordinators: bool = False) -> None:
    """The lead unit's month changes; on assignment and cancellation the co-ordinating units'
    too (they count the tasks they were given to co-ordinate)."""
    events.publish(TaskFactsChanged(agency_id=t.lead_agency_id, at=at, task_id=t.pk))
    if coordinators:
        helpers = t.units.filter(role=UnitRole.COORDINATE).values_list("agency_id", flat=True)
        for agency_id in helpers:
            events.publish(TaskFactsChanged(agency_id=agency_id, at=at, task_id=t.pk))


def lead_people(t: Task, *, memo: dict[int, list[User]] | None = None) -> list[User]:
    """Who answers for the task on the lead side: the lead person, else the unit's own leaders
    (granted at the unit itself, not the leaders above it who see it through a subtree).
    ``memo`` keeps each unit's leaders for a job that goes through many tasks (the reminders)."""
    if t.lead_person_id and t.lead_person and t.lead_person.is_active:
        return [t.lead_person]
    if memo is not None and t.lead_agency_id in memo:
        return memo[t.lead_agency_id]
    leaders = User.objects.filter(
        is_active=True, role_grants__role=Role.LEADER, role_grants__agency_id=t.lead_agency_id
    )
    found = list(leaders.distinct().order_by("pk"))
    if memo is not None:
        memo[t.lead_agency_id] = found
    return found


def assigner_people(t: Task) -> list[User]:
    return [t.assigner] if t.assigner.is_active else []


def _notify(t: Task, verb: str, people: Iterable[User], subject: str, body: str, *, key: str) -> None:
    url = task_url(t)
    for person in people:
        notice = events.Notice(
            topic=f"task.{verb}",
            subject=subject,
            body=body,
            user=person,
            url=url,
            obj=t,
            key=f"task:{t.pk}:{key}:{person.pk}",
        )
        events.publish(TaskNotified(task_id=t.pk, verb=verb, notice=notice))


def _values(t: Task) -> dict[str, str]:
    return {"code": t.code, "title": t.title, "unit": t.lead_agency.name}


def _text(value: str | None, field: str, message: str, *, required: bool = True, max_length: int = 0) -> str:
    text = clean(value)
    if required and not text:
        raise InvalidInput(message, fields={field: message})
    if max_length and len(text) > max_length:
        msg = _("Tối đa %(n)d ký tự.") % {"n": max_length}
        raise InvalidInput(msg, fields={field: msg})
    return text


def _long_text(value: str | None) -> str:
    return nfc(value or "").strip()


def clean_files(uploads: Sequence[Any], *, already: int = 0) -> list[CleanUpload]:
    """Check every attachment before anything is written (:func:`thudo.core.uploads.validate_upload`:
    type by content, size, broken PDFs and images), at most :data:`MAX_FILES`; the first bad file
    refuses the whole write with its Vietnamese message (field ``files``). Pages call it too, on a
    file's arrival in a draft (``already``: the files the draft holds)."""
    uploads = list(uploads)
    if already + len(uploads) > MAX_FILES:
        msg = _("Tối đa %(n)d tệp đính kèm.") % {"n": MAX_FILES}
        raise InvalidInput(msg, fields={"files": msg}, code="too_many_files")
    return [u if isinstance(u, CleanUpload) else validate_upload(u) for u in uploads]


def _save_files(t: Task, files: Sequence[CleanUpload], *, at: datetime, report: Report | None = None) -> None:
    for clean_file in files:
        row = TaskFile(
            task=t,
            report=report,
            original_name=clean_file.name[:255],
            size=clean_file.size,
            content_type=clean_file.content_type,
            uploaded_at=at,
        )
        row.file.save(uuid.uuid4().hex, ContentFile(clean_file.data), save=False)
        row.save()


def _in_subtree(agency: Agency, root_id: int) -> bool:
    """Is ``agency`` the unit ``root_id`` or one of the units below it (agencies' parent tree)?"""
    seen: set[int] = set()
    current: Agency | None = agency
    while current is not None and current.pk not in seen:
        if current.pk == root_id:
            return True
        seen.add(current.pk)
        current = current.parent
    return False


# --- assignment ------------------------------------------------------------------------------------


def _check_deadline(deadline: date | None, recurrence: str, today: date, parent: Task | None) -> None:
    if recurrence != Recurrence.ONGOING and deadline is None:
        msg = _("Nhập hạn xử lý (hoặc chọn nhiệm vụ thường xuyên).")
        raise InvalidInput(msg, fields={"deadline": msg})
    if deadline is not None and deadline < today:
        msg = _("Hạn xử lý không được ở trước ngày hôm nay.")
        raise InvalidInput(msg, fields={"deadline": msg})
    if parent is not None and parent.deadline and deadline and deadline > parent.deadline:
        msg = _("Hạn của nhiệm vụ con không được sau hạn của nhiệm vụ (%(d)s).") % {
            "d": f"{parent.deadline:%d/%m/%Y}"
        }
        raise InvalidInput(msg, fields={"deadline": msg})


def _check_fields(
    *,
    lead_agencies: Sequence[Agency],
    each: bool,
    title: str,
    recurrence: str,
    priority: str,
    source_kind: str,
    coordinators: Sequence[Agency],
    plan: Plan | None,
    milestone: Milestone | None,
) -> tuple[list[Agency], str, list[Agency]]:
    """The rules of an assignment that need no lock: (lead units, title, co-ordinating units)."""
    leads = list(dict.fromkeys(lead_agencies))
    if not leads:
        msg = _("Chọn đơn vị chủ trì: mỗi nhiệm vụ có đúng một đơn vị chủ trì.")
        raise InvalidInput(msg, fields={"lead_agency": msg})
    if len(leads) > 1 and not each:
        msg = _(
            "Mỗi nhiệm vụ chỉ có một đơn vị chủ trì; để giao cho nhiều đơn vị, chọn “giao cho từng đơn vị”."
        )
        raise InvalidInput(msg, fields={"lead_agency": msg}, code="two_leads")
    title = _text(title, "title", _("Nhập trích yếu nhiệm vụ."), max_length=300)
    if recurrence not in Recurrence.values:
        raise InvalidInput(_("Loại thời hạn không hợp lệ."), fields={"recurrence": _("Không hợp lệ.")})
    if priority not in Priority.values:
        raise InvalidInput(_("Độ khẩn không hợp lệ."), fields={"priority": _("Không hợp lệ.")})
    if source_kind not in SourceKind.values:
        raise InvalidInput(_("Nguồn giao không hợp lệ."), fields={"source_kind": _("Không hợp lệ.")})
    coords = list(dict.fromkeys(coordinators))
    overlap = [a for a in leads if a in coords]
    if overlap:
        msg = _("Đơn vị “%(unit)s” không thể vừa chủ trì vừa phối hợp.") % {"unit": overlap[0].name}
        raise InvalidInput(msg, fields={"coordinators": msg}, code="lead_coordinates")
    if milestone is not None and (plan is None or milestone.plan_id != plan.pk):
        msg = _("Mốc không thuộc kế hoạch đã chọn.")
        raise InvalidInput(msg, fields={"milestone": msg})
    return leads, title, coords


def _check_assigner(by, assigner_agency: Agency | None) -> None:
    if assigner_agency is None:
        msg = _("Chọn cơ quan giao nhiệm vụ.")
        raise InvalidInput(msg, fields={"assigner_agency": msg})
    if not (
        permissions.is_city_admin(by) or assigner_agency.pk in permissions.agencies_for(by, "task.assign")
    ):
        raise NotAllowed(_("Bạn không có quyền giao nhiệm vụ thay mặt cơ quan này."))


def _check_lead_person(lead_person: User | None, leads: list[Agency], *, field: str = "lead_person") -> None:
    """The lead person is an active official holding a role at the (one) lead unit itself."""
    if lead_person is not None:
        held = RoleGrant.objects.filter(user=lead_person, agency__in=leads).exists()
        if len(leads) > 1 or not held or not lead_person.is_active:
            msg = _("Người chủ trì phải là cán bộ của đơn vị chủ trì.")
            raise InvalidInput(msg, fields={field: msg})


def _plan_of(plan: Plan | None, milestone: Milestone | None) -> Plan | None:
    """The plan a task belongs to: the one given, else the milestone's (checked against each
    other by :func:`_check_fields`)."""
    if plan is None and milestone is not None:
        return milestone.plan
    return plan


def check_assign(
    *,
    by,
    lead_agencies: Sequence[Agency],
    title: str,
    assigner_agency: Agency | None = None,
    coordinators: Sequence[Agency] = (),
    lead_person: User | None = None,
    deadline: date | None = None,
    recurrence: str = Recurrence.ONCE,
    priority: str = Priority.NORMAL,
    source_kind: str = SourceKind.AD_HOC,
    plan: Plan | None = None,
    milestone: Milestone | None = None,
    each: bool = False,
    now: datetime | None = None,
) -> None:
    """Every rule :func:`assign` checks for a task without a parent, writing nothing: a guided
    form asks it on the step where the units and the deadline are chosen, so that the mistake
    shows there (the same checks run again, under the lock, when the task is assigned)."""
    plan = _plan_of(plan, milestone)
    leads, _title, _coords = _check_fields(
        lead_agencies=lead_agencies,
        each=each,
        title=title,
        recurrence=recurrence,
        priority=priority,
        source_kind=source_kind,
        coordinators=coordinators,
        plan=plan,
        milestone=milestone,
    )
    _check_assigner(by, assigner_agency)
    _check_deadline(deadline, recurrence, _local_day(_now(now)), None)
    _check_lead_person(lead_person, leads)


def assign(
    *,
    by,
    lead_agencies: Sequence[Agency],
    title: str,
    assigner_agency: Agency | None = None,
    content: str = "",
    coordinators: Sequence[Agency] = (),
    lead_person: User | None = None,
    deadline: date | None = None,
    recurrence: str = Recurrence.ONCE,
    priority: str = Priority.NORMAL,
    source_kind: str = SourceKind.AD_HOC,
    source_ref: str = "",
    source_label: str = "",
    plan: Plan | None = None,
    milestone: Milestone | None = None,
    parent: Task | None = None,
    files: Sequence[Any] = (),
    each: bool = False,
    now: datetime | None = None,
) -> list[Task]:
    """Giao nhiệm vụ. One lead unit makes one task; with ``each=True`` (bulk assignment of one
    directive) every unit of ``lead_agencies`` gets its own task with itself as the lead, all under
    one directive key (``batch``). With ``parent`` the lead unit of that task splits its part among
    its sections (sub-tasks): every lead must be inside the parent's lead unit. Every task of a
    bulk assignment gets its own copy of ``files`` (checked once, before anything is written).
    A ``milestone`` without a ``plan`` places the task in the milestone's plan."""
    at = _now(now)
    plan = _plan_of(plan, milestone)
    today = _local_day(at)
    leads, title, coords = _check_fields(
        lead_agencies=lead_agencies,
        each=each,
        title=title,
        recurrence=recurrence,
        priority=priority,
        source_kind=source_kind,
        coordinators=coordinators,
        plan=plan,
        milestone=milestone,
    )
    checked_files = clean_files(files)

    with transaction.atomic():
        if parent is not None:
            parent = _begin(parent, "split", by)
            assigner_agency = parent.lead_agency
            plan, milestone = plan or parent.plan, milestone or parent.milestone
            for lead in leads:
                if not _in_subtree(lead, parent.lead_agency_id):
                    msg = _("Đơn vị “%(unit)s” không thuộc %(parent)s nên không nhận được nhiệm vụ con.") % {
                        "unit": lead.name,
                        "parent": parent.lead_agency.name,
                    }
                    raise InvalidInput(msg, fields={"lead_agency": msg}, code="outside_parent")
        else:
            _check_assigner(by, assigner_agency)
        _check_deadline(deadline, recurrence, today, parent)
        _check_lead_person(lead_person, leads)
        batch = uuid.uuid4().hex if len(leads) > 1 else ""
        content = _long_text(content)
        made: list[Task] = []
        for lead in leads:
            t = Task.objects.create(
                title=title,
                content=content,
                source_kind=source_kind,
                source_ref=clean(source_ref)[:120],
                source_label=clean(source_label)[:300],
                batch=batch,
                assigner=by,
                assigner_agency=assigner_agency,
                lead_agency=lead,
                lead_person=lead_person,
                parent=parent,
                plan=plan,
                milestone=milestone,
                recurrence=recurrence,
                priority=priority,
                original_deadline=deadline,
                deadline=deadline,
                state=State.ASSIGNED,
                assigned_at=at,
            )
            TaskUnit.objects.create(task=t, agency=lead, role=UnitRole.LEAD)
            TaskUnit.objects.bulk_create(
                [TaskUnit(task=t, agency=a, role=UnitRole.COORDINATE) for a in coords]
            )
            _save_files(t, checked_files, at=at)
            data = {
                "lead": lead.pk,
                "coordinators": [a.pk for a in coords],
                "deadline": deadline.isoformat() if deadline else None,
                **({"parent": parent.pk} if parent else {}),
            }
            _event(t, "assign", by=by, at=at, old="", data=data)
            audit.record("task.assign", by=by, obj=t, changes=data)
            values = _values(t)
            due = f"{deadline:%d/%m/%Y}" if deadline else _("thường xuyên")
            _notify(
                t,
                "assign",
                lead_people(t),
                _("Nhiệm vụ mới %(code)s: %(title)s") % values,
                _("%(unit)s được giao chủ trì nhiệm vụ “%(title)s”, hạn xử lý: %(due)s.")
                % {**values, "due": due},
                key="assign",
            )
            _facts(t, at, coordinators=True)
            made.append(t)
    return made


def assign_one(**kwargs: Any) -> Task:
    """:func:`assign` for one lead unit (``lead_agency=``); returns the task."""
    lead = kwargs.pop("lead_agency", None)
    return assign(lead_agencies=[lead] if lead is not None else [], **kwargs)[0]


# --- plans ----------------------------------------------------------------------------------------

PLAN_YEARS = (2000, 2100)


def _check_plan_agency(by, agency: Agency | None) -> None:
    """A plan is issued by an agency on whose behalf the person may assign tasks."""
    if agency is None:
        msg = _("Chọn cơ quan ban hành kế hoạch.")
        raise InvalidInput(msg, fields={"agency": msg})
    if not (permissions.is_city_admin(by) or agency.pk in permissions.agencies_for(by, "task.assign")):
        raise NotAllowed(_("Bạn không có quyền ban hành kế hoạch thay mặt cơ quan này."))


def _milestone_row(plan: Plan, name: str, due: date | None, field: str) -> tuple[str, date]:
    """A milestone's name and due date, checked against its plan (field: where to show a mistake)."""
    name = _text(name, f"{field}.name", _("Nhập tên mốc."), max_length=120)
    if due is None:
        msg = _("Nhập hạn của mốc “%(name)s”.") % {"name": name}
        raise InvalidInput(msg, fields={f"{field}.due": msg})
    if due.year != plan.year:
        msg = _("Hạn của mốc “%(name)s” (%(due)s) phải trong năm %(year)d của kế hoạch.") % {
            "name": name,
            "due": f"{due:%d/%m/%Y}",
            "year": plan.year,
        }
        raise InvalidInput(msg, fields={f"{field}.due": msg}, code="milestone_outside_year")
    return name, due


def _save_milestone(plan: Plan, name: str, due: date, *, by, field: str) -> Milestone:
    if plan.milestones.filter(name=name).exists():
        msg = _("Kế hoạch đã có mốc “%(name)s”.") % {"name": name}
        raise InvalidInput(msg, fields={f"{field}.name": msg}, code="duplicate_milestone")
    m = Milestone.objects.create(plan=plan, name=name, due=due)
    audit.record("task.add_milestone", by=by, obj=plan, changes={"milestone": name, "due": due.isoformat()})
    return m


def create_plan(
    *,
    by,
    code: str,
    title: str,
    year: Any,
    agency: Agency | None,
    basis: str = "",
    milestones: Sequence[tuple[str, date | None]] = (),
    now: datetime | None = None,
) -> Plan:
    """Ban hành kế hoạch: its number and symbol (unique), title, year, the issuing agency (one the
    person may assign for) and basis, with its milestones ``(name, due)`` (each due inside the
    plan's year; names unique in the plan). A mistake in any milestone refuses the whole plan
    (field ``milestones.<n>.name`` / ``.due``, n counted from 0)."""
    code = _text(code, "code", _("Nhập số, ký hiệu kế hoạch."), max_length=60)
    title = _text(title, "title", _("Nhập tên kế hoạch."), max_length=300)
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not PLAN_YEARS[0] <= year <= PLAN_YEARS[1]:
        msg = _("Năm của kế hoạch không hợp lệ.")
        raise InvalidInput(msg, fields={"year": msg})
    _check_plan_agency(by, agency)
    duplicate = _("Đã có kế hoạch số “%(code)s”.") % {"code": code}
    with transaction.atomic():
        if Plan.objects.filter(code__iexact=code).exists():
            raise InvalidInput(duplicate, fields={"code": duplicate}, code="duplicate_plan")
        try:
            with transaction.atomic():  # someone saving the same number at this very moment
                plan = Plan.objects.create(
                    code=code, title=title, year=year, agency=agency, basis=_long_text(basis)
                )
        except IntegrityError as exc:
            raise InvalidInput(duplicate, fields={"code": duplicate}, code="duplicate_plan") from exc
        audit.record(
            "task.create_plan", by=by, obj=plan, changes={"code": code, "year": year, "agency": agency.pk}
        )
        for n, (name, due) in enumerate(milestones):
            field = f"milestones.{n}"
            name, due = _milestone_row(plan, name, due, field)
            _save_milestone(plan, name, due, by=by, field=field)
    return plan


def add_milestone(plan: Plan, *, by, name: str, due: date | None, now: datetime | None = None) -> Milestone:
    """Thêm mốc: a milestone of an existing plan (the plan's agency's ``task.assign``)."""
    _check_plan_agency(by, plan.agency)
    name, due = _milestone_row(plan, name, due, "milestone")
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        return _save_milestone(plan, name, due, by=by, field="milestone")


# --- the lead side ---------------------------------------------------------------------------------


def accept(t: Task, *, by, now: datetime | None = None) -> Task:
    at = _now(now)
    with transaction.atomic():
        t = _begin(t, "accept", by)
        old = t.state
        t.state, t.accepted_at = State.ACCEPTED, at
        t.save(update_fields=["state", "accepted_at"])
        _event(t, "accept", by=by, at=at, old=old)
        audit.record("task.accept", by=by, obj=t, changes={"state": [old, t.state]})
    return t


def _percent(value: Any) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = -1
    if not 0 <= n <= 100:
        msg = _("Tiến độ là một số từ 0 đến 100.")
        raise InvalidInput(msg, fields={"percent": msg})
    return n


def report_progress(
    t: Task, *, by, text: str, percent: Any, files: Sequence[Any] = (), now: datetime | None = None
) -> Report:
    """Báo cáo tiến độ: text, percentage and files."""
    at = _now(now)
    text = _text(text, "text", _("Nhập nội dung báo cáo tiến độ."))
    pct = _percent(percent)
    checked_files = clean_files(files)
    with transaction.atomic():
        t = _begin(t, "report_progress", by)
        old = t.state
        if t.accepted_at is None:
            t.accepted_at = at
        t.state, t.progress = State.IN_PROGRESS, pct
        t.save(update_fields=["state", "progress", "accepted_at"])
        report = Report.objects.create(
            task=t,
            kind=ReportKind.PROGRESS,
            by=by,
            by_label=_label(by),
            at=at,
            on=_local_day(at),
            text=text,
            percent=pct,
        )
        _save_files(t, checked_files, at=at, report=report)
        _event(t, "report_progress", by=by, at=at, old=old, note=text, data={"percent": pct})
        audit.record("task.report_progress", by=by, obj=t, changes={"progress": pct})
    return report


def report_done(
    t: Task,
    *,
    by,
    text: str = "",
    result_document: str = "",
    files: Sequence[Any] = (),
    now: datetime | None = None,
) -> Report:
    """Báo cáo hoàn thành: a result text and/or the number of the reply document. The report
    states the deadline it counts against (setting ``TASK_DEADLINE_BASIS``) and whether it is on
    time; the status is judged on it (:func:`thudo.tasks.status.standing`)."""
    at = _now(now)
    text = _long_text(text)
    result_document = clean(result_document)[:120]
    if not text and not result_document:
        msg = _("Nhập kết quả thực hiện hoặc số, ký hiệu văn bản báo cáo kết quả.")
        raise InvalidInput(msg, fields={"text": msg})
    checked_files = clean_files(files)
    with transaction.atomic():
        t = _begin(t, "report_done", by)
        old = t.state
        day = _local_day(at)
        deadline_basis = task_status.basis()
        counted, on_time = task_status.judged_on_time(t, day, deadline_basis)
        if t.accepted_at is None:
            t.accepted_at = at
        t.state, t.progress = State.REPORTED, 100
        t.done_on, t.done_deadline, t.done_basis = day, counted, deadline_basis if counted else ""
        t.result, t.result_document = text, result_document
        t.save()
        report = Report.objects.create(
            task=t,
            kind=ReportKind.DONE,
            by=by,
            by_label=_label(by),
            at=at,
            on=day,
            text=text or result_document,
            percent=100,
            result_document=result_document,
            deadline_basis=t.done_basis,
            deadline_counted=counted,
            on_time=on_time,
        )
        _save_files(t, checked_files, at=at, report=report)
        data = {
            "deadline_basis": t.done_basis,
            "deadline_counted": counted.isoformat() if counted else None,
            "on_time": on_time,
            "result_document": result_document,
        }
        _event(t, "report_done", by=by, at=at, old=old, note=text, data=data)
        audit.record("task.report_done", by=by, obj=t, changes=data)
        _notify(
            t,
            "report_done",
            assigner_people(t),
            _("%(unit)s báo cáo hoàn thành nhiệm vụ %(code)s") % _values(t),
            _("Nhiệm vụ “%(title)s” đã được báo cáo hoàn thành; đề nghị xem xét kết thúc hoặc trả lại.")
            % _values(t),
            key=f"report_done:{report.pk}",
        )
        _facts(t, at)
    return report


def request_extension(
    t: Task, *, by, proposed: date | None, reason: str, now: datetime | None = None
) -> ExtensionRequest:
    """Đề nghị gia hạn: a later date and a reason; the assigner decides."""
    at = _now(now)
    reason = _text(reason, "reason", _("Nêu lý do đề nghị gia hạn."))
    with transaction.atomic():
        t = _begin(t, "request_extension", by)
        if proposed is None:
            msg = _("Nhập hạn đề nghị.")
            raise InvalidInput(msg, fields={"proposed": msg})
        assert t.deadline is not None  # the transition's condition
        if proposed <= t.deadline or proposed < _local_day(at):
            msg = _("Hạn đề nghị phải sau hạn hiện tại (%(d)s).") % {"d": f"{t.deadline:%d/%m/%Y}"}
            raise InvalidInput(msg, fields={"proposed": msg})
        ext = ExtensionRequest.objects.create(
            task=t,
            requested_by=by,
            requested_at=at,
            deadline_before=t.deadline,
            proposed=proposed,
            reason=reason,
        )
        data = {"proposed": proposed.isoformat(), "deadline": t.deadline.isoformat()}
        _event(t, "request_extension", by=by, at=at, note=reason, data=data)
        audit.record("task.request_extension", by=by, obj=t, changes=data)
        _notify(
            t,
            "request_extension",
            assigner_people(t),
            _("%(unit)s đề nghị gia hạn nhiệm vụ %(code)s") % _values(t),
            _("Đề nghị gia hạn đến %(d)s. Lý do: %(reason)s")
            % {"d": f"{proposed:%d/%m/%Y}", "reason": reason},
            key=f"extension:{ext.pk}",
        )
    return ext


def designate(t: Task, *, by, person: User | None, now: datetime | None = None) -> Task:
    """Phân công người chủ trì: the lead unit's leader names the official who handles the task
    (an official holding a role at the lead unit); naming another replaces them. From then on
    that person acts on the lead side and receives the task's notices and reminders."""
    at = _now(now)
    if person is None:
        msg = _("Chọn người chủ trì.")
        raise InvalidInput(msg, fields={"person": msg})
    with transaction.atomic():
        t = _begin(t, "designate", by)
        _check_lead_person(person, [t.lead_agency], field="person")
        before = t.lead_person.get_username() if t.lead_person_id and t.lead_person else None
        t.lead_person = person
        t.save(update_fields=["lead_person"])
        name = _label(person)
        seq = _event(t, "designate", by=by, at=at, note=name, data={"person": person.pk}).seq
        audit.record("task.designate", by=by, obj=t, changes={"lead_person": [before, person.get_username()]})
        _notify(
            t,
            "designate",
            [person],
            _("Bạn được phân công chủ trì nhiệm vụ %(code)s") % _values(t),
            _("%(unit)s phân công bạn chủ trì thực hiện nhiệm vụ “%(title)s”.") % _values(t),
            key=f"designate:{seq}",
        )
    return t


def _person(value: Any) -> User | None:
    """The official a page (a :class:`User`) or the API (a username) names; an unknown username
    is refused with the field's message."""
    if value is None or isinstance(value, User):
        return value
    username = clean(str(value))
    if not username:
        return None
    found = User.objects.filter(username=username).first()
    if found is None:
        msg = _("Không tìm thấy cán bộ “%(u)s”.") % {"u": username[:150]}
        raise InvalidInput(msg, fields={"person": msg})
    return found


# --- the assigner side -----------------------------------------------------------------------------


def decide_extension(
    t: Task, *, by, approve: bool, note: str = "", now: datetime | None = None
) -> ExtensionRequest:
    """Approve (the working deadline moves; the original deadline is kept) or refuse (nothing
    changes) the pending extension request."""
    at = _now(now)
    verb = "approve_extension" if approve else "refuse_extension"
    with transaction.atomic():
        t = _begin(t, verb, by)
        ext = ExtensionRequest.objects.select_for_update().get(task=t, decision=Decision.PENDING)
        ext.decision = Decision.APPROVED if approve else Decision.REFUSED
        ext.decided_by, ext.decided_at, ext.decision_note = by, at, _long_text(note)
        ext.save()
        data: dict[str, Any] = {"proposed": ext.proposed.isoformat()}
        if approve:
            data["deadline"] = [t.deadline.isoformat() if t.deadline else None, ext.proposed.isoformat()]
            data["original_deadline"] = t.original_deadline.isoformat() if t.original_deadline else None
            t.deadline = ext.proposed
            t.save(update_fields=["deadline"])
        _event(t, verb, by=by, at=at, note=ext.decision_note, data=data)
        audit.record(f"task.{verb}", by=by, obj=t, changes=data)
        values = {**_values(t), "d": f"{ext.proposed:%d/%m/%Y}"}
        subject = (
            _("Đồng ý gia hạn nhiệm vụ %(code)s đến %(d)s")
            if approve
            else _("Không đồng ý gia hạn nhiệm vụ %(code)s")
        ) % values
        _notify(
            t, verb, lead_people(t), subject, ext.decision_note or subject, key=f"extension:{ext.pk}:{verb}"
        )
        if approve:
            _facts(t, at)
    return ext


def close(t: Task, *, by, note: str = "", now: datetime | None = None) -> Task:
    """Kết thúc: the assigner accepts the reported result."""
    at = _now(now)
    with transaction.atomic():
        t = _begin(t, "close", by)
        old = t.state
        t.state, t.closed_at = State.CLOSED, at
        t.save(update_fields=["state", "closed_at"])
        _event(t, "close", by=by, at=at, old=old, note=note)
        audit.record("task.close", by=by, obj=t, changes={"state": [old, t.state]})
        _notify(
            t,
            "close",
            lead_people(t),
            _("Nhiệm vụ %(code)s đã được kết thúc") % _values(t),
            _("Kết quả nhiệm vụ “%(title)s” đã được chấp nhận.") % _values(t),
            key="close",
        )
        _next_period(t, by=by, at=at)
    return t


PERIOD_MONTHS = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3}


def next_deadline(deadline: date, months: int, today: date) -> date:
    """The deadline of the next period: the same day ``months`` later (the month's last day when
    it has no such day; a task due on a month's last day stays on the last day), and never in the
    past: a period closed late skips to the first period still ahead."""
    last = deadline.day == calendar.monthrange(deadline.year, deadline.month)[1]
    step = 1
    while True:
        index = deadline.month - 1 + months * step
        year, month = deadline.year + index // 12, index % 12 + 1
        length = calendar.monthrange(year, month)[1]
        candidate = date(year, month, length if last else min(deadline.day, length))
        if candidate >= today:
            return candidate
        step += 1


def _next_period(t: Task, *, by, at: datetime) -> Task | None:
    """A recurring report (monthly, quarterly): closing one period assigns the next one, to the
    same lead and co-ordinating units, by the same assigner agency, in the same transaction."""
    months = PERIOD_MONTHS.get(t.recurrence)
    if months is None or t.original_deadline is None or t.parent_id is not None:
        return None
    coordinators = [u.agency for u in t.units.filter(role=UnitRole.COORDINATE).select_related("agency")]
    nxt = assign_one(
        by=by,
        assigner_agency=t.assigner_agency,
        lead_agency=t.lead_agency,
        title=t.title,
        content=t.content,
        coordinators=coordinators,
        lead_person=t.lead_person,
        deadline=next_deadline(t.original_deadline, months, _local_day(at)),
        recurrence=t.recurrence,
        priority=t.priority,
        source_kind=t.source_kind,
        source_ref=t.source_ref,
        source_label=t.source_label,
        plan=t.plan,
        milestone=t.milestone,
        now=at,
    )
    _event(t, "next_period", by=by, at=at, old=t.state, data={"next": nxt.pk})
    return nxt


def return_task(t: Task, *, by, reason: str, now: datetime | None = None) -> Task:
    """Trả lại: the result is not enough; the task is in progress again (the done report stays in
    the history, the status no longer counts it)."""
    at = _now(now)
    reason = _text(reason, "reason", _("Nêu lý do trả lại."))
    with transaction.atomic():
        t = _begin(t, "return", by)
        old = t.state
        t.state, t.done_on, t.done_deadline, t.done_basis = State.IN_PROGRESS, None, None, ""
        t.save(update_fields=["state", "done_on", "done_deadline", "done_basis"])
        seq = _event(t, "return", by=by, at=at, old=old, note=reason).seq
        audit.record("task.return", by=by, obj=t, changes={"state": [old, t.state], "reason": reason})
        _notify(
            t,
            "return",
            lead_people(t),
            _("Nhiệm vụ %(code)s bị trả lại") % _values(t),
            _("Lý do: %(reason)s") % {"reason": reason},
            key=f"return:{seq}",
        )
        _facts(t, at)
    return t


def cancel(t: Task, *, by, reason: str, now: datetime | None = None) -> Task:
    at = _now(now)
    reason = _text(reason, "reason", _("Nêu lý do hủy nhiệm vụ."))
    with transaction.atomic():
        t = _begin(t, "cancel", by)
        if t.subtasks.exclude(state__in=(State.CANCELLED, State.CLOSED)).exists():
            raise Conflict(_("Nhiệm vụ còn nhiệm vụ con chưa kết thúc."), code="open_subtasks")
        old = t.state
        t.state, t.cancelled_at, t.cancel_reason = State.CANCELLED, at, reason
        t.save(update_fields=["state", "cancelled_at", "cancel_reason"])
        _event(t, "cancel", by=by, at=at, old=old, note=reason)
        audit.record("task.cancel", by=by, obj=t, changes={"state": [old, t.state], "reason": reason})
        _notify(
            t,
            "cancel",
            lead_people(t),
            _("Nhiệm vụ %(code)s đã bị hủy") % _values(t),
            _("Lý do: %(reason)s") % {"reason": reason},
            key="cancel",
        )
        _facts(t, at, coordinators=True)
    return t


def act(t: Task, verb: str, *, by, data: dict[str, Any] | None = None, now: datetime | None = None) -> Any:
    """One entry for pages and the API: do ``verb`` with the fields of ``data``."""
    data = data or {}
    if verb not in VERBS or verb == "split":
        raise InvalidInput(
            _("Thao tác không hợp lệ."), fields={"verb": _("Không hợp lệ.")}, code="unknown_verb"
        )
    if verb == "accept":
        return accept(t, by=by, now=now)
    if verb == "designate":
        return designate(t, by=by, person=_person(data.get("person")), now=now)
    if verb == "report_progress":
        return report_progress(
            t,
            by=by,
            text=data.get("text", ""),
            percent=data.get("percent"),
            files=data.get("files", ()),
            now=now,
        )
    if verb == "report_done":
        return report_done(
            t,
            by=by,
            text=data.get("text", ""),
            result_document=data.get("result_document", ""),
            files=data.get("files", ()),
            now=now,
        )
    if verb == "request_extension":
        return request_extension(
            t, by=by, proposed=data.get("proposed"), reason=data.get("reason", ""), now=now
        )
    if verb in ("approve_extension", "refuse_extension"):
        return decide_extension(
            t, by=by, approve=verb == "approve_extension", note=data.get("note", ""), now=now
        )
    if verb == "close":
        return close(t, by=by, note=data.get("note", ""), now=now)
    if verb == "return":
        return return_task(t, by=by, reason=data.get("reason", ""), now=now)
    return cancel(t, by=by, reason=data.get("reason", ""), now=now)

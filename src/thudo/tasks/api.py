"""Task API at /api/v1/tasks: list with filters, create (one unit or each of many), read, act,
report. Create and report take a JSON body; their ``/multipart`` twins take the same fields as
multipart/form-data with attachments (``files``), checked by the same actions. Thin: validate,
call :mod:`thudo.tasks.actions` or :mod:`thudo.tasks.queries`, shape the answer. Invisible tasks
are 404; a move the table refuses is 409; bad input 422 (``{"code", "message", "fields"}``)."""

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from thudo.core import stored
from thudo.core.api import signed_in
from thudo.core.errors import InvalidInput, NotFound
from thudo.core.models import Agency
from thudo.core.pagination import LimitOffsetPagination, Shaped
from thudo.tasks import actions, queries, transitions
from thudo.tasks import status as st
from thudo.tasks.models import Milestone, Priority, Recurrence, SourceKind, Task

router = Router(tags=["tasks"], auth=signed_in)

FILES_NOTE = (
    "The same fields as the JSON endpoint, as form fields (a list field repeated once per value), "
    "and up to 10 files in `files`: PDF, JPEG, PNG, DOC, DOCX or XLSX, recognised by their bytes, "
    "each at most the platform's upload limit (20 MB by default). A refused file is a 422 "
    "(`invalid_file`, field `files`) and nothing is saved."
)


class AgencyRefOut(Schema):
    code: str
    name: str


class TaskFileOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    url: str


class TaskReportOut(Schema):
    id: int
    kind: str
    on: date
    by: str
    text: str
    percent: int
    result_document: str
    deadline_basis: str
    deadline_counted: date | None = None
    on_time: bool | None = None
    files: list[TaskFileOut] = []


class TaskEventOut(Schema):
    seq: int
    verb: str
    from_state: str
    to_state: str
    by: str
    at: datetime
    note: str


class TaskOut(Schema):
    id: int
    code: str
    title: str
    content: str
    source_kind: str
    source_ref: str
    source_label: str
    assigner_agency: AgencyRefOut
    lead_agency: AgencyRefOut
    lead_person: str | None = None
    coordinators: list[AgencyRefOut] | None = None
    parent: int | None = None
    milestone: int | None = None
    recurrence: str
    priority: str
    original_deadline: date | None = None
    deadline: date | None = None
    state: str
    state_label: str
    standing: str
    standing_label: str
    progress: int
    assigned_at: datetime
    done_on: date | None = None
    result: str
    result_document: str
    verbs: list[str] | None = None
    files: list[TaskFileOut] | None = None
    reports: list[TaskReportOut] | None = None
    history: list[TaskEventOut] | None = None


class TaskIn(Schema):
    title: str = Field(..., max_length=300)
    content: str = Field("", max_length=20000)
    assigner_agency: str = Field(..., max_length=32, description="code of the assigning agency")
    lead_agencies: list[str] = Field(..., max_length=500, description="codes; exactly one unless each=true")
    each: bool = Field(False, description="one task per lead unit (bulk assignment of one directive)")
    coordinators: list[str] = Field([], max_length=500)
    deadline: date | None = None
    recurrence: Recurrence = Recurrence.ONCE
    priority: Priority = Priority.NORMAL
    source_kind: SourceKind = SourceKind.AD_HOC
    source_ref: str = Field("", max_length=120)
    source_label: str = Field("", max_length=300)
    parent: int | None = Field(None, ge=1, le=2**31 - 1)
    milestone: int | None = Field(
        None, ge=1, le=2**31 - 1, description="id of a plan's milestone: the task belongs to that plan"
    )


class TaskActIn(Schema):
    verb: str = Field(..., max_length=30, description=", ".join(v for v in transitions.VERBS if v != "split"))
    note: str = Field("", max_length=5000)
    reason: str = Field("", max_length=5000)
    proposed: date | None = None
    person: str = Field("", max_length=150, description="designate: the username of the lead person")


class TaskReportIn(Schema):
    kind: str = Field("progress", pattern="^(progress|done)$")
    text: str = Field("", max_length=20000)
    percent: int = Field(0, ge=0, le=100)
    result_document: str = Field("", max_length=120)


class TaskListFilter(Schema):
    state: str | None = Field(None, max_length=20)
    lead_agency: str | None = Field(None, max_length=32)
    standing: str | None = Field(None, pattern="^(overdue|due_soon)$")
    q: str | None = Field(None, max_length=200)


def _ref(a: Agency) -> dict:
    return {"code": a.code, "name": a.name}


def task_out(t: Task, person, *, detail: bool = False) -> dict:
    standing = st.standing(t)
    out = {
        "id": t.pk,
        "code": t.code,
        "title": t.title,
        "content": t.content,
        "source_kind": t.source_kind,
        "source_ref": t.source_ref,
        "source_label": t.source_label,
        "assigner_agency": _ref(t.assigner_agency),
        "lead_agency": _ref(t.lead_agency),
        "lead_person": t.lead_person.get_username() if t.lead_person_id and t.lead_person else None,
        "parent": t.parent_id,
        "milestone": t.milestone_id,
        "recurrence": t.recurrence,
        "priority": t.priority,
        "original_deadline": t.original_deadline,
        "deadline": t.deadline,
        "state": t.state,
        "state_label": t.get_state_display(),
        "standing": str(standing),
        "standing_label": str(st.Standing(standing).label),
        "progress": t.progress,
        "assigned_at": t.assigned_at,
        "done_on": t.done_on,
        "result": t.result,
        "result_document": t.result_document,
    }
    if detail:
        out["coordinators"] = [_ref(a) for a in queries.coordinators(t)]
        out["verbs"] = transitions.verbs_for(person, t)
        out["files"] = [_file_out(f) for f in t.files.all() if f.report_id is None]
        out["reports"] = [_report_out(r) for r in queries.reports(t)]
        out["history"] = [
            {
                "seq": e.seq,
                "verb": e.verb,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "by": e.by_label,
                "at": e.at,
                "note": e.note,
            }
            for e in queries.history(t)
        ]
    return out


def _file_out(f) -> dict:
    url = f"/api/v1/tasks/{f.task_id}/files/{f.pk}"
    return {"id": f.pk, "name": f.original_name, "size": f.size, "content_type": f.content_type, "url": url}


def _report_out(r) -> dict:
    return {
        "id": r.pk,
        "kind": r.kind,
        "on": r.on,
        "by": r.by_label,
        "text": r.text,
        "percent": r.percent,
        "result_document": r.result_document,
        "deadline_basis": r.deadline_basis,
        "deadline_counted": r.deadline_counted,
        "on_time": r.on_time,
        "files": [_file_out(f) for f in r.files.all()],
    }


def _get(request, task_id: int) -> Task:
    t = queries.get(request.user, task_id)
    if t is None:
        raise NotFound(_("Không tìm thấy nhiệm vụ."))
    return t


def _agencies(codes: list[str], field: str) -> list[Agency]:
    found = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        msg = _("Không tìm thấy cơ quan: %(codes)s") % {"codes": ", ".join(missing[:5])}
        raise InvalidInput(msg, fields={field: msg})
    return [found[c] for c in codes]


def _milestone(request, milestone_id: int | None) -> Milestone | None:
    if milestone_id is None:
        return None
    found = queries.milestone_choices(request.user).filter(pk=milestone_id).first()
    if found is None:
        msg = _("Không tìm thấy mốc kế hoạch.")
        raise InvalidInput(msg, fields={"milestone": msg})
    return found


@router.get("", response=list[TaskOut], summary="Tasks the signed-in person may see")
@paginate(LimitOffsetPagination)
def list_tasks(request, filters: Query[TaskListFilter]):
    lead = None
    if filters.lead_agency:
        agency = Agency.objects.filter(code=filters.lead_agency).first()
        lead = agency.pk if agency else -1
    qs = queries.search(
        request.user,
        state=filters.state or "",
        lead_agency=lead,
        standing=filters.standing or "",
        q=filters.q or "",
    )
    return Shaped(qs, lambda t: task_out(t, request.user))


def _create(request, payload: TaskIn, files) -> list[dict]:
    parent = None
    if payload.parent is not None:
        parent = _get(request, payload.parent)
    assigner = _agencies([payload.assigner_agency], "assigner_agency")[0] if parent is None else None
    made = actions.assign(
        by=request.user,
        assigner_agency=assigner,
        lead_agencies=_agencies(payload.lead_agencies, "lead_agencies"),
        each=payload.each,
        coordinators=_agencies(payload.coordinators, "coordinators"),
        title=payload.title,
        content=payload.content,
        deadline=payload.deadline,
        recurrence=payload.recurrence,
        priority=payload.priority,
        source_kind=payload.source_kind,
        source_ref=payload.source_ref,
        source_label=payload.source_label,
        parent=parent,
        milestone=_milestone(request, payload.milestone),
        files=files or (),
    )
    return [task_out(t, request.user) for t in made]


@router.post("", response={201: list[TaskOut]}, summary="Assign a task (or one per unit with each=true)")
def create(request, payload: TaskIn):
    return Status(201, _create(request, payload, ()))


@router.post(
    "/multipart",
    response={201: list[TaskOut]},
    summary="Assign a task with attachments (multipart/form-data: the fields of the JSON body, files)",
    description=FILES_NOTE,
)
def create_with_files(request, payload: Form[TaskIn], files: File[list[UploadedFile] | None] = None):
    return Status(201, _create(request, payload, files))


@router.get("/{task_id}", response=TaskOut, summary="One task with its reports and history")
def get_task(request, task_id: int):
    return task_out(_get(request, task_id), request.user, detail=True)


@router.get("/{task_id}/files/{file_id}", summary="Download one attachment of the task or of a report")
def get_file(request, task_id: int, file_id: int):
    row = queries.file(_get(request, task_id), file_id)
    if row is None:
        raise NotFound(_("Không tìm thấy tệp."))
    return stored.download(row.file, row.original_name, row.content_type)


@router.post("/{task_id}/act", response=TaskOut, summary="Do one verb of the transition table")
def act(request, task_id: int, payload: TaskActIn):
    t = _get(request, task_id)
    if payload.verb in ("report_progress", "report_done"):
        raise InvalidInput(_("Báo cáo gửi qua /reports."), fields={"verb": payload.verb}, code="use_reports")
    actions.act(t, payload.verb, by=request.user, data=payload.dict())
    return task_out(_get(request, task_id), request.user, detail=True)


def _report(request, task_id: int, payload: TaskReportIn, files) -> dict:
    t = _get(request, task_id)
    if payload.kind == "done":
        r = actions.report_done(
            t, by=request.user, text=payload.text, result_document=payload.result_document, files=files or ()
        )
    else:
        r = actions.report_progress(
            t, by=request.user, text=payload.text, percent=payload.percent, files=files or ()
        )
    return _report_out(r)


@router.post("/{task_id}/reports", response={201: TaskReportOut}, summary="Report progress or completion")
def report(request, task_id: int, payload: TaskReportIn):
    return Status(201, _report(request, task_id, payload, ()))


@router.post(
    "/{task_id}/reports/multipart",
    response={201: TaskReportOut},
    summary="Report progress or completion with attachments (multipart/form-data)",
    description=FILES_NOTE,
)
def report_with_files(
    request, task_id: int, payload: Form[TaskReportIn], files: File[list[UploadedFile] | None] = None
):
    return Status(201, _report(request, task_id, payload, files))

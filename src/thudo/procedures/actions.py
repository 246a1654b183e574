"""Every write to the procedure catalogue: drafts, publication, versions, processes.

Each function is keyword-only after its subject, names the acting person (``by``; ``None`` is
the system, e.g. the seed loader), runs in one transaction and leaves an audit record.

Rules: a published procedure version is read-only (changes go into a new draft, which
supersedes it when published); exactly one version per code is published; an internal
process's step durations may not add up to more than the legal duration (Decree
118/2025/NĐ-CP, domain-rules §2), checked when the process or its procedure is published.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thudo.core import audit, eform, permissions
from thudo.core.errors import Conflict, InvalidInput, NotAllowed
from thudo.core.models import Agency
from thudo.core.text import clean, fold
from thudo.procedures.models import (
    Channel,
    DurationUnit,
    Fee,
    Field,
    Level,
    OnlineLevel,
    PaperKind,
    Procedure,
    Process,
    ProcessStep,
    RequiredPaper,
    ResultType,
    Status,
    StepRole,
    SupplementPolicy,
)

EDITABLE = (
    "name",
    "field",
    "level",
    "agency",
    "duration_value",
    "duration_unit",
    "cutoff_time",
    "online_level",
    "result_type",
    "result_name",
    "legal_bases",
    "eform_schema",
)


def _require(by, verb: str, obj=None) -> None:
    if by is None:  # the system (seed loader, migrations)
        return
    if not permissions.can(by, verb, obj):
        raise NotAllowed()


def search_text(procedure: Procedure) -> str:
    """Folded name then code: the search key, and a diacritic-insensitive sort order by name."""
    return fold(f"{procedure.name} {procedure.code}")[:700]


# --- fields -------------------------------------------------------------------------------------


def upsert_field(*, code: str, name: str, by) -> Field:
    """Create or rename a field (lĩnh vực)."""
    if by is not None and not permissions.is_city_admin(by):
        raise NotAllowed()
    code, name = clean(code), clean(name)
    if not code or not name:
        raise InvalidInput(fields={"code" if not code else "name": _("Bắt buộc.")})
    with transaction.atomic():
        field, created = Field.objects.update_or_create(code=code, defaults={"name": name})
        audit.record("field.create" if created else "field.update", by=by, obj=field)
    return field


# --- validation of procedure data ----------------------------------------------------------------


def _clean_values(values: dict) -> dict:
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise InvalidInput(fields={k: _("Không được sửa trường này.") for k in sorted(unknown)})
    out = dict(values)
    errors: dict[str, str] = {}
    for key in ("name", "result_name"):
        if key in out:
            out[key] = clean(out[key])
    if "name" in out and not out["name"]:
        errors["name"] = _("Cần tên thủ tục.")
    if "field" in out and not isinstance(out["field"], Field):
        errors["field"] = _("Lĩnh vực không hợp lệ.")
    if "agency" in out and out["agency"] is not None and not isinstance(out["agency"], Agency):
        errors["agency"] = _("Cơ quan không hợp lệ.")
    choices = {
        "level": Level,
        "duration_unit": DurationUnit,
        "online_level": OnlineLevel,
        "result_type": ResultType,
    }
    for key, enum in choices.items():
        if key in out and out[key] not in enum.values:
            errors[key] = _("Giá trị không hợp lệ.")
    if "duration_value" in out:
        try:
            out["duration_value"] = Decimal(str(out["duration_value"]))
        except InvalidOperation:
            errors["duration_value"] = _("Thời hạn phải là số.")
        else:
            value = out["duration_value"]
            if not value.is_finite() or value < 0 or value > 3650:
                errors["duration_value"] = _("Thời hạn phải từ 0 đến 3650.")
    if "cutoff_time" in out and out["cutoff_time"] is not None and not isinstance(out["cutoff_time"], time):
        errors["cutoff_time"] = _("Giờ không hợp lệ, ví dụ 15:00.")
    if "legal_bases" in out:
        if not isinstance(out["legal_bases"], list | tuple):
            errors["legal_bases"] = _("Căn cứ pháp lý phải là một danh sách.")
        else:
            out["legal_bases"] = [clean(str(x)) for x in out["legal_bases"] if clean(str(x))]
    if "eform_schema" in out:
        try:
            out["eform_schema"] = eform.check_schema(out["eform_schema"])
        except InvalidInput as exc:
            errors.update(exc.fields or {})
    if errors:
        raise InvalidInput(fields=errors)
    return out


def _check_level(procedure: Procedure) -> None:
    if procedure.level == Level.DEPARTMENT and procedure.agency_id is None:
        raise InvalidInput(fields={"agency": _("Thủ tục cấp tỉnh cần cơ quan thực hiện.")})
    if procedure.level == Level.COMMUNE and procedure.agency_id is not None:
        raise InvalidInput(
            fields={"agency": _("Thủ tục cấp xã do mọi UBND phường, xã thực hiện: để trống cơ quan.")}
        )


# --- drafts -------------------------------------------------------------------------------------


def create_draft(*, code: str, by, **values) -> Procedure:
    """A new draft procedure (version 1, or the next version number of an existing code)."""
    code = clean(code)
    if not code:
        raise InvalidInput(fields={"code": _("Cần mã thủ tục.")})
    values = _clean_values(values)
    missing = [k for k in ("name", "field", "level", "duration_value") if k not in values]
    if missing:
        raise InvalidInput(fields={k: _("Bắt buộc.") for k in missing})
    procedure = Procedure(code=code, **values)
    _check_level(procedure)
    _require(by, "procedure.manage", procedure if procedure.agency_id else None)
    if by is not None and procedure.agency_id is None and not permissions.is_city_admin(by):
        raise NotAllowed()
    with transaction.atomic():
        # Lock the code's versions; two people creating the very first version of one code at
        # once meet the (code, version) constraint instead, reported as a conflict.
        versions = Procedure.objects.select_for_update().filter(code=code).values_list("version", flat=True)
        procedure.version = max(versions, default=0) + 1
        procedure.search_text = search_text(procedure)
        try:
            with transaction.atomic():
                procedure.save()
        except IntegrityError as exc:
            raise Conflict(_("Thủ tục {code} vừa được người khác tạo.").format(code=code)) from exc
        audit.record(
            "procedure.create_draft",
            by=by,
            obj=procedure,
            changes={"code": code, "version": procedure.version},
        )
    return procedure


def _lock_draft(procedure: Procedure) -> Procedure:
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if locked.status != Status.DRAFT:
        raise Conflict(
            _("Thủ tục {code} phiên bản {version} đã công bố: không sửa được, hãy tạo bản nháp mới.").format(
                code=locked.code, version=locked.version
            )
        )
    return locked


def _require_manage(by, procedure: Procedure) -> None:
    _require(by, "procedure.manage", procedure)
    if by is not None and procedure.agency_id is None and not permissions.is_city_admin(by):
        raise NotAllowed()


def edit_draft(procedure: Procedure, *, by, **values) -> Procedure:
    """Change a draft's fields. Published and superseded versions are read-only (Conflict)."""
    values = _clean_values(values)
    with transaction.atomic():
        procedure = _lock_draft(procedure)
        _require_manage(by, procedure)
        old = {k: getattr(procedure, k) for k in values}
        for k, v in values.items():
            setattr(procedure, k, v)
        _check_level(procedure)
        _require_manage(by, procedure)
        procedure.search_text = search_text(procedure)
        procedure.save()
        audit.record(
            "procedure.edit_draft",
            by=by,
            obj=procedure,
            changes=audit.diff(
                {k: _plain(v) for k, v in old.items()}, {k: _plain(v) for k, v in values.items()}
            ),
        )
    return procedure


def _plain(value):
    if isinstance(value, Field | Agency):
        return value.code
    if isinstance(value, Decimal):
        return str(value)
    return value


def set_papers(procedure: Procedure, *, papers: Iterable[dict], by) -> list[RequiredPaper]:
    """Replace a draft's papers. Each: name, mandatory, copies, form_name, blank_form (optional),
    kind (:class:`PaperKind`) and from_population_db (a verified citizen is not asked for it:
    Decree 104/2022/NĐ-CP; Law 20/2023/QH15 on identification)."""
    rows = []
    errors = {}
    for i, p in enumerate(papers):
        name = clean(p.get("name"))
        if not name:
            errors[f"papers.{i}.name"] = _("Cần tên giấy tờ.")
        copies = p.get("copies", 1)
        if (p.get("kind") or PaperKind.OTHER) not in PaperKind.values:
            errors[f"papers.{i}.kind"] = _("Loại giấy tờ không hợp lệ.")
        if not isinstance(copies, int) or copies < 0:
            errors[f"papers.{i}.copies"] = _("Số bản phải là số nguyên không âm.")
        rows.append(
            RequiredPaper(
                order=i + 1,
                name=name,
                mandatory=bool(p.get("mandatory", True)),
                copies=copies if isinstance(copies, int) else 1,
                form_name=clean(p.get("form_name")),
                blank_form=p.get("blank_form") or None,
                kind=p.get("kind") or PaperKind.OTHER,
                from_population_db=bool(p.get("from_population_db", False)),
            )
        )
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        procedure = _lock_draft(procedure)
        _require_manage(by, procedure)
        procedure.papers.all().delete()
        for r in rows:
            r.procedure = procedure
            r.save()
        audit.record("procedure.set_papers", by=by, obj=procedure, changes={"papers": [r.name for r in rows]})
    return rows


def set_fees(procedure: Procedure, *, fees: Iterable[dict], by) -> list[Fee]:
    """Replace a draft's fees. Each: channel, amount (int đồng), name, valid_from, valid_to, note."""
    rows = []
    errors = {}
    for i, f in enumerate(fees):
        amount = f.get("amount", 0)
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            errors[f"fees.{i}.amount"] = _("Số tiền phải là số nguyên đồng, không âm.")
            amount = 0
        if f.get("channel") not in Channel.values:
            errors[f"fees.{i}.channel"] = _("Hình thức nộp không hợp lệ.")
        valid_from, valid_to = f.get("valid_from"), f.get("valid_to")
        if not isinstance(valid_from, date):
            errors[f"fees.{i}.valid_from"] = _("Cần ngày bắt đầu áp dụng.")
        elif valid_to is not None and valid_to < valid_from:
            errors[f"fees.{i}.valid_to"] = _("Ngày kết thúc trước ngày bắt đầu.")
        rows.append(
            Fee(
                channel=f.get("channel"),
                amount=amount,
                name=clean(f.get("name")),
                valid_from=valid_from,
                valid_to=valid_to,
                note=clean(f.get("note")),
            )
        )
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        procedure = _lock_draft(procedure)
        _require_manage(by, procedure)
        procedure.fees.all().delete()
        for r in rows:
            r.procedure = procedure
        Fee.objects.bulk_create(rows)
        audit.record(
            "procedure.set_fees",
            by=by,
            obj=procedure,
            changes={"fees": [[r.channel, r.amount, r.valid_from, r.valid_to] for r in rows]},
        )
    return rows


# --- publication and versions -------------------------------------------------------------------


def _excess_error(process: Process, procedure: Procedure, total: Decimal) -> InvalidInput:
    limit = procedure.legal_duration_hours
    return InvalidInput(
        _(
            "Tổng thời gian các bước ({total} giờ) vượt thời hạn giải quyết theo quy định "
            "({limit} giờ làm việc) {excess} giờ."
        ).format(total=_num(total), limit=_num(limit), excess=_num(total - limit)),
        fields={"steps": _("Vượt {excess} giờ làm việc.").format(excess=_num(total - limit))},
        code="process_too_long",
    )


def _num(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def _check_process_fits(process: Process, procedure: Procedure) -> None:
    total = sum((s.duration_hours for s in process.steps.all()), Decimal(0))
    if total > procedure.legal_duration_hours:
        raise _excess_error(process, procedure, total)


def publish(procedure: Procedure, *, by) -> Procedure:
    """Publish a draft: the code's published version (if any) becomes superseded.

    Refused (InvalidInput) when one of the draft's published processes no longer fits the legal
    duration. Only city administrators publish (``procedure.publish``).
    """
    if by is not None and not permissions.can(by, "procedure.publish", procedure):
        raise NotAllowed()
    with transaction.atomic():
        # Lock every version of the code so two publications cannot both win.
        versions = list(Procedure.objects.select_for_update().filter(code=procedure.code).order_by("version"))
        procedure = next(v for v in versions if v.pk == procedure.pk)
        if procedure.status != Status.DRAFT:
            raise Conflict(_("Chỉ công bố được bản nháp."))
        _check_level(procedure)
        for process in procedure.processes.filter(status=Status.PUBLISHED).prefetch_related("steps"):
            _check_process_fits(process, procedure)
        superseded = []
        for old in versions:
            if old.status == Status.PUBLISHED:
                old.status = Status.SUPERSEDED
                old.save(update_fields=["status", "updated_at"])
                superseded.append(old.version)
        procedure.status = Status.PUBLISHED
        procedure.published_at = timezone.now()
        procedure.save(update_fields=["status", "published_at", "updated_at"])
        audit.record(
            "procedure.publish",
            by=by,
            obj=procedure,
            changes={"version": procedure.version, "superseded": superseded},
        )
    return procedure


def new_draft_from(procedure: Procedure, *, by) -> Procedure:
    """A new draft version copying a published (or superseded) version with its papers, fees and
    processes. Published processes are copied as published (they keep applying once the new
    version is published, and are checked again against its duration)."""
    _require_manage(by, procedure)
    with transaction.atomic():
        versions = list(Procedure.objects.select_for_update().filter(code=procedure.code))
        source = next(v for v in versions if v.pk == procedure.pk)
        if source.status == Status.DRAFT:
            raise Conflict(_("Đây đã là bản nháp."))
        if any(v.status == Status.DRAFT for v in versions):
            raise Conflict(_("Thủ tục này đã có một bản nháp đang soạn."))
        last = max(v.version for v in versions)
        draft = Procedure.objects.get(pk=source.pk)
        draft.pk = None
        draft._state.adding = True
        draft.version = last + 1
        draft.status = Status.DRAFT
        draft.published_at = None
        draft.save()
        for paper in source.papers.all():
            paper.pk = None
            paper.procedure = draft
            paper.save()
        for fee in source.fees.all():
            fee.pk = None
            fee.procedure = draft
            fee.save()
        for process in source.processes.exclude(status=Status.SUPERSEDED).prefetch_related("steps"):
            steps = list(process.steps.all())
            process.pk = None
            process.procedure = draft
            process.save()
            ProcessStep.objects.bulk_create(
                [
                    ProcessStep(
                        process=process,
                        order=s.order,
                        name=s.name,
                        role=s.role,
                        duration_hours=s.duration_hours,
                    )
                    for s in steps
                ]
            )
        audit.record(
            "procedure.new_draft",
            by=by,
            obj=draft,
            changes={"from_version": source.version, "version": draft.version},
        )
    return draft


# --- internal processes -------------------------------------------------------------------------


def _require_process(by, process: Process) -> None:
    if by is None:
        return
    if process.agency_id is None:
        if not permissions.is_city_admin(by):
            raise NotAllowed()
    elif not permissions.can(by, "process.manage", process):
        raise NotAllowed()


def create_process(
    procedure: Procedure, *, by, agency: Agency | None = None, supplement_policy: str = SupplementPolicy.PAUSE
) -> Process:
    """A draft internal process for ``procedure`` at ``agency`` (None: the default process)."""
    if supplement_policy not in SupplementPolicy.values:
        raise InvalidInput(fields={"supplement_policy": _("Giá trị không hợp lệ.")})
    process = Process(procedure=procedure, agency=agency, supplement_policy=supplement_policy)
    _require_process(by, process)
    if procedure.status == Status.SUPERSEDED:
        raise Conflict(_("Phiên bản thủ tục này đã được thay thế."))
    with transaction.atomic():
        process.save()
        audit.record(
            "process.create",
            by=by,
            obj=process,
            changes={
                "procedure": procedure.code,
                "version": procedure.version,
                "agency": agency and agency.code,
            },
        )
    return process


def set_process_steps(process: Process, *, steps: Iterable[dict], by) -> list[ProcessStep]:
    """Replace a draft process's steps. Each: name, role (reception|specialist|leader),
    duration_hours (working hours, > 0)."""
    rows = []
    errors = {}
    for i, s in enumerate(steps):
        name = clean(s.get("name"))
        if not name:
            errors[f"steps.{i}.name"] = _("Cần tên bước.")
        if s.get("role") not in StepRole.values:
            errors[f"steps.{i}.role"] = _("Vai trò không hợp lệ.")
        try:
            hours = Decimal(str(s.get("duration_hours")))
        except InvalidOperation:
            hours = Decimal(0)
            errors[f"steps.{i}.duration_hours"] = _("Thời gian phải là số giờ.")
        else:
            if not hours.is_finite() or hours <= 0 or hours > 29200:
                errors[f"steps.{i}.duration_hours"] = _("Thời gian phải lớn hơn 0.")
                hours = Decimal(0)
        rows.append(ProcessStep(order=i + 1, name=name, role=s.get("role"), duration_hours=hours))
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        process = Process.objects.select_for_update().get(pk=process.pk)
        _require_process(by, process)
        if process.status != Status.DRAFT:
            raise Conflict(_("Quy trình đã công bố: không sửa được, hãy tạo quy trình mới."))
        process.steps.all().delete()
        for r in rows:
            r.process = process
        ProcessStep.objects.bulk_create(rows)
        audit.record(
            "process.set_steps",
            by=by,
            obj=process,
            changes={"steps": [[r.name, r.role, str(r.duration_hours)] for r in rows]},
        )
    return rows


def publish_process(process: Process, *, by) -> Process:
    """Publish a draft process; the same agency's (or the default) published process of the
    procedure version becomes superseded. Refused when its steps exceed the legal duration."""
    with transaction.atomic():
        process = (
            Process.objects.select_for_update(of=("self",))
            .select_related("procedure", "agency")
            .get(pk=process.pk)
        )
        _require_process(by, process)
        if process.status != Status.DRAFT:
            raise Conflict(_("Chỉ công bố được quy trình nháp."))
        if process.procedure.status == Status.SUPERSEDED:
            raise Conflict(_("Phiên bản thủ tục này đã được thay thế."))
        if not process.steps.exists():
            raise InvalidInput(fields={"steps": _("Quy trình cần ít nhất một bước.")})
        _check_process_fits(process, process.procedure)
        superseded = Process.objects.select_for_update(of=("self",)).filter(
            procedure=process.procedure, agency=process.agency, status=Status.PUBLISHED
        )
        superseded_ids = list(superseded.values_list("pk", flat=True))
        superseded.update(status=Status.SUPERSEDED)
        process.status = Status.PUBLISHED
        process.published_at = timezone.now()
        process.save(update_fields=["status", "published_at"])
        audit.record("process.publish", by=by, obj=process, changes={"superseded": superseded_ids})
    return process


def edit_process(process: Process, *, by, supplement_policy: str) -> Process:
    """Change a draft process's supplement policy (pause and add back, or restart the clock)."""
    if supplement_policy not in SupplementPolicy.values:
        raise InvalidInput(fields={"supplement_policy": _("Giá trị không hợp lệ.")})
    with transaction.atomic():
        process = Process.objects.select_for_update().get(pk=process.pk)
        _require_process(by, process)
        if process.status != Status.DRAFT:
            raise Conflict(_("Quy trình đã công bố: không sửa được, hãy tạo quy trình mới."))
        old = process.supplement_policy
        process.supplement_policy = supplement_policy
        process.save(update_fields=["supplement_policy"])
        audit.record(
            "process.edit", by=by, obj=process, changes={"supplement_policy": [old, supplement_policy]}
        )
    return process

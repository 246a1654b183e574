"""Every write of the kpi app: targets, report forms and submissions, publication of rankings.

Report forms implement the reporting system (chế độ báo cáo) of Decree 09/2019/NĐ-CP: forms with
typed fields, assignments with deadlines, submissions reviewed by the city. The published ranking
implements Decision 766/QĐ-TTg (results are published monthly and used to assess heads of units).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal, InvalidOperation

import filetype
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from thudo.core import audit, permissions
from thudo.core.calendars import calendar_for
from thudo.core.errors import Conflict, InvalidInput, NotAllowed
from thudo.core.spreadsheets import HEADER_ROW, restore
from thudo.kpi import compute, results, seed
from thudo.kpi.models import (
    RANKED_KINDS,
    FieldType,
    IndicatorSet,
    ReportAssignment,
    ReportEvidence,
    ReportForm,
    ReportSubmission,
    Snapshot,
    SubmissionStatus,
    Target,
    TargetStatus,
)

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
EVIDENCE_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _require(by, verb: str, obj=None) -> None:
    """``by=None`` is the system itself (demo loader, commands, tasks)."""
    if by is not None and not permissions.can(by, verb, obj):
        raise NotAllowed()


def load_sets(*, by=None) -> tuple[IndicatorSet, IndicatorSet]:
    """Create the Decision 766 index set, the task-results ranking (Plan 259) and Hanoi's
    digital-transformation targets (idempotent)."""
    with transaction.atomic():
        index, targets = seed.load()
        audit.record("kpi.load_sets", by=by, obj=index)
    return index, targets


# --- targets ------------------------------------------------------------------------------------


def report_target(target: Target, *, by, value: Decimal, as_of: dt.date, status: str, source: str) -> Target:
    """The owner reports a target's current value with its source (domain-rules §5)."""
    _require(by, "kpi.manage")
    if status not in TargetStatus.values:
        raise InvalidInput(_("Tình trạng không hợp lệ."), fields={"status": status})
    if not source.strip():
        raise InvalidInput(_("Cần ghi nguồn số liệu."), fields={"source": _("Bắt buộc.")})
    with transaction.atomic():
        t = Target.objects.select_for_update().get(pk=target.pk)
        old = {"value": t.current_value, "date": t.current_date, "status": t.status}
        t.current_value, t.current_date, t.status, t.source = value, as_of, status, source.strip()
        t.save()
        audit.record("kpi.report_target", by=by, obj=t, changes={"old": old, "value": value})
    return t


# --- report forms --------------------------------------------------------------------------------


def _check_fields(fields: list) -> list[dict]:
    if not isinstance(fields, list) or not fields:
        raise InvalidInput(_("Biểu mẫu cần ít nhất một chỉ tiêu."), fields={"fields": _("Bắt buộc.")})
    keys = set()
    out = []
    for i, f in enumerate(fields):
        key = str(f.get("key", "")).strip()
        if (
            not key
            or key in keys
            or f.get("type") not in FieldType.values
            or not str(f.get("label", "")).strip()
        ):
            raise InvalidInput(
                _("Chỉ tiêu thứ %(n)s không hợp lệ.") % {"n": i + 1}, fields={f"fields.{i}": key}
            )
        keys.add(key)
        out.append(
            {
                "key": key,
                "label": str(f["label"]).strip(),
                "type": f["type"],
                "unit": str(f.get("unit", "")),
                "required": bool(f.get("required", False)),
                "min": f.get("min"),
                "max": f.get("max"),
            }
        )
    return out


def create_form(*, by, code: str, name: str, fields: list) -> ReportForm:
    _require(by, "kpi.manage")
    with transaction.atomic():
        if ReportForm.objects.filter(code=code).exists():
            raise Conflict(_("Mã biểu đã tồn tại."), fields={"code": code})
        form = ReportForm.objects.create(code=code, name=name, fields=_check_fields(fields))
        audit.record("kpi.create_form", by=by, obj=form)
    return form


def assign(form: ReportForm, *, by, agencies, period: str, deadline: dt.date) -> list[ReportAssignment]:
    """Ask agencies to report ``form`` for ``period`` by ``deadline`` (existing ones are kept)."""
    _require(by, "kpi.manage")
    compute.parse_period(period)
    out = []
    with transaction.atomic():
        for agency in agencies:
            a, created = ReportAssignment.objects.get_or_create(
                form=form,
                agency=agency,
                period=period,
                defaults={"deadline": deadline, "assigned_by": by, "assigned_at": timezone.now()},
            )
            if created:
                audit.record("kpi.assign", by=by, obj=a, changes={"deadline": deadline})
            out.append(a)
    return out


def _parse(field: dict, raw) -> object:
    """One value of ``field``'s type, or InvalidInput with a Vietnamese message."""
    kind = field["type"]
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if field.get("required"):
            raise ValueError(_("bắt buộc nhập"))
        return None
    if kind == FieldType.TEXT:
        return str(raw).strip()
    if kind == FieldType.DATE:
        if isinstance(raw, dt.datetime):
            return raw.date().isoformat()
        if isinstance(raw, dt.date):
            return raw.isoformat()
        text = str(raw).strip()
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(text, fmt).date().isoformat()  # noqa: DTZ007 (a date, no time)
            except ValueError:
                continue
        raise ValueError(_("phải là ngày (dd/mm/yyyy)"))
    try:
        if isinstance(raw, float):
            raw = repr(raw)
        number = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(_("phải là số")) from exc
    if not number.is_finite():
        raise ValueError(_("phải là số"))
    if kind == FieldType.INT:
        if number != number.to_integral_value():
            raise ValueError(_("phải là số nguyên"))
        number = Decimal(int(number))
    if kind == FieldType.PERCENT and not (0 <= number <= 100):
        raise ValueError(_("phải từ 0 đến 100"))
    if field.get("min") is not None and number < Decimal(str(field["min"])):
        raise ValueError(_("không được nhỏ hơn %(v)s") % {"v": field["min"]})
    if field.get("max") is not None and number > Decimal(str(field["max"])):
        raise ValueError(_("không được lớn hơn %(v)s") % {"v": field["max"]})
    return int(number) if kind == FieldType.INT else str(number)


def validate_values(form: ReportForm, values: dict) -> dict:
    """Every field of the form checked; all errors at once (``fields`` keyed by field key)."""
    values = values or {}
    errors, out = {}, {}
    unknown = set(values) - {f["key"] for f in form.fields}
    for key in unknown:
        errors[key] = _("Chỉ tiêu không có trong biểu mẫu.")
    for field in form.fields:
        try:
            out[field["key"]] = _parse(field, values.get(field["key"]))
        except ValueError as exc:
            errors[field["key"]] = f"{field['label']}: {exc}"
    if errors:
        raise InvalidInput(_("Số liệu báo cáo chưa hợp lệ."), fields=errors)
    return out


def deadline_moment(assignment: ReportAssignment) -> dt.datetime:
    """The end of the deadline day; a deadline on a day off moves to the next working day (the
    agency's working calendar, domain-rules §2)."""
    cal = calendar_for(assignment.agency)
    day = assignment.deadline
    while not cal.is_working_day(day):
        day += dt.timedelta(days=1)
    tz = timezone.get_default_timezone()
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)


def is_late(assignment: ReportAssignment, at: dt.datetime) -> bool:
    return at >= deadline_moment(assignment)


def _check_evidence(upload) -> tuple[bytes, str]:
    data = upload.read()
    name = getattr(upload, "name", "minh-chung")
    if not data:
        raise InvalidInput(_("Tệp rỗng."), fields={"evidence": name})
    if len(data) > MAX_EVIDENCE_BYTES:
        raise InvalidInput(_("Tệp quá 20 MB."), fields={"evidence": name})
    kind = filetype.guess(data)
    if kind is None or kind.mime not in EVIDENCE_TYPES:
        raise InvalidInput(_("Chỉ nhận minh chứng PDF, JPEG, PNG, DOCX, XLSX."), fields={"evidence": name})
    return data, kind.mime


def _submission_for_update(assignment: ReportAssignment) -> ReportSubmission:
    sub, _created = ReportSubmission.objects.get_or_create(assignment=assignment)
    return ReportSubmission.objects.select_for_update().get(pk=sub.pk)


def submit(
    assignment: ReportAssignment,
    *,
    by,
    values: dict,
    files=(),
    final: bool = True,
    now: dt.datetime | None = None,
) -> ReportSubmission:
    """Save (``final=False``: a draft) or submit the agency's report. A submitted report can be
    changed only after the reviewer returns it; an accepted one never."""
    _require(by, "kpi.report", assignment)
    clean = validate_values(assignment.form, values) if final else _draft_values(assignment.form, values)
    checked = [(_check_evidence(f), getattr(f, "name", "minh-chung")) for f in files]
    at = now or timezone.now()
    with transaction.atomic():
        sub = _submission_for_update(assignment)
        if sub.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED):
            raise Conflict(_("Báo cáo đã nộp; chỉ sửa được khi bị trả lại."))
        sub.values = clean
        if final:
            sub.status = SubmissionStatus.SUBMITTED
            sub.submitted_at = at
            sub.submitted_by = by
            sub.late = is_late(assignment, at)
        sub.save()
        for (data, mime), name in checked:
            ev = ReportEvidence(
                submission=sub, original_name=name[:255], content_type=mime, size=len(data), uploaded_at=at
            )
            ev.file.save(name, ContentFile(data), save=False)
            ev.save()
        audit.record("kpi.submit" if final else "kpi.save_draft", by=by, obj=sub, changes={"late": sub.late})
    return sub


def _draft_values(form: ReportForm, values: dict) -> dict:
    keys = {f["key"] for f in form.fields}
    return {k: v for k, v in (values or {}).items() if k in keys}


def _review(sub: ReportSubmission, *, by, status: str, comment: str, verb: str) -> ReportSubmission:
    _require(by, "kpi.manage")
    with transaction.atomic():
        s = ReportSubmission.objects.select_for_update().get(pk=sub.pk)
        if s.status != SubmissionStatus.SUBMITTED:
            raise Conflict(_("Chỉ xem xét được báo cáo đang ở trạng thái đã nộp."))
        s.status, s.reviewer, s.reviewed_at, s.review_comment = status, by, timezone.now(), comment
        s.save()
        audit.record(verb, by=by, obj=s, changes={"comment": comment})
    return s


def accept(sub: ReportSubmission, *, by, comment: str = "") -> ReportSubmission:
    return _review(sub, by=by, status=SubmissionStatus.ACCEPTED, comment=comment, verb="kpi.accept")


def return_with_comment(sub: ReportSubmission, *, by, comment: str) -> ReportSubmission:
    if not (comment or "").strip():
        raise InvalidInput(_("Cần ghi ý kiến khi trả lại báo cáo."), fields={"comment": _("Bắt buộc.")})
    return _review(sub, by=by, status=SubmissionStatus.RETURNED, comment=comment.strip(), verb="kpi.return")


def import_submissions(form: ReportForm, *, by, data: bytes, period: str, now=None) -> int:
    """Import a filled workbook (the layout of :func:`thudo.kpi.exports.submissions_workbook`).

    Every cell is checked first; any error refuses the whole file (nothing is saved) and the
    errors name the row and column in Vietnamese. Returns the number of reports submitted."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    _require(by, "kpi.manage")
    try:
        ws = load_workbook(io.BytesIO(data), data_only=True).active
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InvalidInput(_("Không đọc được tệp Excel (.xlsx)."), fields={"file": str(exc)[:200]}) from exc
    errors: dict[str, str] = {}
    parsed: list[tuple[ReportAssignment, dict]] = []
    first_field_col = 3
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        cells = [restore(c.value) for c in row]
        if not any(v not in (None, "") for v in cells):
            continue
        r = row[0].row
        code = str(cells[0] or "").strip()
        assignment = ReportAssignment.objects.filter(form=form, period=period, agency__code=code).first()
        if assignment is None:
            errors[f"A{r}"] = _("Dòng %(r)s, cột A: cơ quan %(c)s không được giao báo cáo kỳ %(p)s.") % {
                "r": r,
                "c": code or "?",
                "p": period,
            }
            continue
        values = {}
        for i, field in enumerate(form.fields):
            col = first_field_col + i
            raw = cells[col - 1] if col - 1 < len(cells) else None
            try:
                values[field["key"]] = _parse(field, raw)
            except ValueError as exc:
                letter = get_column_letter(col)
                errors[f"{letter}{r}"] = _("Dòng %(r)s, cột %(c)s (%(l)s): %(e)s") % {
                    "r": r,
                    "c": letter,
                    "l": field["label"],
                    "e": exc,
                }
        parsed.append((assignment, values))
    if errors:
        raise InvalidInput(_("Tệp có %(n)s ô không hợp lệ; chưa lưu gì.") % {"n": len(errors)}, fields=errors)
    at = now or timezone.now()
    with transaction.atomic():
        for assignment, values in parsed:
            sub = _submission_for_update(assignment)
            if sub.status == SubmissionStatus.ACCEPTED:
                raise Conflict(
                    _("Báo cáo của %(a)s đã được chấp nhận; không nhập đè.") % {"a": assignment.agency}
                )
            sub.values, sub.status, sub.submitted_at, sub.submitted_by = (
                values,
                SubmissionStatus.SUBMITTED,
                at,
                by,
            )
            sub.late = is_late(assignment, at)
            sub.save()
        audit.record("kpi.import", by=by, obj=form, changes={"period": period, "rows": len(parsed)})
    return len(parsed)


# --- publication ----------------------------------------------------------------------------------


def snapshot_data(index: IndicatorSet, months: list[dt.date]) -> dict:
    ranking = results.ranking(index, months)
    city = results.city_score(index, months)
    shown = results.shown_facts(index)
    return {
        "period": compute.period_label(months),
        "set": {
            "code": index.code,
            "name": index.name,
            "kind": index.kind,
            "source": index.source,
            "bands": index.bands,
        },
        **({"facts": shown} if shown else {}),
        "groups": [{"code": g["code"], "name": g["name"], "max": float(g["max"])} for g in city["groups"]],
        "city": {
            "groups": {g["code"]: results._num(g["points"]) for g in city["groups"]},
            "earned": float(city["earned"]),
            "available": float(city["available"]),
            "score": results._num(city["score"]),
            "class": city["class"],
        },
        "departments": ranking["departments"],
        "communes": ranking["communes"],
    }


def publish(
    period: str,
    *,
    by,
    reason: str = "",
    set: IndicatorSet | None = None,
    now: dt.datetime | None = None,
) -> Snapshot:
    """Freeze the ranking of one set for one month as an immutable snapshot: ``set`` (a ranked
    set: the task results of Plan 259/KH-UBND), by default the Decision 766 index valid that month.
    Publishing the same set and month again creates version + 1 and needs a reason (Decision
    766/QĐ-TTg: results are published); each set has its own versions."""
    _require(by, "kpi.publish")
    months = compute.parse_period(period)
    if len(months) != 1:
        raise InvalidInput(_("Chỉ công bố theo từng tháng."), fields={"period": period})
    month = months[0]
    if month >= compute.this_month(now):
        raise InvalidInput(_("Chỉ công bố tháng đã kết thúc."), fields={"period": period})
    index = seed.current_index(month) if set is None else set
    if index.kind not in RANKED_KINDS:
        raise InvalidInput(_("Bộ chỉ số này không dùng để xếp hạng."), fields={"set": index.code})
    if set is not None and (
        index.valid_from.replace(day=1) > month or (index.valid_to is not None and index.valid_to < month)
    ):
        raise InvalidInput(
            _("Bộ chỉ số %(s)s không áp dụng cho kỳ %(p)s.") % {"s": index.code, "p": period},
            fields={"set": index.code},
        )
    if not compute.rolled_up(months):
        compute.rollup(month, now=now)
    reason = (reason or "").strip()
    with transaction.atomic():
        IndicatorSet.objects.select_for_update().get(pk=index.pk)  # one publisher per set at a time
        last = Snapshot.objects.filter(set=index, period=period).aggregate(v=Max("version"))["v"] or 0
        if last and not reason:
            raise InvalidInput(
                _("Tháng này đã công bố; công bố lại cần nêu lý do."), fields={"reason": _("Bắt buộc.")}
            )
        try:
            snap = Snapshot.objects.create(
                period=period,
                version=last + 1,
                reason=reason,
                set=index,
                created_at=now or timezone.now(),
                created_by=by,
                data=snapshot_data(index, months),
            )
        except IntegrityError as exc:
            raise Conflict(_("Có người vừa công bố kỳ này; hãy thử lại.")) from exc
        audit.record(
            "kpi.publish",
            by=by,
            obj=snap,
            changes={"set": index.code, "version": snap.version, "reason": reason},
        )
    return snap

"""Every write of the feedback app: one function per verb of :data:`transitions.MOVES`.

Each action: ``transaction.atomic()``, a row lock on the report (two officers at once: one wins,
the other gets :class:`Conflict`), :func:`transitions.check` (state, permission, condition), the
input checks (all of them before anything is written: nothing is half-saved), the change, a
history row (:class:`ReportEvent`), ``audit.record``, and the typed events: what to tell a person
(:class:`FeedbackNotified`) and :class:`FeedbackFactsChanged` for the KPI of the agencies
concerned. Every action accepts ``now=`` so that demo data and tests act at explicit moments.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thudo.core import audit, permissions
from thudo.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from thudo.core.events import Notice, publish
from thudo.core.models import AdministrativeUnit, Agency, Role, UnitLevel
from thudo.feedback import clocks, photos, routing, transitions
from thudo.feedback.events import FeedbackFactsChanged, FeedbackNotified
from thudo.feedback.models import (
    Category,
    Channel,
    Follower,
    Level,
    Photo,
    PhotoKind,
    Rating,
    RefusalReason,
    Report,
    ReportEvent,
    Status,
)

MAX_DESCRIPTION = 5000
MIN_DESCRIPTION = 10

DIVERT_NOTICE = gettext_lazy(
    "Nội dung của bạn là khiếu nại hoặc tố cáo, không phải phản ánh, kiến nghị nên không được xử lý "
    "trên hệ thống này (Quyết định 1207/QĐ-UBND). Khiếu nại được giải quyết theo Luật Khiếu nại 2011, "
    "tố cáo theo Luật Tố cáo 2018: xin gửi đơn trực tiếp hoặc qua bưu điện đến Ban Tiếp công dân của "
    "Ủy ban nhân dân phường, xã nơi xảy ra sự việc hoặc Ban Tiếp công dân thành phố."
)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _label(by: Any) -> str:
    if by is None or not getattr(by, "is_authenticated", False):
        return ""
    return str(by)


def _lock(report: Report) -> Report:
    try:
        return Report.objects.select_for_update().select_related("category").get(pk=report.pk)
    except Report.DoesNotExist:
        raise NotFound(_("Không tìm thấy phản ánh.")) from None


def _record(
    report: Report,
    *,
    by: Any,
    verb: str,
    from_status: str,
    now: datetime,
    note: str = "",
    from_unit: Agency | None = None,
    to_unit: Agency | None = None,
    public: bool = True,
    tell_reporter: str = "",
) -> ReportEvent:
    event = ReportEvent.objects.create(
        report=report,
        at=now,
        actor=by if getattr(by, "is_authenticated", False) else None,
        actor_label=_label(by),
        verb=verb,
        from_status=from_status,
        to_status=report.status,
        from_unit=from_unit,
        to_unit=to_unit,
        note=note,
        public=public,
    )
    audit.record(f"feedback.{verb}", by=by, obj=report, changes={"status": [from_status, report.status]})
    for agency_id in {report.receiving_agency_id, report.unit_id, getattr(from_unit, "pk", None)} - {None}:
        publish(FeedbackFactsChanged(agency_id=agency_id, at=now, report_id=report.pk, verb=verb))
    if tell_reporter:
        _tell_reporter(report, verb=verb, body=tell_reporter, key=f"feedback:{report.pk}:{verb}:{event.pk}")
    return event


def _tell_reporter(report: Report, *, verb: str, body: str, key: str) -> None:
    subject = _("Phản ánh %(code)s: %(status)s") % {
        "code": report.code,
        "status": report.get_status_display(),
    }
    targets: list[tuple[Any, str]] = []
    if report.reporter_id is not None or report.reporter_phone:
        targets.append((report.reporter, report.reporter_phone))
    for f in Follower.objects.filter(report=report).select_related("user"):
        targets.append((f.user, f.phone))
    seen: set[Any] = set()
    for n, (user, phone) in enumerate(targets):
        who = getattr(user, "pk", None) or phone
        if who in seen:
            continue
        seen.add(who)
        publish(
            FeedbackNotified(
                code=report.code,
                notice=Notice(
                    topic=f"feedback.{verb}",
                    subject=subject,
                    body=body,
                    key=f"{key}:{n}",
                    user=user,
                    phone="" if user is not None else phone,
                    url=f"/phan-anh/cua-toi/{report.code}/",
                    obj=report,
                ),
            )
        )


# --- submission ------------------------------------------------------------------------------


def _decimal(raw: Any, name: str, low: int, high: int, errors: dict[str, str]) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        errors[name] = _("Tọa độ không hợp lệ.")
        return None
    if not value.is_finite() or not low <= value <= high:
        errors[name] = _("Tọa độ không hợp lệ.")
        return None
    return value.quantize(Decimal("0.000001"))


def check_photos(files: Sequence[tuple[str, bytes]], *, field: str = "photos") -> list[photos.CleanPhoto]:
    """Every photo checked and cleaned (before anything is written); the total within the limit."""
    if len(files) > photos.MAX_PHOTOS:
        msg = _("Tối đa %(n)s ảnh.") % {"n": photos.MAX_PHOTOS}
        raise InvalidInput(msg, fields={field: msg})
    if sum(len(data) for _name, data in files) > photos.max_bytes():
        msg = _("Tổng dung lượng ảnh vượt quá %(mb)s MB.") % {"mb": photos.max_bytes() // (1024 * 1024)}
        raise InvalidInput(msg, fields={field: msg})
    return [photos.clean(data, name, field=field) for name, data in files]


def _store_photos(report: Report, clean: Sequence[photos.CleanPhoto], kind: str, now: datetime) -> None:
    for p in clean:
        row = Photo(
            report=report,
            kind=kind,
            width=p.width,
            height=p.height,
            size=p.size,
            sha256=p.sha256,
            uploaded_at=now,
        )
        row.file.save(p.name, ContentFile(p.data, name=p.name), save=False)
        try:
            row.save()
        except BaseException:
            row.file.delete(save=False)
            raise


def submit(
    *,
    by: Any,
    category: str | int | None,
    description: str,
    address: str,
    commune: str | int | None,
    latitude: Any = None,
    longitude: Any = None,
    title: str = "",
    level: str = Level.NORMAL,
    hide_identity: bool = True,
    channel: str = Channel.WEB,
    reporter_name: str = "",
    reporter_phone: str = "",
    photo_files: Sequence[tuple[str, bytes]] = (),
    now: datetime | None = None,
) -> Report:
    """A new report, from a citizen (web, app) or entered by a hotline operator for a caller.

    Category and location (commune and address) are required; coordinates are optional but must
    be valid. The acceptance clock starts at submission: due 8 working hours later."""
    at = _now(now)
    errors: dict[str, str] = {}
    cat = None
    if category in (None, ""):
        errors["category"] = _("Chọn lĩnh vực phản ánh.")
    else:
        lookup = {"pk": category} if str(category).isdigit() else {"code": str(category)}
        cat = Category.objects.filter(is_active=True, **lookup).first()
        if cat is None:
            errors["category"] = _("Lĩnh vực không tồn tại.")
    description = (description or "").strip()
    if len(description) < MIN_DESCRIPTION:
        errors["description"] = _("Mô tả sự việc (ít nhất %(n)s ký tự).") % {"n": MIN_DESCRIPTION}
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = _("Nội dung dài quá %(n)s ký tự.") % {"n": MAX_DESCRIPTION}
    address = " ".join((address or "").split())[:300]
    if not address:
        errors["address"] = _("Nhập địa chỉ nơi xảy ra sự việc.")
    lat = _decimal(latitude, "latitude", -90, 90, errors)
    lon = _decimal(longitude, "longitude", -180, 180, errors)
    if (lat is None) != (lon is None) and "latitude" not in errors and "longitude" not in errors:
        errors["latitude"] = _("Cần cả vĩ độ và kinh độ.")
    unit = None
    if commune in (None, ""):
        errors["commune"] = _("Chọn phường/xã nơi xảy ra sự việc.")
    else:
        communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
        # An int is the row's id (pages); text is the unit's GSO code (API, Open311).
        unit = (
            communes.filter(pk=commune).first()
            if isinstance(commune, int)
            else communes.filter(code=str(commune).strip()[:10]).first()
        )
        if unit is None:
            errors["commune"] = _("Phường/xã không tồn tại.")
    receiver = routing.receiving_agency(unit.pk) if unit is not None else None
    if unit is not None and receiver is None:
        errors["commune"] = _("Phường/xã này chưa có cơ quan tiếp nhận phản ánh trên hệ thống.")
    if level not in Level.values:
        errors["level"] = _("Mức độ không hợp lệ.")
    if channel not in Channel.values:
        errors["channel"] = _("Kênh không hợp lệ.")
    signed_in = by is not None and getattr(by, "is_authenticated", False)
    operator = channel == Channel.HOTLINE
    if operator and not (signed_in and permissions.can(by, "feedback.triage")):
        raise NotAllowed(_("Chỉ cán bộ tổng đài được nhập phản ánh qua đường dây nóng."))
    reporter_phone = "".join(c for c in (reporter_phone or "") if c.isdigit() or c == "+")[:20]
    if (operator or not signed_in) and not reporter_phone:
        errors["reporter_phone"] = _("Nhập số điện thoại của người phản ánh.")
    if errors:
        raise InvalidInput(next(iter(errors.values())), fields=errors)
    clean = check_photos(photo_files)
    assert cat is not None
    assert unit is not None
    assert receiver is not None
    title = " ".join((title or "").split())[:200] or description.split("\n", 1)[0][:80]
    with transaction.atomic():
        report = Report(
            code=f"PA-{at:%y}-{secrets.token_hex(4).upper()}",
            category=cat,
            title=title,
            description=description,
            latitude=lat,
            longitude=lon,
            address=address,
            commune=unit,
            receiving_agency=receiver,
            level=level,
            level_claimed=level,
            channel=channel,
            reporter=None if operator else by if signed_in else None,
            reporter_name=(reporter_name or ("" if operator or not signed_in else by.full_name or ""))[:200],
            reporter_phone=reporter_phone or ("" if operator or not signed_in else (by.phone or "")),
            hide_identity=bool(hide_identity),
            entered_by=by if operator else None,
            submitted_at=at,
            accept_due=clocks.accept_due(receiver.pk, at),
            updated_at=at,
        )
        try:
            report.save()
        except IntegrityError:  # pragma: no cover - code collision (1 in 4 billion)
            raise Conflict() from None
        _store_photos(report, clean, PhotoKind.BEFORE, at)
        _record(
            report,
            by=by,
            verb="submit",
            from_status="",
            now=at,
            tell_reporter=_(
                "Phản ánh đã được gửi. Cơ quan tiếp nhận sẽ trả lời việc tiếp nhận trước %(due)s."
            )
            % {"due": timezone.localtime(report.accept_due).strftime("%H:%M %d/%m/%Y")},
        )
    return report


# --- triage ----------------------------------------------------------------------------------


def _unit(raw: Any, field: str = "unit") -> Agency:
    if isinstance(raw, Agency):
        return raw
    unit = (
        Agency.objects.filter(
            is_active=True, **({"pk": raw} if str(raw).isdigit() else {"code": str(raw)})
        ).first()
        if raw not in (None, "")
        else None
    )
    if unit is None:
        raise InvalidInput(_("Chọn đơn vị xử lý."), fields={field: _("Chọn đơn vị xử lý.")})
    return unit


def accept(
    report: Report,
    *,
    by: Any,
    level: str | None = None,
    unit: Any = None,
    note: str = "",
    now: datetime | None = None,
) -> Report:
    """Tiếp nhận: the triage officer confirms or changes the level; the handling clock starts. The
    report goes at once to the unit given, or to the unit of the routing table when one matches."""
    at = _now(now)
    if level is not None and level not in Level.values:
        raise InvalidInput(_("Mức độ không hợp lệ."), fields={"level": _("Mức độ không hợp lệ.")})
    target = _unit(unit) if unit not in (None, "") else None
    with transaction.atomic():
        report = _lock(report)
        transitions.check(by, "accept", report)
        before = report.status
        if level and level != report.level:
            note = (note + " " if note else "") + _("Mức độ: %(a)s → %(b)s.") % {
                "a": Level(report.level).label,
                "b": Level(level).label,
            }
            report.level = level
        report.status = Status.ACCEPTED
        report.accepted_at = at
        report.handle_due = clocks.handle_due(report.receiving_agency_id, report.level, at)
        report.updated_at = at
        report.save()
        _record(
            report,
            by=by,
            verb="accept",
            from_status=before,
            now=at,
            note=note.strip(),
            tell_reporter=_("Phản ánh đã được tiếp nhận, hạn xử lý %(due)s.")
            % {"due": timezone.localtime(report.handle_due).strftime("%H:%M %d/%m/%Y")},
        )
        target = target or routing.route(report.category_id, report.commune_id)
        if target is not None:
            _assign(report, by=by, unit=target, now=at)
    return report


def _assign(report: Report, *, by: Any, unit: Agency, now: datetime) -> None:
    before = report.status
    report.unit = unit
    report.status = Status.ASSIGNED
    report.updated_at = now
    report.save()
    _record(report, by=by, verb="assign", from_status=before, now=now, to_unit=unit)


def assign(report: Report, *, by: Any, unit: Any = None, now: datetime | None = None) -> Report:
    """Giao đơn vị xử lý: the unit given, or the routing table's."""
    at = _now(now)
    with transaction.atomic():
        report = _lock(report)
        transitions.check(by, "assign", report)
        target = (
            _unit(unit) if unit not in (None, "") else routing.route(report.category_id, report.commune_id)
        )
        if target is None:
            raise InvalidInput(
                _("Không có quy tắc chuyển xử lý cho lĩnh vực và phường/xã này: chọn đơn vị."),
                fields={"unit": _("Chọn đơn vị xử lý.")},
            )
        _assign(report, by=by, unit=target, now=at)
    return report


def refuse(
    report: Report,
    *,
    by: Any,
    reason: str,
    note: str = "",
    duplicate_of: Any = None,
    now: datetime | None = None,
) -> Report:
    """Không tiếp nhận, with a typed reason. A duplicate is merged (:func:`merge`); a complaint or
    denunciation is diverted: the reporter is told where to file it."""
    if reason == RefusalReason.DUPLICATE:
        return merge(report, by=by, original=duplicate_of, note=note, now=now)
    if reason not in RefusalReason.values:
        raise InvalidInput(
            _("Chọn lý do không tiếp nhận."), fields={"reason": _("Chọn lý do không tiếp nhận.")}
        )
    note = (note or "").strip()
    if reason != RefusalReason.COMPLAINT and not note:
        raise InvalidInput(
            _("Ghi rõ lý do cho người phản ánh."), fields={"note": _("Ghi rõ lý do cho người phản ánh.")}
        )
    at = _now(now)
    with transaction.atomic():
        report = _lock(report)
        transitions.check(by, "refuse", report)
        before = report.status
        report.status = Status.REFUSED
        report.refusal_reason = reason
        report.refusal_note = (
            note if reason != RefusalReason.COMPLAINT else (note + "\n\n" + str(DIVERT_NOTICE)).strip()
        )
        report.closed_at = at
        report.updated_at = at
        report.save()
        _record(
            report,
            by=by,
            verb="refuse",
            from_status=before,
            now=at,
            note=f"{RefusalReason(reason).label}. {report.refusal_note}".strip(),
            tell_reporter=_("Phản ánh không được tiếp nhận: %(reason)s. %(note)s")
            % {"reason": RefusalReason(reason).label, "note": report.refusal_note},
        )
    return report


def merge(report: Report, *, by: Any, original: Any, note: str = "", now: datetime | None = None) -> Report:
    """Gộp phản ánh trùng: the report is closed as a duplicate of ``original``, whose followers
    gain this report's reporter (they hear about the original's answer)."""
    at = _now(now)
    if original in (None, ""):
        raise InvalidInput(_("Nhập mã phản ánh gốc."), fields={"duplicate_of": _("Nhập mã phản ánh gốc.")})
    with transaction.atomic():
        report = _lock(report)
        transitions.check(by, "merge", report)
        target = (
            original
            if isinstance(original, Report)
            else Report.objects.filter(code=str(original).strip().upper()).first()
        )
        if target is None or target.pk == report.pk:
            raise InvalidInput(
                _("Phản ánh gốc không hợp lệ."), fields={"duplicate_of": _("Phản ánh gốc không hợp lệ.")}
            )
        if target.status == Status.REFUSED:
            raise InvalidInput(
                _("Phản ánh gốc đã bị từ chối, không thể gộp vào."),
                fields={"duplicate_of": _("Phản ánh gốc đã bị từ chối.")},
            )
        before = report.status
        report.status = Status.REFUSED
        report.refusal_reason = RefusalReason.DUPLICATE
        report.refusal_note = (note or "").strip()
        report.duplicate_of = target
        report.closed_at = at
        report.updated_at = at
        report.save()
        follows = report.reporter_id is not None or bool(report.reporter_phone)
        if follows and not (
            report.reporter_id is not None
            and Follower.objects.filter(report=target, user_id=report.reporter_id).exists()
        ):
            Follower.objects.create(
                report=target,
                user_id=report.reporter_id,
                phone="" if report.reporter_id else report.reporter_phone,
                merged_from=report,
                created_at=at,
            )
        _record(
            report,
            by=by,
            verb="merge",
            from_status=before,
            now=at,
            note=_("Trùng với phản ánh %(code)s.") % {"code": target.code},
            tell_reporter=_(
                "Phản ánh trùng với phản ánh %(code)s đang được xử lý; "
                "bạn sẽ nhận được trả lời của phản ánh đó."
            )
            % {"code": target.code},
        )
        ReportEvent.objects.create(
            report=target,
            at=at,
            actor=by if getattr(by, "is_authenticated", False) else None,
            actor_label=_label(by),
            verb="follower",
            from_status=target.status,
            to_status=target.status,
            note=_("Gộp phản ánh trùng %(code)s.") % {"code": report.code},
        )
    return report


# --- handling --------------------------------------------------------------------------------


def start(report: Report, *, by: Any, now: datetime | None = None) -> Report:
    at = _now(now)
    with transaction.atomic():
        report = _lock(report)
        transitions.check(by, "start", report)
        before = report.status
        report.status = Status.IN_PROGRESS
        report.updated_at = at
        report.save()
        _record(report, by=by, verb="start", from_status=before, now=at)
    return report


def transfer(report: Report, *, by: Any, unit: Any, reason: str, now: datetime | None = None) -> Report:
    """Chuyển đơn vị xử lý, with the reason; the handling clock keeps running (clocks.TRANSFER_RULE)."""
    at = _now(now)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Ghi lý do chuyển."), fields={"reason": _("Ghi lý do chuyển.")})
    target = _unit(unit)
    with transaction.atomic():
        report = _lock(report)
        transitions.check(by, "transfer", report)
        if target.pk == report.unit_id:
            raise InvalidInput(
                _("Đơn vị nhận trùng với đơn vị đang xử lý."), fields={"unit": _("Chọn đơn vị khác.")}
            )
        before, source = report.status, report.unit
        report.unit = target
        report.status = Status.ASSIGNED
        report.updated_at = at
        report.save()
        _record(
            report,
            by=by,
            verb="transfer",
            from_status=before,
            now=at,
            note=reason,
            from_unit=source,
            to_unit=target,
        )
    return report


def handle(
    report: Report,
    *,
    by: Any,
    answer: str,
    photo_files: Sequence[tuple[str, bytes]] = (),
    now: datetime | None = None,
) -> Report:
    """Trả lời kết quả xử lý, with after-photos. The answer is published by :func:`publish`."""
    at = _now(now)
    answer = (answer or "").strip()
    if len(answer) < MIN_DESCRIPTION:
        raise InvalidInput(_("Nhập nội dung trả lời."), fields={"answer": _("Nhập nội dung trả lời.")})
    clean = check_photos(photo_files)
    with transaction.atomic():
        report = _lock(report)
        transitions.check(by, "handle", report)
        before = report.status
        report.status = Status.HANDLED
        report.answer = answer[: MAX_DESCRIPTION * 2]
        report.handled_at = at
        report.updated_at = at
        report.save()
        _store_photos(report, clean, PhotoKind.AFTER, at)
        _record(report, by=by, verb="handle", from_status=before, now=at, public=False)
    return report


def publish_answer(report: Report, *, by: Any, now: datetime | None = None) -> Report:
    at = _now(now)
    with transaction.atomic():
        report = _lock(report)
        transitions.check(by, "publish", report)
        before = report.status
        report.status = Status.PUBLISHED
        report.published_at = at
        report.updated_at = at
        report.save()
        _record(
            report,
            by=by,
            verb="publish",
            from_status=before,
            now=at,
            tell_reporter=_("Đã có trả lời cho phản ánh của bạn. Xin mời xem và đánh giá."),
        )
    return report


def rate(
    report: Report, *, by: Any, satisfied: bool, comment: str = "", now: datetime | None = None
) -> Report:
    """The reporter rates the answer, once. Satisfied closes the report; not satisfied leaves it
    for a reopen (when the category allows) or for the officials to close."""
    at = _now(now)
    with transaction.atomic():
        report = _lock(report)
        if Rating.objects.filter(report=report, round=report.reopen_count).exists():
            raise Conflict(_("Bạn đã đánh giá trả lời này."), code="already_rated")
        transitions.check(by, "rate", report)
        before = report.status
        Rating.objects.create(
            report=report,
            round=report.reopen_count,
            satisfied=bool(satisfied),
            comment=(comment or "").strip()[:2000],
            at=at,
            unit_id=report.unit_id,
        )
        report.status = Status.RATED
        report.updated_at = at
        report.save()
        _record(
            report,
            by=by,
            verb="rate",
            from_status=before,
            now=at,
            note=_("Hài lòng") if satisfied else _("Chưa hài lòng"),
        )
        if satisfied:
            _close(report, by=by, now=at)
    return report


def reopen(report: Report, *, by: Any, note: str = "", now: datetime | None = None) -> Report:
    """Yêu cầu xử lý lại (not satisfied, and the category allows it): back to the unit with a new
    handling term from now; counted in the unit's KPI (``feedback.reopened``)."""
    at = _now(now)
    with transaction.atomic():
        report = _lock(report)
        transitions.check(by, "reopen", report)
        before = report.status
        report.status = Status.IN_PROGRESS
        report.reopen_count += 1
        report.handled_at = None
        report.published_at = None
        report.handle_due = clocks.handle_due(report.receiving_agency_id, report.level, at)
        report.updated_at = at
        report.save()
        _record(report, by=by, verb="reopen", from_status=before, now=at, note=(note or "").strip())
    return report


def _close(report: Report, *, by: Any, now: datetime, note: str = "") -> None:
    before = report.status
    report.status = Status.CLOSED
    report.closed_at = now
    report.updated_at = now
    report.save()
    _record(report, by=by, verb="close", from_status=before, now=now, note=note)


def close(report: Report, *, by: Any, note: str = "", now: datetime | None = None) -> Report:
    at = _now(now)
    with transaction.atomic():
        report = _lock(report)
        transitions.check(by, "close", report)
        _close(report, by=by, now=at, note=(note or "").strip())
    return report


# --- reminders -------------------------------------------------------------------------------


def send_reminders(*, now: datetime | None = None) -> int:
    """Tell the officials before each deadline: the receiving agency's reception officers before
    the acceptance deadline, the unit's specialists before the handling deadline. Once per
    deadline (``accept_reminded_at``/``handle_reminded_at``). Returns the number of reminders."""
    at = _now(now)
    sent = 0
    pending = Report.objects.filter(
        status=Status.SUBMITTED, accept_reminded_at__isnull=True, accept_due__gt=at
    )
    for report in pending.only("pk", "code", "receiving_agency_id", "accept_due", "title"):
        if clocks.due_soon(report.receiving_agency_id, report.accept_due, at):
            sent += _remind(
                report, Role.RECEPTION, report.receiving_agency_id, report.accept_due, "accept", at
            )
            Report.objects.filter(pk=report.pk).update(accept_reminded_at=at)
    handling = Report.objects.filter(
        status__in=(Status.ASSIGNED, Status.IN_PROGRESS), handle_reminded_at__isnull=True, handle_due__gt=at
    )
    for report in handling.only("pk", "code", "unit_id", "handle_due", "receiving_agency_id", "title"):
        if (
            report.unit_id
            and report.handle_due
            and clocks.due_soon(report.receiving_agency_id, report.handle_due, at)
        ):
            sent += _remind(report, Role.SPECIALIST, report.unit_id, report.handle_due, "handle", at)
            Report.objects.filter(pk=report.pk).update(handle_reminded_at=at)
    return sent


def _remind(report: Report, role: str, agency_id: int, due: datetime, kind: str, now: datetime) -> int:
    what = _("tiếp nhận") if kind == "accept" else _("xử lý")
    n = 0
    with transaction.atomic():
        for person in permissions.role_holders(role, [agency_id]):
            publish(
                FeedbackNotified(
                    code=report.code,
                    notice=Notice(
                        topic="feedback.reminder",
                        subject=_("Sắp đến hạn %(what)s phản ánh %(code)s")
                        % {"what": what, "code": report.code},
                        body=_("Hạn %(what)s: %(due)s. %(title)s")
                        % {
                            "what": what,
                            "due": timezone.localtime(due).strftime("%H:%M %d/%m/%Y"),
                            "title": report.title,
                        },
                        key=f"feedback:{report.pk}:remind:{kind}:{due.isoformat()}:{person.pk}",
                        user=person,
                        url=f"/can-bo/phan-anh/{report.code}/",
                        obj=report,
                    ),
                )
            )
            n += 1
    return n

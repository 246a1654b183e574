"""Every write to foundation data: units, agencies, people and roles, calendar, tokens.

Each function is keyword-only after its subject, names the acting person (``by``), runs in one
transaction and leaves an audit record.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thudo.core import audit, calendars, permissions, refdata
from thudo.core.config import config
from thudo.core.errors import InvalidInput, NotAllowed
from thudo.core.middleware import hash_token
from thudo.core.models import (
    AdministrativeUnit,
    Agency,
    AgencyKind,
    ApiToken,
    CalendarOverride,
    Role,
    RoleGrant,
    Scheme,
    UnitLevel,
    UnitSuccession,
    User,
)
from thudo.core.text import clean, fold

Progress = Callable[[str, int, int], None]


def _noop(label: str, done: int, total: int) -> None:
    return None


# --- administrative units -----------------------------------------------------------------------


def _upsert_units(rows: list[refdata.UnitRow]) -> int:
    """Insert or update units of one level; parents must already exist."""
    if not rows:
        return 0
    parents = {
        (u.scheme, u.code): u.pk
        for u in AdministrativeUnit.objects.filter(
            scheme__in={r.scheme for r in rows}, code__in={r.parent_code for r in rows if r.parent_code}
        ).only("pk", "scheme", "code")
    }
    objs = [
        AdministrativeUnit(
            scheme=r.scheme,
            code=r.code,
            name=clean(r.name),
            division_type=r.division_type,
            level=r.level,
            codename=r.codename,
            parent_id=parents.get((r.scheme, r.parent_code)) if r.parent_code else None,
            province_code=r.province_code,
            search_text=fold(r.name),
        )
        for r in rows
    ]
    AdministrativeUnit.objects.bulk_create(
        objs,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["scheme", "code"],
        update_fields=[
            "name",
            "division_type",
            "level",
            "codename",
            "parent",
            "province_code",
            "search_text",
        ],
    )
    return len(objs)


def load_units(*, provinces: Iterable[str], by=None, progress: Progress = _noop) -> dict[str, int]:
    """Load both schemes of units for ``provinces`` with the old-to-new mapping. Idempotent.

    Source: GSO codes and the 2025 conversion table, via ``vietnam-provinces``.
    """
    counts = {"units": 0, "successions": 0}
    codes = list(provinces)
    for i, province in enumerate(codes, 1):
        with transaction.atomic():
            for rows in (refdata.units_2025(province), refdata.units_legacy(province)):
                by_level: dict[str, list[refdata.UnitRow]] = {}
                for r in rows:
                    by_level.setdefault(r.level, []).append(r)
                for level in (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE):
                    counts["units"] += _upsert_units(by_level.get(level, []))
            counts["successions"] += _load_successions(province)
        progress(_("Đơn vị hành chính"), i, len(codes))
    with transaction.atomic():
        audit.record("units.load", by=by, changes={"provinces": codes, **counts})
    return counts


def _load_successions(province: str) -> int:
    pairs = list(refdata.successions(province))
    if not pairs:
        return 0
    legacy_ids = dict(
        AdministrativeUnit.objects.filter(scheme=Scheme.LEGACY, code__in={p[1] for p in pairs}).values_list(
            "code", "pk"
        )
    )
    new_ids = dict(
        AdministrativeUnit.objects.filter(scheme=Scheme.Y2025, code__in={p[2] for p in pairs}).values_list(
            "code", "pk"
        )
    )
    objs = [
        UnitSuccession(predecessor_id=legacy_ids[old], successor_id=new_ids[new], partial=partial)
        for _level, old, new, partial in pairs
        if old in legacy_ids and new in new_ids
    ]
    UnitSuccession.objects.bulk_create(
        objs,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["predecessor", "successor"],
        update_fields=["partial"],
    )
    return len(objs)


# --- agencies -----------------------------------------------------------------------------------


def commune_agency_code(n: int, suffix: str) -> str:
    """Electronic identifier of the n-th commune People's Committee (1-based, by 2025 GSO code).

    One level below the city departments (QCVN 102:2016/BTTTT, ``V1V2V3.Z1Z2.Y1Y2.MX1X2``):
    Y1Y2 = 50 + (n−1) div 99 (values 50–59 are reserved for communes, 01–49 for departments),
    Z1Z2 = (n−1) mod 99 + 1. Assigned once at load and stored; never recomputed or reused.
    """
    return f"000.{(n - 1) % 99 + 1:02d}.{50 + (n - 1) // 99:02d}.{suffix}"


def load_agencies(*, by=None, progress: Progress = _noop) -> dict[str, int]:
    """Hanoi's People's Committee, its departments (researched list) and one People's Committee
    per 2025 commune, linked to units. Idempotent: existing agencies are updated, none duplicated."""

    data = refdata.hanoi_agencies()
    suffix = config().agency_code_suffix
    province = config().province_code
    city_unit = AdministrativeUnit.objects.filter(scheme=Scheme.Y2025, code=province).first()
    created = updated = 0
    with transaction.atomic():
        by_code: dict[str, Agency] = {}
        entries = data["agencies"]
        for i, entry in enumerate(entries, 1):
            parent = by_code.get(entry.get("parent") or "") or (
                Agency.objects.filter(code=entry["parent"]).first() if entry.get("parent") else None
            )
            agency, was_created = Agency.objects.update_or_create(
                code=entry["code"],
                defaults={
                    "name": clean(entry["name"]),
                    "short_name": clean(entry.get("short_name", "")),
                    "abbreviation": entry.get("abbreviation", ""),
                    "kind": entry["kind"],
                    "parent": parent,
                    "unit": city_unit,
                    "fields": entry.get("fields", []),
                    "search_text": fold(f"{entry['name']} {entry.get('short_name', '')} {entry['code']}"),
                },
            )
            by_code[agency.code] = agency
            created += was_created
            updated += not was_created
            progress(_("Cơ quan cấp thành phố"), i, len(entries))
        root = next((a for a in by_code.values() if a.kind == AgencyKind.CITY_COMMITTEE), None)
        communes = list(
            AdministrativeUnit.objects.filter(
                scheme=Scheme.Y2025, province_code=province, level=UnitLevel.COMMUNE
            ).order_by("code")
        )
        existing = {a.unit_id: a for a in Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE)}
        taken = set(Agency.objects.values_list("code", flat=True))
        for i, unit in enumerate(communes, 1):
            name = f"Ủy ban nhân dân {unit.name}"
            agency = existing.get(unit.pk)
            if agency is None:
                n = i
                while commune_agency_code(n, suffix) in taken:
                    n += 1
                agency = Agency(
                    unit=unit, kind=AgencyKind.COMMUNE_COMMITTEE, code=commune_agency_code(n, suffix)
                )
                taken.add(agency.code)
                created += 1
            else:
                updated += 1
            agency.name = name
            agency.short_name = f"UBND {unit.name}"
            agency.abbreviation = "UBND"
            agency.parent = root
            agency.search_text = fold(f"{name} {unit.code} {agency.code}")
            agency.save()
            progress(_("UBND phường, xã"), i, len(communes))
        audit.record("agencies.load", by=by, changes={"created": created, "updated": updated})
    permissions.forget_agency_tree()
    return {"created": created, "updated": updated}


def update_agency(agency: Agency, *, by, **changes) -> Agency:
    """Edit an agency's descriptive fields or office hours."""
    if not permissions.can(by, "agency.manage", agency):
        raise NotAllowed()
    allowed = {"name", "short_name", "abbreviation", "office_hours", "is_active", "fields"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(fields={k: _("Không được sửa trường này.") for k in unknown})
    if "office_hours" in changes:
        try:
            calendars.parse_office_hours(changes["office_hours"])
        except (ValueError, TypeError) as exc:
            raise InvalidInput(fields={"office_hours": str(exc)}) from exc
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        old = {k: getattr(agency, k) for k in changes}
        for k, v in changes.items():
            setattr(agency, k, clean(v) if isinstance(v, str) else v)
        agency.search_text = fold(f"{agency.name} {agency.short_name} {agency.code}")
        agency.save()
        audit.record("agency.update", by=by, obj=agency, changes=audit.diff(old, changes))
    calendars.forget()
    return agency


# --- people and roles ---------------------------------------------------------------------------


def create_user(
    *, username: str, password: str | None, full_name: str = "", email: str = "", by=None, is_staff=False
) -> User:
    """Create an account; the password is checked by the configured validators."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    username = clean(username)
    if not username:
        raise InvalidInput(fields={"username": _("Cần tên đăng nhập.")})
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(fields={"username": _("Tên đăng nhập đã được dùng.")})
    user = User(username=username, full_name=clean(full_name), email=email, is_staff=is_staff)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise InvalidInput(fields={"password": " ".join(exc.messages)}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        user.save()
        audit.record("user.create", by=by, obj=user)
    return user


def may_grant(by, role: str, agency: Agency | None) -> bool:
    """Who may grant (and revoke) ``role`` in ``agency``: a city admin anything; an agency admin
    (``role.grant``) any other role within the agencies they administer. ``by=None`` is the
    platform itself (sign-up, demo)."""
    if by is None or permissions.is_city_admin(by):
        return True
    if role == Role.CITY_ADMIN:
        return False
    return permissions.can(by, "role.grant", agency)


def check_grant(by, role: str, agency: Agency | None) -> None:
    """Raise the error a grant or revocation of ``role`` in ``agency`` by ``by`` would meet."""
    if role not in Role.values:
        raise InvalidInput(fields={"role": _("Vai trò không hợp lệ.")})
    if not may_grant(by, role, agency):
        raise NotAllowed(_("Bạn không được phân quyền này cho cơ quan này."))
    if role not in (Role.CITY_ADMIN, Role.CITIZEN) and agency is None:
        raise InvalidInput(fields={"agency": _("Vai trò này cần một cơ quan.")})


def grant_role(
    user: User, *, role: str, agency: Agency | None, by, include_subtree: bool = False
) -> RoleGrant:
    """Grant ``role`` in ``agency`` (see :func:`may_grant`); takes effect on every app server at once."""
    check_grant(by, role, agency)
    with transaction.atomic():
        grant, created = RoleGrant.objects.get_or_create(
            user=user, role=role, agency=agency, defaults={"include_subtree": include_subtree}
        )
        if not created and grant.include_subtree != include_subtree:
            grant.include_subtree = include_subtree
            grant.save(update_fields=["include_subtree"])
        audit.record(
            "role.grant",
            by=by,
            obj=user,
            changes={"role": role, "agency": agency and agency.code, "include_subtree": include_subtree},
        )
        permissions.forget_grants(user.pk)
    user.__dict__.pop("_thudo_grants", None)
    return grant


def revoke_role(grant: RoleGrant, *, by) -> None:
    """Remove a grant (the same people may as may grant it); every app server refuses at once."""
    if not may_grant(by, grant.role, grant.agency):
        raise NotAllowed(_("Bạn không được thu hồi quyền này."))
    with transaction.atomic():
        audit.record(
            "role.revoke",
            by=by,
            obj=grant.user,
            changes={"role": grant.role, "agency": grant.agency and grant.agency.code},
        )
        grant.delete()
        permissions.forget_grants(grant.user_id)
    grant.user.__dict__.pop("_thudo_grants", None)


# --- calendar -----------------------------------------------------------------------------------


def add_calendar_override(
    *, day: date, kind: str, decision: str, by, agency: Agency | None = None, note: str = ""
) -> CalendarOverride:
    """A day off or make-up working day decided by the authority (with the decision's number)."""
    if not (permissions.can(by, "calendar.manage", agency) if agency else permissions.is_city_admin(by)):
        raise NotAllowed()
    decision = clean(decision)
    if not decision:
        raise InvalidInput(fields={"decision": _("Cần số quyết định hoặc văn bản.")})
    with transaction.atomic():
        obj, _created = CalendarOverride.objects.update_or_create(
            date=day, agency=agency, defaults={"kind": kind, "decision": decision, "note": clean(note)}
        )
        audit.record(
            "calendar.override", by=by, obj=obj, changes={"date": day, "kind": kind, "decision": decision}
        )
    calendars.forget()
    return obj


def remove_calendar_override(override: CalendarOverride, *, by) -> None:
    if not (
        permissions.can(by, "calendar.manage", override.agency)
        if override.agency
        else permissions.is_city_admin(by)
    ):
        raise NotAllowed()
    with transaction.atomic():
        audit.record("calendar.override_remove", by=by, obj=override)
        override.delete()
    calendars.forget()


# --- API tokens ---------------------------------------------------------------------------------

TOKEN_PREFIX = "tds_"  # noqa: S105 (a public prefix, not a secret)


def create_api_token(user: User, *, name: str, by=None) -> tuple[ApiToken, str]:
    """A new bearer token for ``user``. The raw token is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=clean(name) or "token", prefix=raw[:12], token_hash=hash_token(raw)
        )
        audit.record("token.create", by=by, obj=token, changes={"user": user.username})
    return token, raw


def revoke_api_token(token: ApiToken, *, by=None) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record("token.revoke", by=by, obj=token)
    return token

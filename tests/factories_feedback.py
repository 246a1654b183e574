"""Factories for the feedback tests: a commune with its committee and officers, and reports made
through the actions (the lifecycle is what the tests are about)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.utils import timezone
from PIL import Image

from tests import factories
from thudo.core.models import AdministrativeUnit, Agency, AgencyKind, Role, User
from thudo.feedback import actions, seed
from thudo.feedback.models import Category, LevelTerm, Report, RoutingRule

TZ = timezone.get_default_timezone()


def at(day: str, hour: int = 9, minute: int = 0) -> dt.datetime:
    """Local time (Asia/Ho_Chi_Minh) on an ISO day."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), tzinfo=TZ)


@dataclass
class Place:
    commune: AdministrativeUnit
    committee: Agency
    triage: User  # reception officer of the committee: accepts, publishes
    handler: User  # specialist of the committee: handles
    leader: User


def seeded() -> None:
    """The categories and level terms of migration 0002 (a transactional test flushed them)."""
    seed.seed(Category, LevelTerm)


def place(name: str = "Phường Hồ Gươm Thử") -> Place:
    seeded()
    unit = factories.UnitFactory(name=name)
    committee = factories.AgencyFactory(
        name=f"Ủy ban nhân dân {name}", kind=AgencyKind.COMMUNE_COMMITTEE, unit=unit
    )
    return Place(
        commune=unit,
        committee=committee,
        triage=factories.official(role=Role.RECEPTION, agency=committee),
        handler=factories.official(role=Role.SPECIALIST, agency=committee),
        leader=factories.official(role=Role.LEADER, agency=committee),
    )


def department(name: str = "Sở Xây dựng Thử") -> tuple[Agency, User]:
    dep = factories.AgencyFactory(name=name, kind=AgencyKind.DEPARTMENT)
    return dep, factories.official(role=Role.SPECIALIST, agency=dep)


def category(code: str = "moi-truong") -> Category:
    return Category.objects.get(code=code)


def route(p: Place, code: str = "moi-truong", unit: Agency | None = None) -> RoutingRule:
    return RoutingRule.objects.create(category=category(code), commune=p.commune, unit=unit or p.committee)


def citizen(name: str = "Nguyễn Văn Phản Ánh", phone: str = "0912345678") -> User:
    return factories.UserFactory(full_name=name, phone=phone)


def jpeg(*, gps: bool = True, size=(64, 48)) -> bytes:
    """A JPEG with EXIF (camera, date and, by default, a GPS position in Hoàn Kiếm)."""
    img = Image.new("RGB", size, (120, 160, 90))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x0110] = "Phone X"
    exif[0x0132] = "2026:02:13 16:00:00"
    if gps:
        exif[0x8825] = {1: "N", 2: (21.0, 1.0, 42.0), 3: "E", 4: (105.0, 51.0, 12.0)}
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def report(
    p: Place,
    *,
    by: User | None = None,
    code: str = "moi-truong",
    level: str = "normal",
    now: dt.datetime | None = None,
    photos: list[tuple[str, bytes]] | None = None,
    **kw,
) -> Report:
    return actions.submit(
        by=by or citizen(),
        category=code,
        description=kw.pop("description", "Rác thải đổ trộm ở đầu ngõ 12 đã ba ngày không được thu gom."),
        address=kw.pop("address", "Ngõ 12 phố Hàng Bạc"),
        commune=p.commune.pk,
        latitude=kw.pop("latitude", "21.0340"),
        longitude=kw.pop("longitude", "105.8520"),
        level=level,
        photo_files=photos or [],
        now=now or at("2026-03-02", 9),
        **kw,
    )

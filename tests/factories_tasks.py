"""Factories for the tasks tests: a city committee with a department and communes below it, their
leaders and specialists, and tasks made through the actions (so every rule applies)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from tests import factories
from thudo.core.models import Agency, AgencyKind, Role, User
from thudo.tasks import actions
from thudo.tasks.models import Task

TZ = timezone.get_default_timezone()


def at(day: str, hour: int = 9) -> dt.datetime:
    """Local time (Asia/Ho_Chi_Minh) on an ISO day."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=TZ)


def agency(name: str, kind: str = AgencyKind.COMMUNE_COMMITTEE, parent: Agency | None = None) -> Agency:
    return factories.AgencyFactory(name=name, short_name=name, kind=kind, parent=parent)


@dataclass
class City:
    city: Agency
    department: Agency
    section: Agency  # a section (phòng) of the department
    communes: list[Agency]
    chair: User  # leader of the city committee, whole subtree
    director: User  # leader of the department
    specialist: User  # specialist of the department
    commune_leaders: list[User]


def city(n_communes: int = 3) -> City:
    city = agency("Ủy ban nhân dân thành phố Thử Nghiệm", AgencyKind.CITY_COMMITTEE)
    dep = agency("Sở Thử Nghiệm Số", AgencyKind.DEPARTMENT, parent=city)
    section = agency("Phòng Chuyển đổi số", AgencyKind.OTHER, parent=dep)
    communes = [agency(f"UBND Phường Thử Nghiệm {i + 1}", parent=city) for i in range(n_communes)]
    return City(
        city=city,
        department=dep,
        section=section,
        communes=communes,
        chair=factories.official(role=Role.LEADER, agency=city, subtree=True),
        director=factories.official(role=Role.LEADER, agency=dep),
        specialist=factories.official(role=Role.SPECIALIST, agency=dep),
        commune_leaders=[factories.official(role=Role.LEADER, agency=c) for c in communes],
    )


def task(
    c: City,
    *,
    lead: Agency | None = None,
    deadline: dt.date | None = dt.date(2026, 2, 13),
    now: dt.datetime | None = None,
    **kw,
) -> Task:
    return actions.assign_one(
        by=c.chair,
        assigner_agency=c.city,
        lead_agency=lead or c.department,
        title=kw.pop("title", "Triển khai nền tảng số dùng chung"),
        deadline=deadline,
        now=now or at("2026-02-02"),
        **kw,
    )

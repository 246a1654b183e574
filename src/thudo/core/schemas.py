"""API shapes for foundation data."""

from datetime import date, datetime

from ninja import Schema


class UnitRef(Schema):
    scheme: str
    code: str
    name: str
    level: str


class UnitOut(UnitRef):
    division_type: str
    province_code: str
    parent: UnitRef | None = None


class SuccessionOut(Schema):
    unit: UnitRef
    partial: bool


class UnitDetailOut(UnitOut):
    children: list[UnitRef]
    predecessors: list[SuccessionOut]
    successors: list[SuccessionOut]


class AgencyOut(Schema):
    code: str
    name: str
    short_name: str
    abbreviation: str
    kind: str
    parent_code: str | None = None
    unit: UnitRef | None = None


class SkippedDay(Schema):
    date: date
    reason: str


class DueOut(Schema):
    start: datetime
    start_effective: datetime
    due: datetime
    working_hours: float
    skipped: list[SkippedDay]


class MeOut(Schema):
    username: str
    full_name: str
    roles: list[dict]

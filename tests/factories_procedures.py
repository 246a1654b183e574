"""Factories for the procedure catalogue. Published things are built through the actions."""

from datetime import date
from decimal import Decimal

from tests import factories
from thudo.core.models import AgencyKind
from thudo.procedures import actions
from thudo.procedures.models import Field, Procedure, Process


def field(code: str = "HT", name: str = "Hộ tịch") -> Field:
    return Field.objects.get_or_create(code=code, defaults={"name": name})[0]


def draft(
    *,
    code: str = "1.001193",
    name: str = "Đăng ký khai sinh",
    level: str = "commune",
    agency=None,
    duration_value=Decimal(1),
    duration_unit: str = "working_days",
    by=None,
    **values,
) -> Procedure:
    return actions.create_draft(
        code=code,
        by=by,
        name=name,
        field=values.pop("field", None) or field(),
        level=level,
        agency=agency,
        duration_value=duration_value,
        duration_unit=duration_unit,
        **values,
    )


def department(name: str = "Sở Tư pháp Thử Nghiệm"):
    return factories.AgencyFactory(name=name, short_name=name, kind=AgencyKind.DEPARTMENT, abbreviation="STP")


def process(
    procedure: Procedure, steps=((("Tiếp nhận", "reception", 1),)), *, agency=None, publish=True
) -> Process:
    p = actions.create_process(procedure, agency=agency, by=None)
    actions.set_process_steps(
        p, by=None, steps=[{"name": n, "role": r, "duration_hours": Decimal(str(h))} for n, r, h in steps]
    )
    if publish:
        p = actions.publish_process(p, by=None)
    return p


def published(*, fees=(), papers=(), steps=None, **kwargs) -> Procedure:
    """A published procedure with optional fees ``(channel, amount, valid_from, valid_to)``."""
    p = draft(**kwargs)
    if papers:
        actions.set_papers(
            p,
            by=None,
            papers=[x if isinstance(x, dict) else {"name": x[0], "form_name": x[1]} for x in papers],
        )
    if fees:
        actions.set_fees(
            p,
            by=None,
            fees=[
                {
                    "channel": c,
                    "amount": a,
                    "name": "Lệ phí",
                    "valid_from": vf or date(2025, 7, 1),
                    "valid_to": vt,
                }
                for c, a, vf, vt in fees
            ],
        )
    if steps:
        process(p, steps)
    return actions.publish(p, by=None)

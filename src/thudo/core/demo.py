"""Demo content of the foundation: Hanoi's units and agencies, and the officials' accounts."""

from django.db import transaction

from thudo.core import actions
from thudo.core.config import config
from thudo.core.models import Agency, AgencyKind, Role, User

DEMO_PASSWORD = "thudoso-demo-2026"  # noqa: S105 (printed demo password, demo data only)

# (username, full name, role, agency selector) — agency selector: "city", "dept:<abbr>", "commune:<name>"
OFFICIALS = [
    ("admin", "Quản trị thành phố", Role.CITY_ADMIN, None),
    ("motcua.hoankiem", "Nguyễn Thị Lan", Role.RECEPTION, "commune:Phường Hoàn Kiếm"),
    ("chuyenvien.hoankiem", "Trần Văn Minh", Role.SPECIALIST, "commune:Phường Hoàn Kiếm"),
    ("lanhdao.hoankiem", "Lê Quang Huy", Role.LEADER, "commune:Phường Hoàn Kiếm"),
    ("quantri.hoankiem", "Phạm Thu Hà", Role.AGENCY_ADMIN, "commune:Phường Hoàn Kiếm"),
    ("motcua.badinh", "Đỗ Mai Anh", Role.RECEPTION, "commune:Phường Ba Đình"),
    ("chuyenvien.badinh", "Vũ Đức Thắng", Role.SPECIALIST, "commune:Phường Ba Đình"),
    ("lanhdao.badinh", "Hoàng Minh Tuấn", Role.LEADER, "commune:Phường Ba Đình"),
    ("motcua.tuphap", "Bùi Thanh Hương", Role.RECEPTION, "dept:STP"),
    ("chuyenvien.tuphap", "Ngô Văn Long", Role.SPECIALIST, "dept:STP"),
    ("lanhdao.tuphap", "Đặng Thị Thu", Role.LEADER, "dept:STP"),
    ("vanthu.ubnd", "Phan Thị Ngọc", Role.CLERK, "city"),
]


def _agency(selector: str | None) -> Agency | None:
    if selector is None:
        return None
    if selector == "city":
        return Agency.objects.filter(kind=AgencyKind.CITY_COMMITTEE).first()
    kind, _, value = selector.partition(":")
    if kind == "dept":
        return Agency.objects.filter(abbreviation=value).exclude(kind=AgencyKind.COMMUNE_COMMITTEE).first()
    return Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE, unit__name=value).first()


def load(*, progress, stdout) -> list[tuple[str, str, str]]:
    actions.load_units(provinces=[config().province_code], progress=progress)
    actions.load_agencies(progress=progress)
    accounts = []
    with transaction.atomic():
        for username, full_name, role, selector in OFFICIALS:
            agency = _agency(selector)
            if selector is not None and agency is None:
                continue
            user = User.objects.filter(username=username).first()
            if user is None:
                user = actions.create_user(
                    username=username,
                    password=DEMO_PASSWORD,
                    full_name=full_name,
                    is_staff=role in (Role.CITY_ADMIN, Role.AGENCY_ADMIN),
                )
                if role == Role.CITY_ADMIN:
                    User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
            actions.grant_role(user, role=role, agency=agency, by=None)
            where = agency.short_name or agency.name if agency else "Thành phố Hà Nội"
            accounts.append((username, DEMO_PASSWORD, f"{Role(role).label} — {where}"))
    return accounts

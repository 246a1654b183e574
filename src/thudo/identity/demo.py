"""Demo content of the identity app: fake Hanoi residents in the embedded population registry
and two verified citizen accounts. Deterministic and idempotent."""

import random
from datetime import date, timedelta

from django.db import transaction

from thudo.core.models import User
from thudo.identity import actions
from thudo.identity.models import Citizen
from thudo.identity.pins import FEMALE, MALE, compose_pin
from thudo.identity.registry import RegistryPerson

DEMO_PASSWORD = "thudoso-demo-2026"  # noqa: S105 (printed demo password, demo data only)
PEOPLE = 50
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
MIDDLE = {
    MALE: ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thành"],
    FEMALE: ["Thị", "Thu", "Ngọc", "Thanh", "Minh"],
}
GIVEN = {
    MALE: [
        "An",
        "Bình",
        "Cường",
        "Dũng",
        "Hải",
        "Hùng",
        "Khánh",
        "Long",
        "Nam",
        "Phong",
        "Quân",
        "Sơn",
        "Tuấn",
    ],
    FEMALE: [
        "Anh",
        "Châu",
        "Dung",
        "Giang",
        "Hà",
        "Hạnh",
        "Hoa",
        "Lan",
        "Linh",
        "Mai",
        "Ngân",
        "Thảo",
        "Yến",
    ],
}
STREETS = [
    "Hàng Bài",
    "Tràng Tiền",
    "Kim Mã",
    "Đội Cấn",
    "Xã Đàn",
    "Tôn Đức Thắng",
    "Bạch Mai",
    "Lạc Long Quân",
]
WARDS = [
    "Phường Hoàn Kiếm",
    "Phường Cửa Nam",
    "Phường Ba Đình",
    "Phường Ngọc Hà",
    "Phường Giảng Võ",
    "Phường Đống Đa",
    "Phường Kim Liên",
    "Phường Hai Bà Trưng",
    "Phường Bạch Mai",
    "Phường Tây Hồ",
    "Phường Cầu Giấy",
]
# The two demo citizens are the first two registry people.
ACCOUNTS = [("congdan", 0), ("congdan2", 1)]


def people() -> list[RegistryPerson]:
    """The same 50 residents every time (seeded), with numbers registered in Hanoi (001)."""
    rng = random.Random(2026)  # noqa: S311 (demo data, not security)
    out = []
    for i in range(PEOPLE):
        sex = MALE if i % 2 == 0 else FEMALE
        birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 56))
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
        address = f"Số {rng.randint(1, 199)} phố {rng.choice(STREETS)}, {rng.choice(WARDS)}, Thành phố Hà Nội"
        pin = compose_pin(birth_year=birth.year, sex=sex, serial=100_000 + i * 7_919)
        out.append(RegistryPerson(pin, name, birth, sex, address, address, "Kinh", "Việt Nam"))
    return out


def load(*, progress, stdout) -> list[tuple[str, str, str]]:
    residents = people()
    actions.load_registry(residents)
    progress("Cơ sở dữ liệu dân cư (mẫu)", len(residents), len(residents))
    accounts = []
    for username, index in ACCOUNTS:
        person = residents[index]
        with transaction.atomic():
            user = User.objects.filter(username=username).first()
            if user is None:
                user = actions.sign_up(
                    username=username,
                    password=DEMO_PASSWORD,
                    full_name=person.full_name,
                    pin=person.pin,
                    birth_date=person.birth_date,
                    sex=person.sex,
                    email=f"{username}@example.vn",
                    phone=f"09{12345670 + index:08d}",
                )
            citizen = Citizen.objects.filter(user=user).first()
            if citizen is not None and citizen.verified_at is None:
                actions.verify_identity(citizen, by=user)
        accounts.append((username, DEMO_PASSWORD, f"Công dân (đã xác thực định danh) — {person.full_name}"))
    return accounts

"""Factories for the identity app: citizens with valid numbers and registry people."""

from datetime import date

import factory

from thudo.core.text import fold
from thudo.identity.models import Citizen, RegistryRecord
from thudo.identity.pins import FEMALE, MALE, compose_pin


def _birth(n: int) -> date:
    return date(1960 + n % 45, 1 + n % 12, 1 + n % 28)


class CitizenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citizen

    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    birth_date = factory.Sequence(_birth)
    sex = MALE
    pin = factory.LazyAttributeSequence(
        lambda o, n: compose_pin(birth_year=o.birth_date.year, sex=o.sex, serial=500_000 + n)
    )
    search_text = factory.LazyAttribute(lambda o: fold(o.full_name))
    phone = "0912345678"
    email = factory.Sequence(lambda n: f"congdan{n}@example.vn")
    address = ""


class RegistryRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistryRecord

    full_name = factory.Sequence(lambda n: f"Trần Thị Mẫu {n}")
    name_key = factory.LazyAttribute(lambda o: fold(o.full_name))
    birth_date = factory.Sequence(_birth)
    sex = FEMALE
    pin = factory.LazyAttributeSequence(
        lambda o, n: compose_pin(birth_year=o.birth_date.year, sex=o.sex, serial=700_000 + n)
    )
    permanent_address = "Số 12 phố Hàng Bài, Phường Hoàn Kiếm, Thành phố Hà Nội"


def registered_citizen(**kwargs) -> tuple[Citizen, RegistryRecord]:
    """A citizen and the matching registry record (same number, name, date of birth, sex)."""
    citizen = CitizenFactory(**kwargs)
    record = RegistryRecordFactory(
        pin=citizen.pin, full_name=citizen.full_name, birth_date=citizen.birth_date, sex=citizen.sex
    )
    return citizen, record

"""factory_boy factories for the domain. Tests build what they need; no fixture files."""

import threading

import factory
from django.db import connections

from thudo.core.models import AdministrativeUnit, Agency, AgencyKind, RoleGrant, Scheme, UnitLevel, User
from thudo.core.text import fold


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("scheme", "code")

    scheme = Scheme.Y2025
    code = factory.Sequence(lambda n: f"{90000 + n:05d}")
    name = factory.Sequence(lambda n: f"Phường Thử Nghiệm {n}")
    division_type = "phường"
    level = UnitLevel.COMMUNE
    province_code = "01"
    search_text = factory.LazyAttribute(lambda o: fold(o.name))


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"000.{n % 100:02d}.{80 + n // 100:02d}.H26")
    name = factory.Sequence(lambda n: f"Ủy ban nhân dân Phường Thử Nghiệm {n}")
    short_name = factory.LazyAttribute(lambda o: o.name)
    abbreviation = "UBND"
    kind = AgencyKind.COMMUNE_COMMITTEE
    search_text = factory.LazyAttribute(lambda o: fold(o.name))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Người Dùng {n}")
    password = factory.PostGenerationMethodCall("set_password", "mat-khau-thu-nghiem-2026")

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()


PASSWORD = "mat-khau-thu-nghiem-2026"


def official(*, role: str, agency: Agency | None, username: str | None = None, subtree: bool = False) -> User:
    user = UserFactory(**({"username": username} if username else {}))
    RoleGrant.objects.get_or_create(
        user=user, role=role, agency=agency, defaults={"include_subtree": subtree}
    )
    return user


def in_threads(n, target):
    """Run ``target(i)`` for i in 0..n-1 in n threads released at once (PostgreSQL concurrency
    tests); returns (results, errors), each thread's database connection closed."""
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait()
            results.append(target(i))
        except Exception as exc:  # collected and asserted by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors

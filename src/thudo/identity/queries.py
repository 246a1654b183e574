"""Reads of citizens' records. Every official's read is audited (Decree 13/2023/NĐ-CP, art. 27;
Law 91/2025/QH15): officials reach a record only through the helpers here."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from thudo.core import audit, permissions
from thudo.core.errors import NotAllowed, NotFound
from thudo.core.queries import search_filter
from thudo.core.registries import Registry
from thudo.identity.models import Citizen
from thudo.identity.pins import mask_pin, pin_hash, validate_pin

# Who handles something for a citizen: each source answers the agencies (ids) that handle a matter
# of this citizen (a dossier, later a citizen report); their officials with ``citizen.view`` may see
# the record (Decree 13/2023/NĐ-CP: access only for the matter being handled). The apps that own
# those matters register here in their ``AppConfig.ready``; identity imports none of them.
CITIZEN_HANDLERS: Registry[Callable[[Citizen], Iterable[int | None]]] = Registry("identity.citizen_handlers")


def handling_agencies(citizen: Citizen) -> list[int | None]:
    return [agency for source in CITIZEN_HANDLERS for agency in source(citizen)]


def citizen_for_user(user) -> Citizen | None:
    """The signed-in person's own record (no audit: a person reading their own data)."""
    if user is None or not user.is_authenticated:
        return None
    return Citizen.objects.filter(user=user, erased_at__isnull=True).first()


def visible_citizens(person) -> QuerySet[Citizen]:
    return permissions.visible(person, Citizen.objects.filter(erased_at__isnull=True))


def _is_owner(person, citizen: Citizen) -> bool:
    return bool(person is not None and person.is_authenticated and citizen.user_id == person.pk)


def read_citizen(person, citizen: Citizen, *, purpose: str = "") -> Citizen:
    """Check that ``person`` may see ``citizen`` (own record, a dossier of their agency, or the
    registry lookup) and audit the read unless it is the person's own record."""
    if _is_owner(person, citizen):
        return citizen
    if not (permissions.can(person, "citizen.lookup") or permissions.can(person, "citizen.view", citizen)):
        raise NotAllowed()
    with transaction.atomic():
        audit.record(
            "citizen.read", by=person, obj=citizen, changes={"pin": mask_pin(citizen.pin), "purpose": purpose}
        )
    return citizen


def citizen_for_official(person, pin: str, *, purpose: str = "") -> Citizen:
    """Look a citizen up by number for an official (verb ``citizen.lookup``, or ``citizen.view``
    through a dossier of the official's agency). The read is audited."""
    if not (person is not None and person.is_authenticated):
        raise NotAllowed()
    pin = validate_pin(pin)
    citizen = Citizen.objects.select_related("user").filter(pin=pin, erased_at__isnull=True).first()
    if citizen is None:
        if not permissions.can(person, "citizen.lookup"):
            raise NotAllowed()
        raise NotFound()
    return read_citizen(person, citizen, purpose=purpose)


def search_citizens(person, q: str, *, limit: int = 50) -> list[Citizen]:
    """Officials with ``citizen.lookup`` find citizens by name (folded); the search is audited."""
    if not permissions.can(person, "citizen.lookup"):
        raise NotAllowed()
    if not (q or "").strip():
        return []
    found = list(
        Citizen.objects.filter(erased_at__isnull=True)
        .filter(search_filter(q))
        .order_by("search_text", "pk")[:limit]
    )
    with transaction.atomic():
        audit.record("citizen.search", by=person, changes={"results": [mask_pin(c.pin) for c in found]})
    return found


def for_operator(pin: str) -> Citizen:
    """The record with this number, erased or not (command-line export and erasure by the
    operator, who works outside the permission model and is audited as the system)."""
    pin = validate_pin(pin)
    citizen = (
        Citizen.objects.select_related("user").filter(pin=pin).first()
        or Citizen.objects.filter(pin_hash=pin_hash(pin), erased_at__isnull=False).first()
    )
    if citizen is None:
        raise NotFound(_("Không có công dân với số định danh này."))
    return citizen

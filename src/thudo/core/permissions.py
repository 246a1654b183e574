"""Who may do what: one table of roles and verbs, one place that answers.

``can(person, verb, obj)`` answers a single check; ``visible(person, queryset)`` filters any list
by the same rules. Apps describe their models once with :func:`register` (which field holds the
agency, which holds the owner, what is public); nothing else in the code decides permissions.

Verbs are ``"<noun>.<verb>"`` strings. Roles are granted per agency (``RoleGrant``), optionally
for the agency's whole subtree; ``city_admin`` acts everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model, Q, QuerySet

from thudo.core.config import config
from thudo.core.models import Agency, Role, User

# The table. A role's verbs apply to objects of the agencies where the role is granted.
ROLE_VERBS: dict[str, frozenset[str]] = {
    Role.RECEPTION: frozenset(
        {
            "dossier.view",
            "dossier.receive",
            "dossier.forward",
            "dossier.create_counter",
            "dossier.request_supplement",
            "dossier.reject",
            "dossier.return_result",
            "dossier.pause",
            "dossier.resume",
            "dossier.withdraw",
            "dossier.confirm_withdrawal",
            "dossier.decline_withdrawal",
            "dossier.record_payment",
            "citizen.view",
            "citizen.lookup",
            "feedback.view",
            "feedback.triage",
            "feedback.publish",
        }
    ),
    Role.SPECIALIST: frozenset(
        {
            "dossier.view",
            "dossier.process",
            "dossier.forward",
            "dossier.request_supplement",
            "dossier.pause",
            "dossier.resume",
            "dossier.transfer",
            "dossier.draft_result",
            "dossier.apologize",
            "dossier.reject",
            "citizen.view",
            "feedback.view",
            "feedback.handle",
        }
    ),
    Role.LEADER: frozenset(
        {
            "dossier.view",
            "dossier.process",
            "dossier.forward",
            "dossier.approve",
            "dossier.sign",
            "dossier.reject",
            "dossier.apologize",
            "dossier.request_supplement",
            "citizen.view",
            "kpi.view",
            "agency.view_stats",
            "feedback.view",
            "feedback.triage",
            "feedback.handle",
            "feedback.publish",
        }
    ),
    Role.AGENCY_ADMIN: frozenset(
        {
            "agency.manage",
            "agency.view_stats",
            "procedure.manage",
            "process.manage",
            "role.grant",
            "calendar.manage",
            "dossier.view",
            "kpi.view",
            "kpi.report",
            "dataset.manage",
        }
    ),
    Role.CLERK: frozenset({"document.view", "document.register", "document.issue"}),
    Role.CITIZEN: frozenset(),
}
# Directives and tasks (thudo.tasks): the lead unit's people accept, report and ask for more time;
# leaders also assign (to other units, or to their sections as sub-tasks) and, on the assigning
# side, close, return, decide extensions and cancel. Which side a verb is done from is the tasks
# app's transition table (thudo.tasks.transitions).
TASK_WORK_VERBS = frozenset({"task.view", "task.accept", "task.report", "task.request_extension"})
TASK_LEAD_VERBS = TASK_WORK_VERBS | {
    "task.assign",
    "task.close",
    "task.return",
    "task.decide_extension",
    "task.cancel",
}
ROLE_VERBS[Role.SPECIALIST] |= TASK_WORK_VERBS
ROLE_VERBS[Role.LEADER] |= TASK_LEAD_VERBS
ROLE_VERBS[Role.AGENCY_ADMIN] |= {"task.view"}
ROLE_VERBS[Role.CLERK] |= {"task.view"}
# city_admin: every verb of every role, everywhere, plus the city's own.
CITY_ADMIN_VERBS: frozenset[str] = frozenset().union(*ROLE_VERBS.values()) | {
    "unit.manage",
    "calendar.manage",
    "audit.view",
    "kpi.manage",
    "kpi.publish",
    "token.manage",
    "notification.manage",
    "procedure.publish",
    "opendata.manage",
}
# What the owner of an object (the applicant) may do with it, whatever their roles.
OWNER_VERBS: frozenset[str] = frozenset(
    {
        "dossier.view",
        "dossier.supplement",
        "dossier.withdraw",
        "dossier.request_withdrawal",
        "dossier.rate",
        "dossier.pay",
        "citizen.view",
        "citizen.edit",
        "attachment.view",
        "notification.view",
        "feedback.view",
        "feedback.rate",
        "feedback.reopen",
    }
)
# Open to anyone, signed in or not.
PUBLIC_VERBS: frozenset[str] = frozenset({"unit.view", "agency.view", "procedure.view", "calendar.view"})


@dataclass(frozen=True)
class Scope:
    """How to find the agency, the owner and publicness of a model's rows."""

    agency_fields: tuple[
        str, ...
    ] = ()  # lookups to an Agency FK, e.g. ("receiving_agency", "current_agency")
    owner_field: str | None = None  # lookup to the owning User FK, e.g. "applicant_user"
    public: Q | None = None  # rows anyone may see
    noun: str = ""
    agency_getter: Callable[[Model], Iterable[int | None]] | None = field(default=None, compare=False)


_SCOPES: dict[type[Model], Scope] = {}


def register(model: type[Model], scope: Scope) -> None:
    _SCOPES[model] = scope


def _scope(model: type[Model]) -> Scope:
    for klass in model.__mro__:
        if klass in _SCOPES:
            return _SCOPES[klass]
    raise LookupError(f"No permission scope registered for {model.__name__}")


# --- grants -------------------------------------------------------------------------------------


# Cached values are stored under a key that carries a version number kept in the same cache;
# invalidating bumps the version, at once and again after the commit: a reader that loaded the
# old rows while the change was not yet committed wrote them under a version nobody reads any
# more. With a shared cache (THUDO_CACHE_URL, Redis) every app server sees the new version at once.
CACHE_TTL = 300


def _version(name: str) -> int:
    version = cache.get(f"thudo:v:{name}")
    if version is None:
        cache.add(f"thudo:v:{name}", 1, None)
        version = cache.get(f"thudo:v:{name}", 1)
    return int(version)


def _bump(name: str) -> None:
    def bump() -> None:
        try:
            cache.incr(f"thudo:v:{name}")
        except ValueError:  # not there (evicted, or never read): the next read starts afresh
            cache.set(f"thudo:v:{name}", 2, None)

    bump()
    transaction.on_commit(bump)


def _agency_children() -> dict[int, list[int]]:
    key = f"thudo:agency_tree:{_version('agency_tree')}"
    tree = cache.get(key)
    if tree is None:
        tree = {}
        for pk, parent_id in Agency.objects.values_list("pk", "parent_id"):
            tree.setdefault(parent_id, []).append(pk)
        cache.set(key, tree, CACHE_TTL)
    return tree


def forget_agency_tree() -> None:
    _bump("agency_tree")


def forget_grants(user_id: int) -> None:
    """The person's roles changed: every app server reads them afresh (after the commit)."""
    _bump(f"grants:{user_id}")


def _subtree(agency_id: int) -> set[int]:
    tree = _agency_children()
    out, stack = set(), [agency_id]
    while stack:
        current = stack.pop()
        if current in out:
            continue
        out.add(current)
        stack.extend(tree.get(current, ()))
    return out


def _load_grants(person) -> list[tuple[str, int | None, bool]]:
    if not config().cache_url:
        # Local memory is one process's own: a revocation in another process would not reach it,
        # so without a shared cache the roles are read once per request.
        return list(person.role_grants.values_list("role", "agency_id", "include_subtree"))
    key = f"thudo:grants:{person.pk}:{_version(f'grants:{person.pk}')}"
    rows = cache.get(key)
    if rows is None:
        rows = list(person.role_grants.values_list("role", "agency_id", "include_subtree"))
        cache.set(key, rows, CACHE_TTL)
    return rows


def grants(person) -> list[tuple[str, int | None, bool]]:
    """(role, agency_id, include_subtree) for the person, cached on the object for the request
    and, with a shared cache, across requests until a grant or revocation."""
    if person is None or not person.is_authenticated:
        return []
    cached = getattr(person, "_thudo_grants", None)
    if cached is None:
        cached = _load_grants(person)
        person._thudo_grants = cached
    return cached


def is_city_admin(person) -> bool:
    if person is None or not person.is_authenticated:
        return False
    return person.is_superuser or any(role == Role.CITY_ADMIN for role, _, _ in grants(person))


def agencies_for(person, verb: str) -> set[int]:
    """Agencies where the person holds a role that allows ``verb``."""
    out: set[int] = set()
    for role, agency_id, subtree in grants(person):
        if agency_id is None or verb not in ROLE_VERBS.get(role, ()):
            continue
        if subtree:
            out |= _subtree(agency_id)
        else:
            out.add(agency_id)
    return out


def agencies_with_role(person, role: str) -> set[int]:
    """Agencies where the person holds ``role`` (directly, or below a subtree grant)."""
    out: set[int] = set()
    for held, agency_id, subtree in grants(person):
        if held != role or agency_id is None:
            continue
        out |= _subtree(agency_id) if subtree else {agency_id}
    return out


def role_holders(role: str, agency_ids: Iterable[int]) -> QuerySet:
    """Active people who hold ``role`` in one of ``agency_ids`` (directly, or through a subtree
    grant on an agency above it): the same rule as :func:`agencies_with_role`, as a query."""
    wanted = set(agency_ids)
    parent_of = {child: parent for parent, children in _agency_children().items() for child in children}
    above: set[int] = set()
    for pk in wanted:
        parent = parent_of.get(pk)
        while parent is not None and parent not in above:
            above.add(parent)
            parent = parent_of.get(parent)
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role_grants__role=role, role_grants__agency_id__in=wanted)
            | Q(role_grants__role=role, role_grants__agency_id__in=above, role_grants__include_subtree=True)
        )
        .distinct()
    )


def agencies_by_role(person) -> dict[str, set[int]]:
    """The agencies where the person holds each role (subtrees expanded), e.g. for "the queue of
    every specialist of this agency"."""
    out: dict[str, set[int]] = {}
    for role, agency_id, subtree in grants(person):
        if agency_id is None:
            continue
        out.setdefault(role, set()).update(_subtree(agency_id) if subtree else {agency_id})
    return out


def has_role(person, *roles: str) -> bool:
    return any(role in roles for role, _, _ in grants(person))


# --- the two questions ---------------------------------------------------------------------------


def _lookup(obj: Model, path: str):
    """Follow ``a__b__c`` on an instance; the last step yields the FK's id, not the object."""
    *steps, last = path.split("__")
    value = obj
    for step in steps:
        value = getattr(value, step, None)
        if value is None:
            return None
    # Not getattr(value, f"{last}_id", getattr(value, last, None)): the default would be
    # evaluated first and load the related row (one query per check).
    attname = f"{last}_id"
    if hasattr(value, attname):
        return getattr(value, attname)
    return getattr(value, last, None)


def can(person, verb: str, obj: Model | None = None) -> bool:
    """May ``person`` do ``verb`` (on ``obj``, if given)?"""
    if verb in PUBLIC_VERBS:
        return True
    if person is None or not person.is_authenticated or not person.is_active:
        return False
    if is_city_admin(person):
        return True
    if obj is None:
        return bool(agencies_for(person, verb)) or (verb in OWNER_VERBS and verb.startswith("citizen."))
    scope = _scope(type(obj))
    if verb in OWNER_VERBS and scope.owner_field and _lookup(obj, scope.owner_field) == person.pk:
        return True
    allowed = agencies_for(person, verb)
    if not allowed:
        return False
    if scope.agency_getter is not None:
        return any(a in allowed for a in scope.agency_getter(obj) if a is not None)
    return any(_lookup(obj, f) in allowed for f in scope.agency_fields)


def visible(person, queryset: QuerySet, verb: str | None = None) -> QuerySet:
    """Only the rows ``person`` may see (``<noun>.view`` unless ``verb`` says otherwise)."""
    scope = _scope(queryset.model)
    verb = verb or f"{scope.noun}.view"
    if verb in PUBLIC_VERBS:
        return queryset
    if is_city_admin(person):
        return queryset
    condition = Q(pk__in=[])
    if scope.public is not None:
        condition |= scope.public
    if person is not None and person.is_authenticated and person.is_active:
        if scope.owner_field and verb in OWNER_VERBS:
            condition |= Q(**{scope.owner_field: person.pk})
        allowed = agencies_for(person, verb)
        if allowed:
            for f in scope.agency_fields:
                condition |= Q(**{f"{f}__in": allowed})
    return queryset.filter(condition)

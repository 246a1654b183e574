"""Every permission-filtered read of the tasks app (pages and API ask these functions).

A person sees the tasks whose lead unit or assigning agency is one where they hold ``task.view``
(a leader granted on the city committee with its subtree sees every unit's tasks; a city
administrator sees all). Lists select their related rows in one query: the number of queries
does not grow with the number of tasks. Overdue and due-soon filters are the status rule of
:mod:`thudo.tasks.status` as a date range on each lead unit's calendar (:func:`status.due_by_q`).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from thudo.core import permissions
from thudo.core.config import config
from thudo.core.models import Agency, User
from thudo.tasks import status as st
from thudo.tasks.models import DONE_STATES, OPEN_STATES, Milestone, Plan, State, Task, TaskFile, TaskUnit

_RELATED = ("lead_agency", "assigner_agency", "lead_person", "assigner")


def visible(person) -> QuerySet[Task]:
    """The lead unit's, the assigning agency's and the co-ordinating units' people see a task."""
    qs = permissions.visible(person, Task.objects.all(), "task.view")
    if permissions.is_city_admin(person):
        return qs
    units = permissions.agencies_for(person, "task.view")
    if not units:
        return qs
    coordinated = TaskUnit.objects.filter(agency_id__in=units).values("task_id")
    # One WHERE with OR (not "id IN (the same table)", which read every task for each list).
    return qs | Task.objects.filter(pk__in=coordinated)


def get(person, pk: int) -> Task | None:
    """The task, with what its page shows, or ``None`` when the person may not see it."""
    return visible(person).select_related(*_RELATED, "parent", "plan", "milestone").filter(pk=pk).first()


def _listing(qs: QuerySet[Task]) -> QuerySet[Task]:
    return qs.select_related(*_RELATED).order_by("deadline", "-assigned_at", "pk")


def units_of(person) -> set[int] | None:
    """The units whose tasks are "my unit's" (``None``: every unit, for a city administrator)."""
    if permissions.is_city_admin(person):
        return None
    return permissions.agencies_for(person, "task.view")


def overdue_q(today: date | None = None) -> Q:
    """Open and past the due day on the lead unit's calendar (what :func:`st.standing` says)."""
    day = today or st.today()
    return Q(state__in=OPEN_STATES) & st.due_by_q(lambda cal: st.last_working_day_before(day, cal))


def due_soon_q(today: date | None = None) -> Q:
    """Open, not overdue, and due within the reminder's working days on the lead unit's calendar."""
    day = today or st.today()
    days = config().task_reminder_days
    soon = st.due_by_q(lambda cal: st.add_working_days(day, days, cal))
    return Q(state__in=OPEN_STATES) & soon & ~overdue_q(day)


TABS = ("todo", "due_soon", "overdue", "reported", "coordinate", "done")


def unit_tasks(person, tab: str = "todo", *, agency_id: int | None = None) -> QuerySet[Task]:
    """My unit's tasks: to do, due soon, overdue, reported (awaiting the assigner), as a
    co-ordinating unit, or done."""
    units = units_of(person)
    if agency_id is not None:
        units = {agency_id} if units is None or agency_id in units else set()
    if tab == "coordinate":
        qs = Task.objects.filter(state__in=(*OPEN_STATES, State.REPORTED))
        inner = TaskUnit.objects.filter(role="coordinate")
        if units is not None:
            inner = inner.filter(agency_id__in=units)
        return _listing(qs.filter(pk__in=inner.values("task_id")))
    qs = Task.objects.all() if units is None else Task.objects.filter(lead_agency_id__in=units)
    if tab == "due_soon":
        qs = qs.filter(due_soon_q())
    elif tab == "overdue":
        qs = qs.filter(overdue_q())
    elif tab == "reported":
        qs = qs.filter(state=State.REPORTED)
    elif tab == "done":
        qs = qs.filter(state__in=DONE_STATES)
    else:
        qs = qs.filter(state__in=OPEN_STATES)
    return _listing(qs)


def assigned_by(person, tab: str = "open") -> QuerySet[Task]:
    """The tasks I assigned (and those of my agencies' assigning side I may close)."""
    if not getattr(person, "is_authenticated", False):
        return Task.objects.none()
    units = permissions.agencies_for(person, "task.close")
    qs = Task.objects.filter(Q(assigner=person) | Q(assigner_agency_id__in=units))
    if tab == "reported":
        qs = qs.filter(state=State.REPORTED)
    elif tab == "overdue":
        qs = qs.filter(overdue_q())
    elif tab == "all":
        pass
    else:
        qs = qs.filter(state__in=(*OPEN_STATES, State.REPORTED))
    return _listing(qs)


def search(
    person, *, state: str = "", lead_agency: int | None = None, standing: str = "", q: str = ""
) -> QuerySet[Task]:
    """The API's list: visible tasks filtered by state, lead unit, overdue, words of the title."""
    qs = visible(person)
    if state:
        qs = qs.filter(state=state)
    if lead_agency:
        qs = qs.filter(lead_agency_id=lead_agency)
    if standing == "overdue":
        qs = qs.filter(overdue_q())
    elif standing == "due_soon":
        qs = qs.filter(due_soon_q())
    if q:
        qs = qs.filter(title__icontains=q)
    return _listing(qs)


def file(t: Task, file_pk: int) -> TaskFile | None:
    """One attachment of a task the person may already see (of the task or of one of its reports)."""
    return t.files.filter(pk=file_pk).first()


def history(t: Task):
    return t.events.select_related("by").order_by("seq")


def reports(t: Task):
    return t.reports.prefetch_related("files").order_by("at", "pk")


def units(t: Task) -> list[TaskUnit]:
    return list(t.units.select_related("agency").order_by("role", "agency__name"))


def coordinators(t: Task) -> list[Agency]:
    return [u.agency for u in units(t) if u.role == "coordinate"]


def lead_choices(person) -> QuerySet[Agency]:
    """Units a task can be given to (every active agency; the assigner picks)."""
    return Agency.objects.filter(is_active=True).order_by("kind", "name")


def assigning_agencies(person) -> QuerySet[Agency]:
    """The agencies on whose behalf the person may assign."""
    if permissions.is_city_admin(person):
        return Agency.objects.filter(is_active=True).order_by("name")
    return Agency.objects.filter(pk__in=permissions.agencies_for(person, "task.assign")).order_by("name")


def plans(person) -> QuerySet[Plan]:
    return Plan.objects.select_related("agency").order_by("-year", "code")


def plan_list(person) -> QuerySet[Plan]:
    """The plans page: each plan with its agency and its number of milestones and of tasks the
    person sees (one query)."""
    seen = visible(person).filter(plan=OuterRef("pk")).order_by().values("plan")
    return plans(person).annotate(
        n_milestones=Count("milestones", distinct=True),
        n_tasks=Coalesce(Subquery(seen.annotate(n=Count("pk")).values("n")), 0),
    )


def designate_choices(t: Task) -> QuerySet[User]:
    """Who may be named the task's lead person: active officials holding a role at the lead unit
    itself (the rule of :func:`thudo.tasks.actions.designate`), one query."""
    held = User.objects.filter(is_active=True, role_grants__agency_id=t.lead_agency_id)
    return User.objects.filter(pk__in=held.values("pk")).order_by("full_name", "username")


def milestone_choices(person) -> QuerySet[Milestone]:
    """The milestones of the plans the person may see, with their plan (one query)."""
    return (
        Milestone.objects.filter(plan__in=plans(person))
        .select_related("plan")
        .order_by("-plan__year", "plan__code", "due", "pk")
    )

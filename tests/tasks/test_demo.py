"""The demo plan: milestones, tasks from the targets board's codes, moves in every state; twice
is once."""

import io

import pytest
from django.core.management.base import OutputWrapper

from thudo.core import demo as core_demo
from thudo.core.progress import Bar
from thudo.tasks import demo
from thudo.tasks import status as st
from thudo.tasks.models import Plan, Task

pytestmark = pytest.mark.django_db


def test_the_demo_plan_loads_once_with_tasks_in_several_states():
    out = OutputWrapper(io.StringIO())
    core_demo.load(progress=Bar(io.StringIO()), stdout=out)
    demo.load(progress=None, stdout=out)
    plan = Plan.objects.get()
    assert plan.milestones.count() == 4
    tasks = list(Task.objects.filter(source_kind="plan"))
    assert len(tasks) == 5 and all(t.source_ref.startswith("kpi.target:") for t in tasks)
    standings = {st.standing(t) for t in tasks}
    assert {st.Standing.DONE_ON_TIME, st.Standing.DONE_LATE} <= standings
    assert any(t.deadline != t.original_deadline for t in tasks)  # the approved extension
    assert Task.objects.filter(source_kind="document").count() >= 2  # the directive to every ward
    count = Task.objects.count()
    demo.load(progress=None, stdout=out)
    assert Task.objects.count() == count

"""The background worker's heartbeat and the administrators' warning when no worker runs; the
schedule that queues the periodic tasks for the worker."""

from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests import factories
from thudo.core import queries, schedule
from thudo.core.management.commands.db_worker import Heartbeat
from thudo.core.models import Role, WorkerHeartbeat

pytestmark = pytest.mark.django_db
WARNING = "Tiến trình nền không hoạt động."


@pytest.fixture
def officer(db):
    return factories.official(role=Role.RECEPTION, agency=factories.AgencyFactory())


def test_administrators_are_warned_when_no_worker_was_ever_seen(client, city_admin, officer):
    client.force_login(city_admin)
    page = client.get("/workspace/").content.decode()
    assert WARNING in page and "Chưa thấy tiến trình nền nào chạy." in page
    client.force_login(officer)
    assert WARNING not in client.get("/workspace/").content.decode()


def test_a_beating_worker_clears_the_warning_and_a_silent_one_brings_it_back(client, city_admin):
    beat = Heartbeat("worker-a")
    beat.beat()
    beat.beat()  # one row per worker, moved forward
    assert WorkerHeartbeat.objects.get().worker_id == "worker-a"
    client.force_login(city_admin)
    assert WARNING not in client.get("/workspace/").content.decode()

    later = timezone.now() + queries.WORKER_SILENCE + timedelta(seconds=1)
    silence = queries.worker_silence(city_admin, now=later)
    assert silence is not None and silence.last_seen == WorkerHeartbeat.objects.get().seen_at
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - queries.WORKER_SILENCE - timedelta(minutes=1))
    page = client.get("/workspace/").content.decode()
    assert WARNING in page and "Lần cuối thấy tiến trình nền lúc" in page


def test_workers_gone_for_a_day_are_forgotten_when_a_new_one_starts():
    Heartbeat("old").beat()
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(days=2))
    Heartbeat("new").beat()
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["new"]


def test_the_schedule_has_the_crontab_of_the_operations_guide():
    by_task = {item.task: item.crontab for item in schedule.tasks()}
    assert by_task == {
        "thudo.notifications.tasks.deliver_due": ("* * * * *",),
        "thudo.kpi.tasks.rollup_current": ("*/5 * * * *",),
        "thudo.kpi.tasks.publish_month": ("0 6 1 * *",),
        "thudo.dossiers.tasks.send_reminders": ("30 7 * * mon-sat", "0 13 * * mon-sat"),
        "thudo.opendata.tasks.refresh_live_datasets": ("30 2 * * *",),
        "thudo.tasks.tasks.send_reminders": ("0 7 * * *",),
        "thudo.feedback.tasks.send_reminders": ("*/30 7-17 * * mon-sat",),
    }
    sched = schedule.scheduler()
    reminders = sched.get_job("thudo.dossiers.tasks.send_reminders")
    sunday_evening = timezone.datetime(2026, 12, 6, 20, 0, tzinfo=timezone.get_current_timezone())
    monday = reminders.trigger.get_next_fire_time(None, sunday_evening)
    assert (monday.weekday(), monday.hour, monday.minute) == (0, 7, 30)
    after_morning = reminders.trigger.get_next_fire_time(None, monday + timedelta(minutes=1))
    assert (after_morning.hour, after_morning.minute) == (13, 0)


def test_a_scheduled_run_queues_the_task_for_the_worker():
    schedule.enqueue("thudo.kpi.tasks.rollup_current")
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "thudo.kpi.tasks.rollup_current"
    assert queued.status == TaskResultStatus.READY
    schedule.enqueue("thudo.nothing.here")  # a broken entry is logged, never raised

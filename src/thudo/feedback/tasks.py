"""Background work of the feedback app (``django.tasks``; worker: ``thudo db_worker``)."""

from django.tasks import task

from thudo.feedback import actions


@task()
def send_reminders() -> int:
    """Reminders before the acceptance and handling deadlines (the schedule queues it)."""
    return actions.send_reminders()

"""Background work of the tasks app (``django.tasks``; worker: ``thudo db_worker``)."""

from django.tasks import task

from thudo.tasks import reminders


@task()
def send_reminders() -> dict[str, int]:
    """Today's task reminders (the schedule queues it every morning; days off send nothing)."""
    return reminders.send()

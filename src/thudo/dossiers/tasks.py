"""Background work of the dossiers app (``django.tasks``; worker: ``thudo db_worker``)."""

from django.tasks import task

from thudo.dossiers import reminders


@task()
def send_reminders() -> dict[str, int]:
    """The same as ``thudo dossier_reminders`` (the schedule queues it on working days)."""
    return reminders.send()

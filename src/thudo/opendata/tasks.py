"""Background work of the open-data app (``django.tasks``; worker: ``thudo db_worker``)."""

from __future__ import annotations

import logging

from django.tasks import task

from thudo.opendata import actions

logger = logging.getLogger(__name__)


@task()
def refresh_live_datasets() -> int:
    """Re-publish every live dataset (units, procedure catalogue, rankings ...) from the data."""
    published = actions.refresh_live()
    logger.info("open data: %s live datasets refreshed", len(published))
    return len(published)

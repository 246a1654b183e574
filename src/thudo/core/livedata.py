"""Live datasets: tables the platform itself publishes as open data (Law on Data 60/2024/QH15
Art. 21), refreshed by the worker. The app that owns the data registers a :class:`LiveDataset`
in :data:`LIVE_DATASETS` from its ``AppConfig.ready``; the open-data app (higher up) reads the
registry and publishes each one as a dataset with CSV, JSON and XLSX resources and a Frictionless
table schema, without importing the owning app (ADR 0011, registries).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from thudo.core.registries import Registry


@dataclass(frozen=True)
class Column:
    name: str  # machine name (the CSV header)
    title: str  # what people read
    type: str = "string"  # a Frictionless field type: string, integer, number, boolean, date


@dataclass(frozen=True)
class Table:
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]

    def schema(self) -> dict[str, Any]:
        """The Frictionless table schema of the rows."""
        return {"fields": [{"name": c.name, "title": str(c.title), "type": c.type} for c in self.columns]}


@dataclass(frozen=True)
class LiveDataset:
    key: str  # the dataset's name in the catalogue (a slug, unique)
    title: str
    notes: str
    table: Callable[[], Table] = field(compare=False)
    frequency: str = "DAILY"  # EU frequency authority code (thudo.opendata.models.Frequency)
    tags: tuple[str, ...] = ()
    publisher: Callable[[], str | None] = field(default=lambda: None, compare=False)  # agency code


LIVE_DATASETS: Registry[LiveDataset] = Registry("live open datasets")

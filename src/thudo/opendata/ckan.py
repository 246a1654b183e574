"""The catalogue in CKAN's shapes (package, resource, organization, group dicts), as CKAN 2.10
returns them from its Action API, so that ``ckanapi`` and harvesters read them unchanged."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from thudo.core.context import absolute_url
from thudo.opendata.licences import LICENCES
from thudo.opendata.models import Dataset, Group, Organisation, Resource

CKAN_VERSION = "2.10.4"


def _iso(value) -> str | None:
    return value.replace(tzinfo=None).isoformat() if value else None


def resource_url(resource: Resource) -> str:
    if resource.file:
        return absolute_url(
            reverse("opendata:download", kwargs={"resource_id": resource.id, "filename": resource.filename})
        )
    return resource.url


def resource_dict(resource: Resource, dataset: Dataset | None = None) -> dict[str, Any]:
    return {
        "id": str(resource.id),
        "package_id": str(resource.dataset_id),
        "name": resource.name,
        "description": resource.description,
        "url": resource_url(resource),
        "url_type": "upload" if resource.kind == "upload" else None,
        "format": resource.format,
        "mimetype": resource.mimetype or None,
        "size": resource.size,
        "hash": f"sha256:{resource.hash}" if resource.hash else "",
        "created": _iso(resource.created),
        "last_modified": _iso(resource.last_modified),
        "metadata_modified": _iso(resource.last_modified),
        "position": resource.position,
        "state": "active",
        "resource_type": resource.kind,
        "schema": resource.table_schema or "",
        "datastore_active": False,
    }


def organisation_dict(org: Organisation, *, package_count: int | None = None) -> dict[str, Any]:
    out = {
        "id": str(org.pk),
        "name": org.name,
        "title": org.title,
        "display_name": org.title,
        "description": org.description,
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "created": _iso(org.created),
        "identifier": org.agency.code,
    }
    count = package_count if package_count is not None else getattr(org, "package_count", None)
    if count is not None:
        out["package_count"] = count
    return out


def group_dict(group: Group, *, package_count: int | None = None) -> dict[str, Any]:
    out = {
        "id": str(group.pk),
        "name": group.name,
        "title": group.title,
        "display_name": group.title,
        "description": group.description,
        "type": "group",
        "is_organization": False,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "created": _iso(group.created),
    }
    count = package_count if package_count is not None else getattr(group, "package_count", None)
    if count is not None:
        out["package_count"] = count
    return out


def package_dict(dataset: Dataset) -> dict[str, Any]:
    licence = LICENCES.get(dataset.license_id)
    org = dataset.organisation
    resources = list(dataset.resources.all())
    tags = list(dataset.tags.all())
    groups = list(dataset.groups.all())
    extras = [
        {"key": "frequency", "value": dataset.frequency},
        {"key": "spatial_text", "value": dataset.spatial},
        {
            "key": "temporal_start",
            "value": dataset.temporal_start.isoformat() if dataset.temporal_start else "",
        },
        {"key": "temporal_end", "value": dataset.temporal_end.isoformat() if dataset.temporal_end else ""},
        {"key": "publisher_identifier", "value": org.agency.code},
        {"key": "language", "value": "vi"},
    ]
    return {
        "id": str(dataset.pk),
        "name": dataset.name,
        "title": dataset.title,
        "notes": dataset.notes,
        "type": "dataset",
        "state": "active",
        "private": dataset.private,
        "owner_org": str(org.pk),
        "organization": organisation_dict(org),
        "license_id": dataset.license_id,
        "license_title": licence.title if licence else dataset.license_id,
        "license_url": licence.url if licence else "",
        "isopen": licence is not None,
        "url": dataset.url or absolute_url(reverse("opendata:dataset", kwargs={"name": dataset.name})),
        "version": dataset.version or None,
        "author": dataset.contact_name or None,
        "author_email": dataset.contact_email or None,
        "maintainer": dataset.contact_name or None,
        "maintainer_email": dataset.contact_email or None,
        "metadata_created": _iso(dataset.metadata_created),
        "metadata_modified": _iso(dataset.metadata_modified),
        "frequency": dataset.frequency,
        "spatial_text": dataset.spatial,
        "temporal_start": dataset.temporal_start.isoformat() if dataset.temporal_start else None,
        "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else None,
        "tags": [{"name": t.name, "display_name": t.name, "id": str(t.pk), "state": "active"} for t in tags],
        "num_tags": len(tags),
        "groups": [group_dict(g) for g in groups],
        "resources": [resource_dict(r, dataset) for r in resources],
        "num_resources": len(resources),
        "extras": extras,
        "relationships_as_object": [],
        "relationships_as_subject": [],
        "tracking_summary": {"total": dataset.view_count, "recent": dataset.view_count},
    }

"""Every write of the open-data catalogue. The CKAN Action API, the editor's pages, the demo
loader and the worker (live datasets) all come here; the rules live here, nowhere else."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import mimetypes
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.text import slugify
from django.utils.translation import gettext as _

from thudo.core import audit, events, permissions
from thudo.core.errors import InvalidInput, NotAllowed
from thudo.core.indicators import AgencyFactsChanged
from thudo.core.livedata import LIVE_DATASETS, LiveDataset
from thudo.core.models import Agency
from thudo.core.spreadsheets import csv_bytes, xlsx_bytes
from thudo.core.text import clean, fold
from thudo.opendata import validation
from thudo.opendata.licences import DEFAULT_LICENCE, LICENCES
from thudo.opendata.models import Dataset, Frequency, Group, Organisation, Resource, ResourceKind, Tag

NAME_RE = re.compile(r"^[a-z0-9_-]{2,100}$")
TAG_RE = re.compile(r"^[\w .-]{1,100}$")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
FORMATS = {
    "csv": ("CSV", "text/csv"),
    "json": ("JSON", "application/json"),
    "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "xls": ("XLS", "application/vnd.ms-excel"),
    "xml": ("XML", "application/xml"),
    "pdf": ("PDF", "application/pdf"),
    "geojson": ("GeoJSON", "application/geo+json"),
    "zip": ("ZIP", "application/zip"),
    "txt": ("TXT", "text/plain"),
}


def _require(by, verb: str, obj=None) -> None:
    """``by=None`` is the system itself (demo loader, worker, commands)."""
    if by is not None and not permissions.can(by, verb, obj):
        raise NotAllowed()


def search_text(dataset: Dataset, tags: Iterable[str], organisation: Organisation) -> str:
    words = [dataset.name.replace("-", " ").replace("_", " "), dataset.title, dataset.notes, *tags]
    words += [organisation.title, organisation.name.replace("-", " ")]
    return fold(" ".join(words))[:4000]


# --- organisations and groups -----------------------------------------------------------------


def organisation_for(agency: Agency, *, by=None) -> Organisation:
    """The agency's publishing organisation, made on first use (idempotent)."""
    existing = Organisation.objects.filter(agency=agency).first()
    if existing is not None:
        return existing
    _require(by, "dataset.manage", agency)
    base = slugify(fold(agency.short_name or agency.name))[:80] or agency.code.lower()
    name = base
    if Organisation.objects.filter(name=name).exists():
        name = f"{base}-{slugify(agency.code)}"[:100]
    with transaction.atomic():
        org = Organisation.objects.create(agency=agency, name=name, title=agency.name, created=timezone.now())
        audit.record("opendata.organisation_create", by=by, obj=org)
    return org


def create_group(name: str, title: str, description: str = "", *, by=None) -> Group:
    _require(by, "opendata.manage")
    group, _created = Group.objects.get_or_create(
        name=name, defaults={"title": clean(title), "description": description, "created": timezone.now()}
    )
    return group


# --- datasets -----------------------------------------------------------------------------------


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)


def _extras(data: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    extras = data.get("extras")
    if isinstance(extras, list):
        for item in extras:
            if isinstance(item, dict) and "key" in item:
                out[str(item["key"])] = item.get("value")
    return out


def _names(value: Any, field: str, errors: dict[str, list[str]]) -> list[str] | None:
    """CKAN sends tags and groups as ``[{"name": ...}]``; plain strings are accepted too."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, list):
        errors[field] = [_("Phải là một danh sách.")]
        return None
    out = []
    for item in value:
        name = item.get("name") if isinstance(item, dict) else item
        name = clean(str(name or ""))
        if not name:
            continue
        if field == "tags" and not TAG_RE.match(name):
            errors.setdefault(field, []).append(
                _("Từ khóa “%(tag)s” chỉ được chứa chữ, số, khoảng trắng, -, _ và .") % {"tag": name[:40]}
            )
            continue
        out.append(name)
    return list(dict.fromkeys(out))


def _org(value: Any, errors: dict[str, list[str]]) -> Organisation | None:
    if value in (None, ""):
        errors["owner_org"] = [_("Cần chọn tổ chức công bố.")]
        return None
    value = str(value)
    org = Organisation.objects.select_related("agency").filter(name=value).first()
    if org is None and value.isdigit():
        org = Organisation.objects.select_related("agency").filter(pk=int(value)).first()
    if org is None:
        errors["owner_org"] = [_("Không có tổ chức này.")]
    return org


DATASET_TEXT = {
    "title": 255,
    "notes": 20000,
    "spatial": 255,
    "version": 40,
}


def _apply(dataset: Dataset, data: dict, *, creating: bool, errors: dict[str, list[str]]) -> dict[str, Any]:
    """Copy ``data`` (CKAN field names) onto ``dataset``; returns what else to store."""
    extras = _extras(data)
    merged = {**extras, **data}
    if creating or "name" in data:
        name = str(data.get("name") or "").strip()
        if not name:
            errors["name"] = [_("Thiếu giá trị")]
        elif not NAME_RE.match(name):
            errors["name"] = [_("Tên định danh chỉ gồm chữ thường không dấu, số, - và _ (2–100 ký tự).")]
        elif Dataset.objects.filter(name=name).exclude(pk=dataset.pk).exists():
            errors["name"] = [_("Tên định danh này đã được dùng.")]
        else:
            dataset.name = name
    for field, limit in DATASET_TEXT.items():
        if field in merged and merged[field] is not None:
            value = clean(str(merged[field])) if field != "notes" else str(merged[field]).strip()
            if len(value) > limit:
                errors[field] = [_("Quá dài (tối đa %(n)s ký tự).") % {"n": limit}]
            else:
                setattr(dataset, field, value)
    if creating and not dataset.title:
        dataset.title = dataset.name
    contact_name = merged.get("maintainer", merged.get("author"))
    if contact_name is not None:
        dataset.contact_name = clean(str(contact_name))[:200]
    contact_email = merged.get("maintainer_email", merged.get("author_email"))
    if contact_email not in (None, ""):
        try:
            validate_email(str(contact_email))
            dataset.contact_email = str(contact_email)
        except DjangoValidationError:
            errors["maintainer_email"] = [_("Địa chỉ thư điện tử không hợp lệ.")]
    if merged.get("url") not in (None, ""):
        try:
            URLValidator(schemes=["http", "https"])(str(merged["url"]))
            dataset.url = str(merged["url"])
        except DjangoValidationError:
            errors["url"] = [_("Đường dẫn không hợp lệ.")]
    if "license_id" in merged and merged["license_id"] not in (None, ""):
        if merged["license_id"] not in LICENCES:
            errors["license_id"] = [_("Giấy phép không được hỗ trợ.")]
        else:
            dataset.license_id = merged["license_id"]
    frequency = merged.get("frequency", merged.get("accrual_periodicity"))
    if frequency not in (None, ""):
        if frequency not in Frequency.values:
            errors["frequency"] = [_("Tần suất cập nhật không hợp lệ.")]
        else:
            dataset.frequency = frequency
    for field, attr in (("temporal_start", "temporal_start"), ("temporal_end", "temporal_end")):
        if merged.get(field) not in (None, ""):
            try:
                value = parse_date(str(merged[field]))
            except ValueError:
                value = None
            if value is None:
                errors[field] = [_("Ngày không hợp lệ (YYYY-MM-DD).")]
            else:
                setattr(dataset, attr, value)
    if dataset.temporal_start and dataset.temporal_end and dataset.temporal_start > dataset.temporal_end:
        errors["temporal_end"] = [_("Ngày kết thúc trước ngày bắt đầu.")]
    if "private" in data:
        dataset.private = _as_bool(data["private"])
    tags = _names(data.get("tags"), "tags", errors)
    groups = _names(data.get("groups"), "groups", errors)
    group_rows = None
    if groups is not None:
        group_rows = list(Group.objects.filter(name__in=groups))
        missing = set(groups) - {g.name for g in group_rows}
        if missing:
            errors["groups"] = [_("Không có chủ đề: %(names)s") % {"names": ", ".join(sorted(missing))}]
    return {"tags": tags, "groups": group_rows}


def _save_links(dataset: Dataset, tags: list[str] | None, groups: list[Group] | None) -> None:
    if tags is not None:
        existing = {t.name: t for t in Tag.objects.filter(name__in=tags)}
        new = [Tag(name=n) for n in tags if n not in existing]
        if new:
            Tag.objects.bulk_create(new, ignore_conflicts=True)
            existing = {t.name: t for t in Tag.objects.filter(name__in=tags)}
        dataset.tags.set([existing[n] for n in tags if n in existing])
    if groups is not None:
        dataset.groups.set(groups)


def _refresh_search(dataset: Dataset) -> None:
    dataset.search_text = search_text(
        dataset, dataset.tags.values_list("name", flat=True), dataset.organisation
    )
    Dataset.objects.filter(pk=dataset.pk).update(search_text=dataset.search_text)


def _changed(dataset: Dataset) -> None:
    """The publishing agency's open-data facts changed (kpi refreshes its month after the commit)."""
    events.publish(AgencyFactsChanged(agency_id=dataset.organisation.agency_id, at=timezone.now()))


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise InvalidInput(_("Dữ liệu không hợp lệ."), fields={k: "\n".join(v) for k, v in errors.items()})


def create_dataset(data: dict, *, by=None) -> Dataset:
    """``data`` uses CKAN's field names (``name``, ``title``, ``notes``, ``owner_org``, ``tags``,
    ``groups``, ``license_id``, ``private``, ``resources`` ...)."""
    errors: dict[str, list[str]] = {}
    org = _org(data.get("owner_org"), errors)
    if org is not None:
        _require(by, "dataset.manage", org)
    now = timezone.now()
    dataset = Dataset(metadata_created=now, metadata_modified=now, license_id=DEFAULT_LICENCE)
    links = _apply(dataset, data, creating=True, errors=errors)
    resources = data.get("resources") or []
    if not isinstance(resources, list):
        errors["resources"] = [_("Phải là một danh sách.")]
    _raise(errors)
    assert org is not None
    dataset.organisation = org
    with transaction.atomic():
        dataset.save()
        _save_links(dataset, links["tags"], links["groups"])
        for item in resources:
            if isinstance(item, dict):
                _add_resource(dataset, item, upload=None, now=now)
        _refresh_search(dataset)
        audit.record("opendata.dataset_create", by=by, obj=dataset)
        _changed(dataset)
    return dataset


def update_dataset(dataset: Dataset, data: dict, *, by=None, patch: bool = True) -> Dataset:
    """``patch=False`` is CKAN's ``package_update``: fields left out are cleared to defaults and
    resources are replaced by those given."""
    _require(by, "dataset.manage", dataset.organisation)
    errors: dict[str, list[str]] = {}
    if "owner_org" in data and data["owner_org"] not in (None, ""):
        org = _org(data["owner_org"], errors)
        if org is not None and org.pk != dataset.organisation_id:
            _require(by, "dataset.manage", org)
            dataset.organisation = org
    if not patch:
        for field in ("notes", "spatial", "version", "contact_name", "contact_email", "url"):
            if field not in data:
                setattr(dataset, field, "")
        data = {"tags": [], "groups": [], **data}
    links = _apply(dataset, data, creating=False, errors=errors)
    resources = data.get("resources")
    if resources is not None and not isinstance(resources, list):
        errors["resources"] = [_("Phải là một danh sách.")]
    _raise(errors)
    now = timezone.now()
    with transaction.atomic():
        dataset.metadata_modified = now
        dataset.save()
        _save_links(dataset, links["tags"], links["groups"])
        if resources is not None:
            keep = {str(r.get("id")) for r in resources if isinstance(r, dict) and r.get("id")}
            dataset.resources.exclude(id__in=[k for k in keep if _is_uuid(k)]).delete()
            for item in resources:
                if not isinstance(item, dict):
                    continue
                current = (
                    dataset.resources.filter(id=item["id"]).first() if _is_uuid(item.get("id")) else None
                )
                if current is not None:
                    _patch_resource_fields(current, item, errors)
                    _raise(errors)
                    current.last_modified = now
                    current.save()
                else:
                    _add_resource(dataset, item, upload=None, now=now)
        _refresh_search(dataset)
        audit.record("opendata.dataset_update", by=by, obj=dataset)
        _changed(dataset)
    return dataset


def _is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(re.fullmatch(r"[0-9a-fA-F-]{32,36}", value))


# --- resources ----------------------------------------------------------------------------------


def _format_of(name: str, declared: str | None) -> tuple[str, str]:
    if declared:
        fmt = str(declared).strip().upper()[:20]
        for known, mime in FORMATS.values():
            if known.upper() == fmt:
                return known, mime
        return fmt, mimetypes.guess_type(f"x.{fmt.lower()}")[0] or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in FORMATS:
        return FORMATS[ext]
    return ext.upper()[:20], mimetypes.guess_type(name)[0] or ""


def _patch_resource_fields(resource: Resource, data: dict, errors: dict[str, list[str]]) -> None:
    for field, limit in (("name", 255), ("description", 5000)):
        if data.get(field) is not None:
            value = clean(str(data[field])) if field == "name" else str(data[field]).strip()
            setattr(resource, field, value[:limit])
    if data.get("url") not in (None, "") and resource.kind != ResourceKind.UPLOAD:
        try:
            URLValidator(schemes=["http", "https"])(str(data["url"]))
            resource.url = str(data["url"])
            resource.kind = ResourceKind.LINK if resource.kind != ResourceKind.LIVE else resource.kind
        except DjangoValidationError:
            errors["url"] = [_("Đường dẫn không hợp lệ.")]
    if data.get("format") not in (None, ""):
        resource.format, resource.mimetype = _format_of("", data["format"])
    if "schema" in data:
        schema = data["schema"]
        if isinstance(schema, str) and schema.strip():
            try:
                schema = json.loads(schema)
            except ValueError:
                schema = "invalid"
        problems = validation.schema_problems(schema)
        if problems:
            errors["schema"] = problems
        else:
            resource.table_schema = schema or None


def _store_upload(resource: Resource, upload, errors: dict[str, list[str]]) -> bytes | None:
    """Read the upload (size-capped), set format, size and hash; returns the bytes."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        errors["upload"] = [_("Tệp quá lớn (tối đa 50 MB).")]
        return None
    content = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        errors["upload"] = [_("Tệp quá lớn (tối đa 50 MB).")]
        return None
    filename = (getattr(upload, "name", "") or "tep").rsplit("/", 1)[-1]
    if not resource.format:
        resource.format, resource.mimetype = _format_of(filename, None)
    resource.size = len(content)
    resource.hash = hashlib.sha256(content).hexdigest()
    resource.kind = ResourceKind.UPLOAD
    resource.url = ""
    if not resource.name:
        resource.name = filename[:255]
    return content


def _check_table(resource: Resource, content: bytes, errors: dict[str, list[str]]) -> None:
    if resource.format.upper() != "CSV":
        return
    problems = validation.check_csv(content, resource.table_schema)
    if problems:
        errors["upload"] = [p.message for p in problems]


def _add_resource(dataset: Dataset, data: dict, *, upload, now: dt.datetime) -> Resource:
    errors: dict[str, list[str]] = {}
    resource = Resource(
        dataset=dataset,
        created=now,
        last_modified=now,
        kind=ResourceKind.LINK,
        position=dataset.resources.count(),
    )
    _patch_resource_fields(resource, data, errors)
    content = None
    if upload is not None:
        content = _store_upload(resource, upload, errors)
        if content is not None:
            _check_table(resource, content, errors)
    elif not resource.url:
        errors["url"] = [_("Cần một đường dẫn hoặc một tệp tải lên.")]
    if not resource.name:
        resource.name = resource.url.rsplit("/", 1)[-1][:255] or _("Tài nguyên")
    _raise(errors)
    if content is not None:
        resource.file.save(
            getattr(upload, "name", "tep").rsplit("/", 1)[-1], ContentFile(content), save=False
        )
    resource.save()
    return resource


def create_resource(dataset: Dataset, data: dict, *, upload=None, by=None) -> Resource:
    """A file (``upload``), a link (``url``). A CSV upload is checked against the resource's
    ``schema`` (Frictionless); a refused upload leaves the dataset as it was."""
    _require(by, "dataset.manage", dataset.organisation)
    now = timezone.now()
    with transaction.atomic():
        resource = _add_resource(dataset, data, upload=upload, now=now)
        Dataset.objects.filter(pk=dataset.pk).update(metadata_modified=now)
        audit.record("opendata.resource_create", by=by, obj=resource)
        _changed(resource.dataset)
    return resource


def patch_resource(resource: Resource, data: dict, *, upload=None, by=None) -> Resource:
    dataset = resource.dataset
    _require(by, "dataset.manage", dataset.organisation)
    errors: dict[str, list[str]] = {}
    _patch_resource_fields(resource, data, errors)
    content = None
    if upload is not None:
        content = _store_upload(resource, upload, errors)
        if content is not None:
            _check_table(resource, content, errors)
    _raise(errors)
    now = timezone.now()
    with transaction.atomic():
        if content is not None:
            resource.file.save(
                getattr(upload, "name", "tep").rsplit("/", 1)[-1], ContentFile(content), save=False
            )
        resource.last_modified = now
        resource.save()
        Dataset.objects.filter(pk=dataset.pk).update(metadata_modified=now)
        audit.record("opendata.resource_update", by=by, obj=resource)
        _changed(resource.dataset)
    return resource


# --- live datasets ----------------------------------------------------------------------------------


class LiveTableInvalid(Exception):
    """A live table does not match its own schema: not published (the previous files stay)."""


def publish_live(entry: LiveDataset, *, now: dt.datetime | None = None) -> Dataset | None:
    """Publish (or refresh) one registered live dataset: CSV, JSON and XLSX resources made from
    the owning app's table, the CSV validated against the table's Frictionless schema first.
    Returns None when there is no agency to publish it under yet."""
    code = entry.publisher()
    agency = Agency.objects.filter(code=code).first() if code else None
    agency = agency or Agency.objects.order_by("code").first()
    if agency is None:
        return None
    org = organisation_for(agency)
    now = now or timezone.now()
    table = entry.table()
    schema = table.schema()
    head = [c.name for c in table.columns]
    csv_content = csv_bytes(head, table.rows)
    problems = validation.check_csv(csv_content, schema)
    if problems:
        raise LiveTableInvalid(f"{entry.key}: {validation.report_text(problems)}")
    records = [dict(zip(head, row, strict=True)) for row in table.rows]
    json_content = json.dumps(
        {"schema": schema, "data": records}, ensure_ascii=False, default=str, indent=1
    ).encode("utf-8")
    xlsx_content = xlsx_bytes(
        entry.title, now.strftime("%d/%m/%Y %H:%M"), [str(c.title) for c in table.columns], table.rows
    )
    files = (
        ("CSV", f"{entry.key}.csv", csv_content, schema),
        ("JSON", f"{entry.key}.json", json_content, None),
        ("XLSX", f"{entry.key}.xlsx", xlsx_content, None),
    )
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().filter(live_key=entry.key).first()
        if dataset is None:
            dataset = Dataset(
                name=entry.key,
                live_key=entry.key,
                organisation=org,
                metadata_created=now,
                license_id=DEFAULT_LICENCE,
            )
        dataset.title = entry.title
        dataset.notes = entry.notes
        dataset.frequency = entry.frequency
        dataset.metadata_modified = now
        dataset.save()
        _save_links(dataset, list(entry.tags), None)
        existing = {r.format: r for r in dataset.resources.all()}
        for position, (fmt, filename, content, table_schema) in enumerate(files):
            resource = existing.get(fmt) or Resource(
                dataset=dataset, created=now, kind=ResourceKind.LIVE, position=position
            )
            resource.name = f"{entry.title} ({fmt})"
            resource.format, resource.mimetype = FORMATS[fmt.lower()]
            resource.size = len(content)
            resource.hash = hashlib.sha256(content).hexdigest()
            resource.table_schema = table_schema
            resource.last_modified = now
            old = resource.file.name if resource.file else None
            resource.file.save(filename, ContentFile(content), save=False)
            resource.save()
            if old and old != resource.file.name:
                transaction.on_commit(lambda name=old, storage=resource.file.storage: storage.delete(name))
        _refresh_search(dataset)
    return dataset


def refresh_live(*, now: dt.datetime | None = None) -> list[Dataset]:
    """Every registered live dataset, each in its own transaction."""
    return [d for entry in LIVE_DATASETS if (d := publish_live(entry, now=now)) is not None]


# --- usage ----------------------------------------------------------------------------------------


def count_view(dataset: Dataset) -> None:
    Dataset.objects.filter(pk=dataset.pk).update(view_count=F("view_count") + 1)


def count_download(resource: Resource) -> None:
    Resource.objects.filter(pk=resource.pk).update(download_count=F("download_count") + 1)
    Dataset.objects.filter(pk=resource.dataset_id).update(download_count=F("download_count") + 1)

"""Every read of the catalogue, filtered by who asks: anonymous callers and citizens see public
datasets; an editor (``dataset.manage`` in the organisation's agency) also sees the private ones
of their organisation when asking for them (CKAN's ``include_private``)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet

from thudo.core import permissions
from thudo.core.errors import NotFound
from thudo.core.queries import ranked_search
from thudo.core.text import fold
from thudo.opendata.models import Dataset, Group, Organisation, Resource, Tag

FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id")
SORTS = {
    "metadata_modified": "metadata_modified",
    "metadata_created": "metadata_created",
    "name": "name",
    "title_string": "title",
    "title": "title",
    "views_recent": "view_count",
}
MAX_ROWS = 1000


def base(person, *, include_private: bool = False) -> QuerySet[Dataset]:
    """The datasets ``person`` may list: public ones, and with ``include_private`` the private
    ones of the organisations they edit."""
    public = Q(private=False)
    if include_private and person is not None and person.is_authenticated:
        if permissions.is_city_admin(person):
            return Dataset.objects.all()
        editable = permissions.visible(person, Dataset.objects.filter(private=True), "dataset.manage")
        return Dataset.objects.filter(public | Q(pk__in=editable.values("pk")))
    return Dataset.objects.filter(public)


def with_details(qs: QuerySet[Dataset]) -> QuerySet[Dataset]:
    return qs.select_related("organisation__agency").prefetch_related(
        "tags", "groups", Prefetch("resources", queryset=Resource.objects.order_by("position", "created"))
    )


def dataset(person, ref: str, *, for_edit: bool = False) -> Dataset:
    """One dataset by id or name; private ones only for their editors (others: NotFound)."""
    ref = str(ref or "").strip()
    qs = with_details(base(person, include_private=True))
    found = qs.filter(Q(name=ref) | Q(pk=ref) if _is_uuid(ref) else Q(name=ref)).first()
    if found is None:
        raise NotFound()
    return found


def can_edit(person, dataset: Dataset) -> bool:
    return permissions.can(person, "dataset.manage", dataset.organisation)


def resource(person, ref: str) -> Resource:
    if not _is_uuid(ref):
        raise NotFound()
    found = Resource.objects.select_related("dataset__organisation").filter(pk=ref).first()
    if found is None or not base(person, include_private=True).filter(pk=found.dataset_id).exists():
        raise NotFound()
    return found


def _is_uuid(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}", value or ""))


def names(person, *, limit: int | None = None, offset: int = 0, include_private: bool = False) -> list[str]:
    qs = base(person, include_private=include_private).order_by("name").values_list("name", flat=True)
    end = offset + limit if limit else None
    return list(qs[offset:end])


def editable_organisations(person) -> QuerySet[Organisation]:
    qs = Organisation.objects.select_related("agency")
    if permissions.is_city_admin(person):
        return qs
    agencies = permissions.agencies_for(person, "dataset.manage")
    return qs.filter(agency_id__in=agencies)


# --- search ---------------------------------------------------------------------------------------

FQ_TERM = re.compile(r'([+-]?)([A-Za-z_]+):("(?:[^"\\]|\\.)*"|\S+)')


@dataclass
class Search:
    count: int
    results: list[Dataset]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    titles: dict[str, dict[str, str]] = field(default_factory=dict)
    sort: str = ""


class BadQuery(ValueError):
    pass


def _fq_filter(fq: str) -> Q:
    condition = Q()
    for sign, key, raw in FQ_TERM.findall(fq or ""):
        value = raw[1:-1].replace('\\"', '"') if raw.startswith('"') else raw
        if key in ("organization", "owner_org"):
            term = Q(organisation__name=value) | (Q(organisation__pk=value) if value.isdigit() else Q())
        elif key == "tags":
            term = Q(tags__name=value)
        elif key == "groups":
            term = Q(groups__name=value)
        elif key == "res_format":
            term = Q(resources__format__iexact=value)
        elif key == "license_id":
            term = Q(license_id=value)
        elif key == "name":
            term = Q(name=value)
        elif key == "private":
            term = Q(private=value.lower() == "true")
        elif key in ("dataset_type", "type", "state", "capacity", "site_id"):
            continue  # one type, every listed dataset is active and public to its readers
        else:
            raise BadQuery(key)
        condition &= ~term if sign == "-" else term
    return condition


def _sort(sort: str) -> list[str]:
    order = []
    for part in (sort or "").split(","):
        words = part.split()
        if not words:
            continue
        key = SORTS.get(words[0])
        if words[0] == "score":
            order.append("score")
            continue
        if key is None:
            raise BadQuery(words[0])
        desc = len(words) > 1 and words[1].lower() == "desc"
        order.append(f"-{key}" if desc else key)
    return order


def search(
    person,
    *,
    q: str = "",
    fq: str = "",
    sort: str = "",
    rows: int = 10,
    start: int = 0,
    facet_fields: list[str] | None = None,
    facet_limit: int = 50,
    include_private: bool = False,
) -> Search:
    """CKAN's ``package_search`` over the catalogue. PostgreSQL: full-text search on the folded
    (diacritic-free) text; SQLite: the platform's ranked LIKE search. Same answers for plain words."""
    qs = base(person, include_private=include_private)
    q = (q or "").strip()
    if q in ("*:*", "*"):
        q = ""
    # "field:value" terms inside q (CKAN passes them on to Solr): treated as filters.
    field_terms = " ".join(m.group(0) for m in FQ_TERM.finditer(q))
    if field_terms:
        fq = f"{fq} {field_terms}"
        q = FQ_TERM.sub(" ", q).strip()
    fq_condition = _fq_filter(fq)
    if fq_condition:
        qs = qs.filter(pk__in=Dataset.objects.filter(fq_condition).values("pk"))
    order = _sort(sort) or (["score", "-metadata_modified"] if q else ["-metadata_modified"])
    words = " ".join(re.sub(r"[^\w]+", " ", fold(q)).split())
    ranked = False
    if words and connection.vendor == "postgresql":
        query = SearchQuery(words, config="simple", search_type="plain")
        vector = SearchVector("search_text", config="simple")
        qs = qs.annotate(_vector=vector).filter(_vector=query).annotate(relevance=SearchRank(vector, query))
        ranked = True
    elif words:
        qs = ranked_search(qs, words, "name")
        ranked = True
    fields = [f.replace("score", "") for f in order]
    final = []
    for f in order:
        if f == "score":
            if ranked:
                final.append("-relevance")
        else:
            final.append(f)
    final.append("name")
    qs = qs.order_by(*final)
    count = qs.count()
    page_ids = list(qs.values_list("pk", flat=True)[start : start + rows]) if rows > 0 else []
    by_id = {d.pk: d for d in with_details(Dataset.objects.filter(pk__in=page_ids))}
    results = [by_id[pk] for pk in page_ids if pk in by_id]
    del fields
    facets, titles = _facets(qs, facet_fields or [], facet_limit) if facet_fields else ({}, {})
    return Search(count=count, results=results, facets=facets, titles=titles, sort=sort)


def _facets(qs: QuerySet[Dataset], wanted: list[str], limit: int) -> tuple[dict, dict]:
    ids = qs.order_by().values("pk")
    facets: dict[str, dict[str, int]] = {}
    titles: dict[str, dict[str, str]] = {}
    for name in wanted:
        if name not in FACET_FIELDS:
            continue
        counts: Counter[str] = Counter()
        names: dict[str, str] = {}
        if name == "organization":
            for row in (
                Organisation.objects.filter(datasets__in=ids)
                .values("name", "title")
                .annotate(n=Count("datasets", distinct=True))
            ):
                counts[row["name"]] = row["n"]
                names[row["name"]] = row["title"]
        elif name == "groups":
            for row in (
                Group.objects.filter(datasets__in=ids).values("name", "title").annotate(n=Count("datasets"))
            ):
                counts[row["name"]] = row["n"]
                names[row["name"]] = row["title"]
        elif name == "tags":
            for row in Tag.objects.filter(datasets__in=ids).values("name").annotate(n=Count("datasets")):
                counts[row["name"]] = row["n"]
        elif name == "res_format":
            for row in (
                Resource.objects.filter(dataset__in=ids)
                .exclude(format="")
                .values("format")
                .annotate(n=Count("dataset", distinct=True))
            ):
                counts[row["format"]] += row["n"]
        elif name == "license_id":
            for row in qs.order_by().values("license_id").annotate(n=Count("pk")):
                counts[row["license_id"]] = row["n"]
        top = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])
        facets[name] = top
        titles[name] = {k: names.get(k, k) for k in top}
    return facets, titles


# --- organisations, groups, tags -------------------------------------------------------------------


def organisations(person, *, include_private: bool = False) -> QuerySet[Organisation]:
    visible = base(person, include_private=include_private)
    return Organisation.objects.select_related("agency").annotate(
        package_count=Count("datasets", filter=Q(datasets__in=visible.values("pk")), distinct=True)
    )


def organisation(person, ref: str) -> Organisation:
    ref = str(ref or "")
    found = organisations(person).filter(Q(name=ref) | (Q(pk=ref) if ref.isdigit() else Q())).first()
    if found is None:
        raise NotFound()
    return found


def groups(person) -> QuerySet[Group]:
    visible = base(person)
    return Group.objects.annotate(
        package_count=Count("datasets", filter=Q(datasets__in=visible.values("pk")), distinct=True)
    )


def group(person, ref: str) -> Group:
    found = groups(person).filter(name=str(ref or "")).first()
    if found is None:
        raise NotFound()
    return found


def tags(person, query: str = "") -> list[str]:
    qs = Tag.objects.filter(datasets__in=base(person).values("pk")).distinct()
    if query:
        qs = qs.filter(name__icontains=query)
    return list(qs.order_by("name").values_list("name", flat=True))


def stats() -> dict[str, Any]:
    return {"datasets": Dataset.objects.filter(private=False).count()}

"""Pages of the open-data catalogue: the public catalogue and dataset pages, file downloads,
the DCAT-AP catalogue, the editor's pages and the publication indicators. Thin: reads through
``queries``, writes through ``actions``."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thudo.core.context import absolute_url
from thudo.core.errorpages import hide_denied
from thudo.core.errors import InvalidInput, NotFound
from thudo.opendata import actions, dcat, indicators, queries
from thudo.opendata.licences import LICENCES
from thudo.opendata.models import Frequency

PAGE_SIZE = 20
PREVIEW_ROWS = 10
PREVIEW_BYTES = 256 * 1024
FACETS = ("organization", "groups", "tags", "res_format")
INLINE_TYPES = {"text/csv", "application/json", "text/plain", "application/pdf"}


def catalogue(request):
    q = request.GET.get("q", "")[:200]
    chosen = {f: request.GET.get(f, "")[:100] for f in FACETS if request.GET.get(f)}
    fq = " ".join(f'{k}:"{v}"' for k, v in chosen.items())
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    found = queries.search(
        request.user,
        q=q,
        fq=fq,
        rows=PAGE_SIZE,
        start=(page_number - 1) * PAGE_SIZE,
        facet_fields=list(FACETS),
        facet_limit=10,
    )
    facet_links = []
    for name in FACETS:
        items = []
        for key, count in found.facets.get(name, {}).items():
            params = {**({"q": q} if q else {}), **chosen, name: key}
            if chosen.get(name) == key:
                params.pop(name)
            items.append(
                {
                    "label": found.titles[name].get(key, key),
                    "count": count,
                    "url": "?" + urlencode(params),
                    "active": chosen.get(name) == key,
                }
            )
        facet_links.append((FACET_TITLES()[name], items))
    pages = max(1, -(-found.count // PAGE_SIZE))
    base_params = {**({"q": q} if q else {}), **chosen}
    return render(
        request,
        "opendata/catalogue.html",
        {
            "q": q,
            "found": found,
            "facets": facet_links,
            "page": page_number,
            "pages": pages,
            "prev_url": "?" + urlencode({**base_params, "page": page_number - 1}) if page_number > 1 else "",
            "next_url": "?" + urlencode({**base_params, "page": page_number + 1})
            if page_number < pages
            else "",
            "api_url": absolute_url("/api/3/action/package_search?" + urlencode({"q": q, "rows": PAGE_SIZE})),
        },
    )


def FACET_TITLES() -> dict[str, str]:  # noqa: N802 (a table, translated when asked)
    return {
        "organization": _("Cơ quan công bố"),
        "groups": _("Chủ đề"),
        "tags": _("Từ khóa"),
        "res_format": _("Định dạng"),
    }


def _preview(resource) -> tuple[list[str], list[list[str]]] | None:
    if resource.format.upper() != "CSV" or not resource.file:
        return None
    try:
        with resource.file.open("rb") as handle:
            head = handle.read(PREVIEW_BYTES)
    except OSError:
        return None
    text = head.decode("utf-8", errors="replace")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return None
    return rows[0], rows[1 : PREVIEW_ROWS + 1]


@hide_denied
def dataset(request, name: str):
    found = queries.dataset(request.user, name)
    actions.count_view(found)
    resources = [(r, _preview(r)) for r in found.resources.all()]
    return render(
        request,
        "opendata/dataset.html",
        {
            "dataset": found,
            "resources": resources,
            "licence": LICENCES.get(found.license_id),
            "can_edit": queries.can_edit(request.user, found),
            "api_url": absolute_url(f"/api/3/action/package_show?id={found.name}"),
            "stale": indicators.is_stale(found),
        },
    )


@hide_denied
def download(request, resource_id: str, filename: str):
    resource = queries.resource(request.user, str(resource_id))
    if not resource.file:
        raise Http404
    actions.count_download(resource)
    # Shown in the browser only for plain data types; anything else (HTML, SVG ...) is a download,
    # so an uploaded file can never run as a page of the platform.
    inline = resource.mimetype in INLINE_TYPES
    response = FileResponse(resource.file.open("rb"), as_attachment=not inline, filename=filename)
    if inline:
        response["Content-Type"] = resource.mimetype + (
            "; charset=utf-8" if resource.mimetype != "application/pdf" else ""
        )
    else:
        response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def catalog_rdf(request, fmt: str):
    kind = dcat.FORMATS.get(fmt)
    if kind is None:
        raise Http404
    qs = queries.base(None).order_by("name")
    since = request.GET.get("modified_since", "").strip()
    if since:
        try:
            moment = parse_datetime(since)
        except ValueError:
            moment = None
        if moment is None:
            return HttpResponse(
                _("Tham số modified_since không hợp lệ (ISO 8601)."),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        qs = qs.filter(metadata_modified__gte=moment)
    datasets = list(queries.with_details(qs))
    body = dcat.graph(datasets).serialize(format=kind)
    return HttpResponse(body, content_type=f"{dcat.CONTENT_TYPES[kind]}; charset=utf-8")


def indicators_page(request):
    rows = indicators.per_department()
    return render(
        request,
        "opendata/indicators.html",
        {
            "rows": rows,
            "registered": sum(1 for r in rows if r.registered),
            "opened": sum(1 for r in rows if r.opened),
        },
    )


# --- editor ---------------------------------------------------------------------------------------


@login_required
def editor(request):
    orgs = list(queries.editable_organisations(request.user))
    if not orgs:
        raise Http404
    datasets = queries.with_details(
        queries.base(request.user, include_private=True).filter(organisation__in=orgs)
    )
    page = Paginator(datasets.order_by("-metadata_modified", "name"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "opendata/editor.html", {"orgs": orgs, "page": page})


@login_required
def dataset_new(request):
    orgs = list(queries.editable_organisations(request.user))
    if not orgs:
        raise Http404
    data = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {
            key: request.POST.get(key, "")
            for key in (
                "name",
                "title",
                "notes",
                "owner_org",
                "frequency",
                "spatial",
                "maintainer",
                "maintainer_email",
            )
        }
        data["tags"] = request.POST.get("tags", "")
        data["private"] = bool(request.POST.get("private"))
        try:
            created = actions.create_dataset(data, by=request.user)
        except InvalidInput as exc:
            errors = exc.fields
        else:
            messages.success(request, _("Đã tạo bộ dữ liệu. Hãy thêm tài nguyên."))
            return redirect("opendata:resource_new", name=created.name)
    return render(
        request,
        "opendata/dataset_form.html",
        {"orgs": orgs, "data": data, "errors": errors, "frequencies": Frequency.choices},
        status=422 if errors else 200,
    )


@hide_denied
@login_required
def resource_new(request, name: str):
    found = queries.dataset(request.user, name)
    if not queries.can_edit(request.user, found):
        raise NotFound()
    data: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {key: request.POST.get(key, "") for key in ("name", "description", "url", "format", "schema")}
        if not data["schema"].strip():
            data.pop("schema")
        upload = request.FILES.get("upload")
        try:
            actions.create_resource(found, data, upload=upload, by=request.user)
        except InvalidInput as exc:
            errors = exc.fields
        else:
            messages.success(request, _("Đã công bố tài nguyên."))
            return redirect("opendata:dataset", name=found.name)
    return render(
        request,
        "opendata/resource_form.html",
        {
            "dataset": found,
            "data": data,
            "errors": errors,
            "report": errors.get("upload", "").split("\n") if errors.get("upload") else [],
        },
        status=422 if errors else 200,
    )


@require_POST
@hide_denied
@login_required
def dataset_visibility(request, name: str):
    found = queries.dataset(request.user, name)
    actions.update_dataset(found, {"private": request.POST.get("private") == "1"}, by=request.user)
    messages.success(request, _("Đã cập nhật chế độ công khai."))
    return redirect(reverse("opendata:dataset", kwargs={"name": found.name}))

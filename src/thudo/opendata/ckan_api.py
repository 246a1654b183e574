"""The CKAN-compatible Action API: ``/api/3/action/<name>`` and ``/api/action/<name>`` (the
path ``ckanapi`` uses). Plain Django views, not the platform's ninja API: CKAN's envelope
(``help``/``success``/``result``), error ``__type`` values and HTTP codes are what CKAN clients
and harvesters expect (ADR opendata). Thin: reads through ``queries``, writes through ``actions``.

Authentication: CKAN clients send the raw API token in ``Authorization`` (and
``X-CKAN-API-Key``); the platform's tokens (``thudo create_token``) are accepted there. Writes
need a token (no cookies, so no CSRF); reads also work signed in.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from thudo.core.context import absolute_url
from thudo.core.errors import InvalidInput, NotAllowed, NotFound
from thudo.core.middleware import user_for_token
from thudo.opendata import actions, ckan, queries
from thudo.opendata.queries import MAX_ROWS, BadQuery

WRITES = {"package_create", "package_update", "package_patch", "resource_create", "resource_patch"}


class BadRequest(Exception):
    pass


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)


def _int(params: dict, key: str, default: int, *, low: int = 0, high: int | None = None) -> int:
    raw = params.get(key, default)
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(fields={key: _("Phải là số nguyên.")}) from exc
    if value < low:
        raise InvalidInput(fields={key: _("Phải lớn hơn hoặc bằng %(n)s.") % {"n": low}})
    return min(value, high) if high is not None else value


def _id(params: dict, key: str = "id") -> str:
    value = params.get(key)
    if value in (None, ""):
        raise InvalidInput(fields={key: _("Thiếu giá trị")})
    return str(value)


# --- actions ---------------------------------------------------------------------------------------


def status_show(request, params):
    return {
        "site_title": _("Cổng dữ liệu mở Thủ đô số"),
        "site_description": _("Danh mục dữ liệu mở của các cơ quan thành phố"),
        "site_url": absolute_url("/"),
        "ckan_version": ckan.CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": "vi",
        "extensions": ["dcat"],
    }


def package_list(request, params):
    limit = _int(params, "limit", 0, high=None) or None
    offset = _int(params, "offset", 0)
    return queries.names(request.user, limit=limit, offset=offset)


def package_show(request, params):
    return ckan.package_dict(queries.dataset(request.user, _id(params)))


def package_search(request, params):
    facet_fields = params.get("facet.field") or []
    if isinstance(facet_fields, str):
        try:
            facet_fields = json.loads(facet_fields)
        except ValueError as exc:
            raise InvalidInput(fields={"facet.field": _("Phải là một danh sách JSON.")}) from exc
    if not isinstance(facet_fields, list):
        raise InvalidInput(fields={"facet.field": _("Phải là một danh sách JSON.")})
    fq = params.get("fq") or ""
    fq_list = params.get("fq_list") or []
    if isinstance(fq_list, list):
        fq = " ".join([str(fq), *map(str, fq_list)])
    found = queries.search(
        request.user,
        q=str(params.get("q") or ""),
        fq=str(fq),
        sort=str(params.get("sort") or ""),
        rows=_int(params, "rows", 10, high=MAX_ROWS),
        start=_int(params, "start", 0),
        facet_fields=[str(f) for f in facet_fields],
        facet_limit=_int(params, "facet.limit", 50, low=-1) if params.get("facet.limit") != "-1" else 1000,
        include_private=_bool(params.get("include_private", False)),
    )
    return {
        "count": found.count,
        "sort": found.sort
        or ("score desc, metadata_modified desc" if params.get("q") else "metadata_modified desc"),
        "results": [ckan.package_dict(d) for d in found.results],
        "facets": found.facets,
        "search_facets": {
            name: {
                "title": name,
                "items": [
                    {"name": key, "display_name": found.titles[name].get(key, key), "count": count}
                    for key, count in values.items()
                ],
            }
            for name, values in found.facets.items()
        },
    }


def _list(request, params, rows, as_dict: Callable) -> list:
    limit = _int(params, "limit", 0) or None
    offset = _int(params, "offset", 0)
    end = offset + limit if limit else None
    rows = list(rows.order_by("name")[offset:end])
    if _bool(params.get("all_fields", False)):
        return [as_dict(r) for r in rows]
    return [r.name for r in rows]


def organization_list(request, params):
    return _list(request, params, queries.organisations(request.user), ckan.organisation_dict)


def organization_show(request, params):
    org = queries.organisation(request.user, _id(params))
    out = ckan.organisation_dict(org)
    if _bool(params.get("include_datasets", False)):
        found = queries.search(request.user, fq=f"organization:{org.name}", rows=1000)
        out["packages"] = [ckan.package_dict(d) for d in found.results]
    out["users"] = []
    return out


def group_list(request, params):
    return _list(request, params, queries.groups(request.user), ckan.group_dict)


def group_show(request, params):
    group = queries.group(request.user, _id(params))
    out = ckan.group_dict(group)
    if _bool(params.get("include_datasets", False)):
        found = queries.search(request.user, fq=f"groups:{group.name}", rows=1000)
        out["packages"] = [ckan.package_dict(d) for d in found.results]
    return out


def tag_list(request, params):
    names = queries.tags(request.user, str(params.get("query") or ""))
    if _bool(params.get("all_fields", False)):
        return [{"name": n, "display_name": n} for n in names]
    return names


def resource_show(request, params):
    return ckan.resource_dict(queries.resource(request.user, _id(params)))


def resource_view_list(request, params):
    queries.resource(request.user, _id(params))
    return []


def _writer(request):
    if not getattr(request, "ckan_token_user", None):
        raise NotAllowed(_("Cần mã truy cập API (tiêu đề Authorization) để ghi dữ liệu."))
    return request.ckan_token_user


def package_create(request, params):
    by = _writer(request)
    dataset = actions.create_dataset(params, by=by)
    return ckan.package_dict(queries.dataset(by, str(dataset.pk)))


def _update(request, params, *, patch: bool):
    by = _writer(request)
    dataset = queries.dataset(by, _id(params))
    actions.update_dataset(dataset, params, by=by, patch=patch)
    return ckan.package_dict(queries.dataset(by, str(dataset.pk)))


def package_update(request, params):
    return _update(request, params, patch=False)


def package_patch(request, params):
    return _update(request, params, patch=True)


def resource_create(request, params):
    by = _writer(request)
    dataset = queries.dataset(by, _id(params, "package_id"))
    resource = actions.create_resource(dataset, params, upload=request.FILES.get("upload"), by=by)
    return ckan.resource_dict(queries.resource(by, str(resource.pk)))


def resource_patch(request, params):
    by = _writer(request)
    resource = queries.resource(by, _id(params))
    actions.patch_resource(resource, params, upload=request.FILES.get("upload"), by=by)
    return ckan.resource_dict(queries.resource(by, str(resource.pk)))


ACTIONS: dict[str, Callable[[HttpRequest, dict], Any]] = {
    f.__name__: f
    for f in (
        status_show,
        package_list,
        package_show,
        package_search,
        organization_list,
        organization_show,
        group_list,
        group_show,
        tag_list,
        resource_show,
        resource_view_list,
        package_create,
        package_update,
        package_patch,
        resource_create,
        resource_patch,
    )
}


# --- the envelope ----------------------------------------------------------------------------------


def _help(name: str) -> str:
    return absolute_url(f"/api/3/action/help_show?name={name}")


def _error(name: str, status: int, error: dict[str, Any]) -> JsonResponse:
    return JsonResponse(
        {"help": _help(name), "success": False, "error": error},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _params(request: HttpRequest) -> dict[str, Any]:
    if request.method == "GET":
        return {k: request.GET.get(k) for k in request.GET}
    content_type = request.content_type or ""
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        return {k: request.POST.get(k) for k in request.POST}
    body = request.body
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(_("Nội dung JSON không hợp lệ.")) from exc
    if not isinstance(data, dict):
        raise BadRequest(_("Nội dung JSON phải là một đối tượng."))
    return data


def _token_user(request: HttpRequest):
    """The raw token CKAN clients send; ``Bearer <token>`` was already read by the core middleware."""
    raw = request.META.get("HTTP_X_CKAN_API_KEY") or request.META.get("HTTP_AUTHORIZATION", "")
    raw = raw.strip()
    if not raw:
        return None
    if getattr(request, "auth_via_token", False):
        return request.user
    user = user_for_token(raw)
    if user is None:
        raise NotAllowed(_("Mã truy cập không hợp lệ hoặc đã bị thu hồi."))
    request.user = user
    return user


@csrf_exempt
def action(request: HttpRequest, name: str) -> JsonResponse:
    handler = ACTIONS.get(name)
    if handler is None:
        return _error(name, 400, {"message": f"Bad request - Action name not known: {name}"})
    if request.method not in ("GET", "POST"):
        return _error(name, 405, {"message": "Method not allowed"})
    try:
        request.ckan_token_user = _token_user(request)  # type: ignore[attr-defined]
        if name in WRITES and request.method != "POST":
            raise BadRequest(_("Thao tác ghi phải dùng phương thức POST."))
        result = handler(request, _params(request))
    except BadRequest as exc:
        return _error(name, 400, {"__type": "Bad Request", "message": f"Bad request - {exc}"})
    except NotFound as exc:
        return _error(name, 404, {"__type": "Not Found Error", "message": exc.message})
    except NotAllowed as exc:
        return _error(name, 403, {"__type": "Authorization Error", "message": exc.message})
    except BadQuery as exc:
        return _error(
            name, 409, {"__type": "Search Query Error", "message": f"Search Query is invalid: {exc}"}
        )
    except InvalidInput as exc:
        error: dict[str, Any] = {"__type": "Validation Error", "message": exc.message}
        for key, text in exc.fields.items():
            error[key] = [text]
        return _error(name, 409, error)
    return JsonResponse(
        {"help": _help(name), "success": True, "result": result}, json_dumps_params={"ensure_ascii": False}
    )

from decimal import Decimal, InvalidOperation

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from thudo.core import queries
from thudo.core.api import compute_due
from thudo.core.errors import DomainError
from thudo.core.models import Scheme, UnitLevel


def unit_list(request):
    scheme = request.GET.get("scheme") or ""  # both: a 2025 name and a legacy one are found together
    if scheme not in Scheme.values:
        scheme = ""
    level = request.GET.get("level") or ""
    if level not in UnitLevel.values:
        level = ""
    q = request.GET.get("q", "")
    qs = queries.units(
        province=request.GET.get("province") or "01", scheme=scheme or None, level=level or None, q=q
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": q,
        "scheme": scheme,
        "level": level,
        "schemes": Scheme.choices,
        "levels": UnitLevel.choices,
    }
    template = "core/_unit_rows.html" if request.htmx and not request.htmx.boosted else "core/unit_list.html"
    return render(request, template, context)


def unit_detail(request, scheme: str, code: str):
    unit = queries.unit_detail(scheme, code)
    return render(request, "core/unit_detail.html", {"unit": unit})


def due(request):
    form = {k: request.GET.get(k, "") for k in ("start", "days", "hours", "cutoff")}
    result = error = None
    if form["start"]:
        try:
            result = compute_due(
                form["start"],
                days=Decimal(form["days"] or 0),
                hours=Decimal(form["hours"] or 0),
                agency=None,
                cutoff=form["cutoff"] or None,
            )
        except InvalidOperation:
            error = _("Số ngày và số giờ phải là số.")
        except DomainError as exc:
            error = exc.message
    return render(request, "core/due.html", {"form": form, "result": result, "error": error})

"""Public pages of the procedure catalogue."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from thudo.core.errors import NotFound
from thudo.core.models import Agency, AgencyKind
from thudo.core.text import fold
from thudo.procedures import queries
from thudo.procedures.models import Channel, Level


def catalogue(request):
    q = request.GET.get("q", "")
    field = request.GET.get("field", "")
    level = request.GET.get("level", "")
    if level not in Level.values:
        level = ""
    agency = request.GET.get("agency", "")
    qs = queries.published(request.user, q=q, field=field or None, agency=agency or None, level=level or None)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    context = {"page": page, "q": q, "field": field, "level": level, "agency": agency}
    # Live search swaps only the rows; a history restore (back button) needs the whole page.
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        return render(request, "procedures/_rows.html", context)
    context.update(
        fields=sorted(queries.fields_in_use(), key=lambda f: fold(f.name)),
        levels=Level.choices,
        departments=sorted(
            Agency.objects.filter(procedures__status="published").distinct(), key=lambda a: fold(a.name)
        ),
        communes=sorted(
            Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE, is_active=True).only("code", "name"),
            key=lambda a: fold(a.name),
        ),
    )
    return render(request, "procedures/catalogue.html", context)


def detail(request, code: str):
    try:
        procedure = queries.get_published(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    today = timezone.localdate()
    fees = list(queries.fees_on(procedure, today))
    channels = [
        (label, [f for f in fees if f.channel == value], queries.fee_for(procedure, value, today))
        for value, label in Channel.choices
        if any(f.channel == value for f in fees)
    ]
    context = {
        "procedure": procedure,
        "papers": procedure.papers.all(),
        "channels": channels,
        "process": queries.default_process(procedure),
    }
    return render(request, "procedures/detail.html", context)

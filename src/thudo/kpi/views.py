"""Pages of the kpi app: the public ranking and its open data, dashboards for officials, targets,
periodic reports. Thin: parse, call one query or action, render."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from thudo.core import permissions
from thudo.core.errorpages import hide_denied
from thudo.core.errors import DomainError, NotFound
from thudo.core.replica import reads_from_replica
from thudo.kpi import actions, charts, compute, exports, queries, results
from thudo.kpi.models import ReportForm, SetKind, SubmissionStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kpi_official(view):
    @login_required
    @hide_denied
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        queries.require_kpi_view(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def _period(request) -> tuple[str, list]:
    raw = request.GET.get("period") or f"{compute.last_complete_month():%Y-%m}"
    try:
        months = compute.parse_period(raw)
    except DomainError:
        months = [compute.last_complete_month()]
    return compute.period_label(months), months


def _month_label(period: str) -> str:
    """ "2026-10" → "10/2026" (chart axes)."""
    year, _sep, month = period.partition("-")
    return f"{month}/{year}"


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = content_disposition_header(True, name)
    return resp


# --- public ranking -------------------------------------------------------------------------------


def _ranking_tab(request, sets: list) -> tuple[str | None, object]:
    """The ranking a public page or export is about: ``?set=<code>`` (a ranked set), else the
    Decision 766 index (``None``: the links made before there were other rankings)."""
    code = request.GET.get("set") or None
    chosen = next((s for s in sets if s.code == code), None) if code else None
    if code and chosen is None:
        raise NotFound(_("Không tìm thấy bảng xếp hạng này."))
    if chosen is not None and chosen.kind == SetKind.INDEX:
        code = chosen.code
    return code, chosen


@reads_from_replica
@hide_denied
def ranking(request):
    sets = queries.ranking_sets()
    code, chosen = _ranking_tab(request, sets)
    period = request.GET.get("period")
    version = request.GET.get("version")
    snap = (
        queries.snapshot(period, int(version) if version and version.isdigit() else None, code)
        if period
        else queries.latest_snapshot(code)
    )
    published = list(queries.snapshots(None, code).values("period", "version", "created_at", "reason"))
    current = chosen or next((s for s in sets if s.kind == SetKind.INDEX), None)
    context = {
        "snap": snap,
        "published": published,
        "labels": results.CLASS_LABELS,
        # One tab per ranked set: the 766 index (the page's address without ?set=) and the others.
        "tabs": [
            {"set": s, "query": "" if s.kind == SetKind.INDEX else f"?set={s.code}", "current": s == current}
            for s in sets
        ],
        "set_code": code or "",
        "set_query": f"?set={code}" if code else "",
        "title": current.name if current is not None and chosen is not None else "",
    }
    if snap:
        for key in ("departments", "communes"):
            context[key] = snap.data.get(key, [])
        context["groups"] = snap.data.get("groups", [])
        context["facts"] = snap.data.get("facts", [])
        context["period"] = snap.period
        # Called by the template only when the cached fragment is missing.
        context["chart"] = functools.partial(
            charts.bars, [(u["name"], u["score"], u["class"]) for u in context["departments"][:15]]
        )
        context["can_view_units"] = permissions.can(request.user, "kpi.view")
    return render(request, "kpi/ranking.html", context)


@reads_from_replica
@hide_denied
def ranking_export(request, period: str, version: int, fmt: str):
    snap = queries.snapshot(period, version, request.GET.get("set") or None)
    title = exports.ranking_title(snap)
    # Short file names: the set code, not its long title (which the file itself carries).
    name = f"Xếp hạng {snap.set.code} {period} v{version}"
    if fmt == "csv":
        return _download(exports.ranking_csv(snap), f"{name}.csv", "text/csv; charset=utf-8")
    if fmt == "json":
        return HttpResponse(exports.ranking_json(snap), content_type="application/json; charset=utf-8")
    if fmt == "xlsx":
        return _download(exports.ranking_xlsx(snap), f"{name}.xlsx", XLSX)
    if fmt == "pdf":
        head, rows = exports.ranking_rows(snap)
        pdf = exports.pdf(
            "kpi/pdf_table.html",
            {
                "title": _("%(t)s — kỳ %(p)s (lần %(v)s)") % {"t": title, "p": period, "v": version},
                "subtitle": snap.data["set"]["source"],
                "head": head,
                "rows": rows,
            },
        )
        return _download(pdf, f"{name}.pdf", "application/pdf")
    raise Http404


# --- dashboards -------------------------------------------------------------------------------------


@reads_from_replica
@_kpi_official
def overview(request):
    period, months = _period(request)
    index = queries.index_set(months)
    scope = queries.overview_scope(request.user)
    live = queries.live_ranking(request.user, index, months)
    units = live["departments"] + live["communes"]
    ranked = [u for u in units if u["score"] is not None]
    ranked.sort(key=lambda u: -u["score"])
    distribution = []
    for klass in ("excellent", "good", "average", "weak"):
        distribution.append(
            (str(results.CLASS_LABELS[klass]), sum(1 for u in ranked if u["class"] == klass), klass)
        )
    # The city as a whole for those who manage the index; one unit's own score for a ward leader;
    # no single score for someone who views several units (their units are in the table).
    single = scope[0] if scope is not None and len(scope) == 1 else None
    if scope is None:
        headline, trend = results.city_score(index, months), queries.trend(index, unit=None, last=months[-1])
    elif single is not None:
        headline = queries.unit_score(request.user, single, period, index)
        trend = queries.trend(index, unit=single, last=months[-1])
    else:
        headline, trend = None, []
    context = {
        "period": period,
        "rolled_up": compute.rolled_up(months),
        "scope_is_city": scope is None,
        "scope_unit": single,
        "city": headline,
        "distribution": distribution,
        "distribution_chart": charts.bars(distribution, max_value=max([d[1] for d in distribution] + [1])),
        "best": ranked[:5],
        "worst": list(reversed(ranked[-5:])),
        "trend": trend,
        "trend_chart": charts.line([(_month_label(t["period"]), t["score"]) for t in trend]),
        "departments": live["departments"],
        "communes": live["communes"],
        "groups": (headline or results.city_score(index, months))["groups"],
        "can_view_units": True,
        "can_publish": permissions.can(request.user, "kpi.publish"),
        "can_manage": permissions.can(request.user, "kpi.manage"),
        "snapshots": queries.snapshots(period, every_set=True),
        "ranking_sets": queries.ranking_sets(),
    }
    return render(request, "kpi/overview.html", context)


@reads_from_replica
@_kpi_official
def unit(request, code: str):
    period, months = _period(request)
    agency = queries.agency(code)
    index = queries.index_set(months)
    result = queries.unit_score(request.user, agency, period, index)
    trend = queries.trend(index, unit=agency, last=months[-1])
    context = {
        "agency": agency,
        "period": period,
        "result": result,
        "trend": trend,
        "trend_chart": charts.line([(_month_label(t["period"]), t["score"]) for t in trend]),
        "group_chart": charts.bars(
            [
                (f"{g['code']}. {g['name']}", None if g["points"] is None else float(g["points"]), None)
                for g in result["groups"]
            ],
            max_value=22,
        ),
        "reports": queries.report_quality([agency.pk]),
        "rolled_up": compute.rolled_up(months),
        "other_scores": queries.other_scores(request.user, agency, period),
    }
    return render(request, "kpi/unit.html", context)


@reads_from_replica
@_kpi_official
def unit_export(request, code: str, period: str, fmt: str):
    agency = queries.agency(code)
    result = queries.unit_score(request.user, agency, period)
    name = f"Chỉ số {agency.short_name or agency.name} {period}"
    if fmt == "xlsx":
        return _download(exports.unit_xlsx(agency, period, result), f"{name}.xlsx", XLSX)
    head, rows = exports.unit_rows(result)
    pdf = exports.pdf(
        "kpi/pdf_table.html",
        {
            "title": _("Chỉ số chất lượng phục vụ — %(a)s — kỳ %(p)s") % {"a": agency.name, "p": period},
            "subtitle": _("Điểm quy đổi: %(s)s — Xếp loại: %(k)s")
            % {
                "s": "—" if result["score"] is None else results.vi_number(result["score"]),
                "k": result["class_label"],
            },
            "head": head,
            "rows": rows,
        },
    )
    return _download(pdf, f"{name}.pdf", "application/pdf")


@reads_from_replica
@_kpi_official
def behind(request, code: str, period: str, indicator: str, part: str):
    agency = queries.agency(code)
    queries.require_view_unit(request.user, agency)
    index = queries.index_set(compute.parse_period(period))
    ind = queries.indicator(index, indicator)
    dossiers = queries.dossiers_behind(request.user, ind, agency, period, part)
    procedures = queries.procedures_behind(ind, agency, period, part)
    page = Paginator(dossiers.select_related("procedure"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "kpi/behind.html",
        {
            "agency": agency,
            "period": period,
            "indicator": ind,
            "part": part,
            "page": page,
            "procedures": procedures,
            "has_source": bool(results.behind_facts(ind, part)),
        },
    )


@require_POST
@_kpi_official
def publish(request):
    period = request.POST.get("period", "")
    code = request.POST.get("set") or None
    try:
        chosen = queries.ranking_set(code) if code else None
        snap = actions.publish(period, by=request.user, reason=request.POST.get("reason", ""), set=chosen)
        messages.success(
            request,
            _("Đã công bố xếp hạng %(s)s kỳ %(p)s, lần %(v)s.")
            % {"s": snap.set.get_kind_display().lower(), "p": snap.period, "v": snap.version},
        )
    except DomainError as exc:
        messages.error(request, "; ".join([exc.message, *map(str, exc.fields.values())]))
    return redirect(f"{reverse('kpi:overview')}?period={period}")


@require_POST
@_kpi_official
def rollup_now(request):
    if not permissions.can(request.user, "kpi.manage"):
        raise Http404
    period, months = _period(request)
    for m in months:
        compute.rollup(m)
    messages.success(request, _("Đã tổng hợp lại số liệu kỳ %(p)s.") % {"p": period})
    return redirect(f"{reverse('kpi:overview')}?period={period}")


def targets(request):
    return render(request, "kpi/targets.html", {"targets": queries.targets()})


# --- periodic reports -------------------------------------------------------------------------------


@login_required
def reports(request):
    if not (permissions.can(request.user, "kpi.report") or permissions.can(request.user, "kpi.view")):
        raise Http404
    period = request.GET.get("period") or None
    rows = queries.assignments(request.user, period=period)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "kpi/reports.html",
        {
            "page": page,
            "period": period or "",
            "forms": queries.forms(),
            "can_manage": permissions.can(request.user, "kpi.manage"),
        },
    )


@login_required
@hide_denied
def report(request, pk: int):
    a = queries.assignment(request.user, pk)
    sub = getattr(a, "submission", None)
    errors = {}
    if request.method == "POST":
        verb = request.POST.get("verb")
        try:
            if verb in ("submit", "draft"):
                values = {f["key"]: request.POST.get(f["key"], "") for f in a.form.fields}
                actions.submit(
                    a,
                    by=request.user,
                    values=values,
                    files=request.FILES.getlist("evidence"),
                    final=verb == "submit",
                )
                messages.success(request, _("Đã nộp báo cáo.") if verb == "submit" else _("Đã lưu bản nháp."))
            elif verb == "accept" and sub:
                actions.accept(sub, by=request.user, comment=request.POST.get("comment", ""))
                messages.success(request, _("Đã chấp nhận báo cáo."))
            elif verb == "return" and sub:
                actions.return_with_comment(sub, by=request.user, comment=request.POST.get("comment", ""))
                messages.success(request, _("Đã trả lại báo cáo."))
            return redirect("kpi:report", pk=a.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            errors = exc.fields
    values = (sub.values if sub else {}) or {}
    fields = [
        {
            **f,
            "value": request.POST.get(f["key"], values.get(f["key"], ""))
            if request.method == "POST"
            else values.get(f["key"], ""),
            "error": errors.get(f["key"]),
        }
        for f in a.form.fields
    ]
    editable = (
        sub is None or sub.status in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
    ) and permissions.can(request.user, "kpi.report", a)
    return render(
        request,
        "kpi/report.html",
        {
            "a": a,
            "sub": sub,
            "fields": fields,
            "editable": editable,
            "deadline": actions.deadline_moment(a),
            "can_review": sub is not None
            and sub.status == SubmissionStatus.SUBMITTED
            and permissions.can(request.user, "kpi.manage"),
        },
    )


@login_required
@hide_denied
def form_workbook(request, code: str, period: str):
    form = ReportForm.objects.filter(code=code).first()
    if form is None:
        raise Http404
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise NotFound(_("Chưa chọn tệp."))
            n = actions.import_submissions(form, by=request.user, data=upload.read(), period=period)
            messages.success(
                request, ngettext("Đã nhập %(n)s báo cáo.", "Đã nhập %(n)s báo cáo.", n) % {"n": n}
            )
        except NotFound as exc:
            messages.error(request, exc.message)
        except DomainError as exc:
            messages.error(request, exc.message)
            for where, msg in list(exc.fields.items())[:50]:
                messages.error(request, f"{where}: {msg}" if where not in str(msg) else str(msg))
        return redirect(f"{reverse('kpi:reports')}?period={period}")
    if not permissions.can(request.user, "kpi.manage"):
        raise Http404
    rows = queries.assignments(request.user, period=period, form=form)
    return _download(exports.submissions_xlsx(form, period, rows), f"{form.code}-{period}.xlsx", XLSX)

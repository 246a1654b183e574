"""Pages of citizen feedback: the guided report form, the reporter's own page, the public list of
answers (never the reporter), and the officials' triage queue, unit queue and report page.
Views are thin: they ask :mod:`queries` what to show, :mod:`transitions` which buttons, and hand
what was typed to one action."""

from __future__ import annotations

import functools
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from thudo.core import drafts as core_drafts
from thudo.core import permissions
from thudo.core.errorpages import hide_denied
from thudo.core.errors import DomainError, InvalidInput
from thudo.core.models import AdministrativeUnit, Agency
from thudo.core.text import fold
from thudo.core.wizard import Step, Wizard
from thudo.feedback import actions, clocks, queries, transitions
from thudo.feedback import forms as f
from thudo.feedback import photos as photos_mod
from thudo.feedback.models import Report
from thudo.feedback.routing import commune_from_address, receiving_communes

PAGE_SIZE = 20
DRAFT_KIND = "feedback.report"
STEPS = Wizard(
    [
        Step("noi-dung", gettext_lazy("Nội dung")),
        Step("dia-diem", gettext_lazy("Địa điểm")),
        Step("xem-lai", gettext_lazy("Xem lại và gửi")),
    ]
)
COMMUNE_LIMIT = 30


def _apply_errors(form, exc: DomainError) -> None:
    placed = False
    for name, message in (exc.fields or {}).items():
        if name in form.fields:
            form.add_error(name, str(message))
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _official_required(view):
    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (
            permissions.is_city_admin(request.user) or permissions.agencies_for(request.user, "feedback.view")
        ):
            raise Http404(_("Trang này dành cho cán bộ."))
        return view(request, *args, **kwargs)

    return wrapper


def _overdue_labels(report: Report, now) -> list[str]:
    labels = {clocks.ACCEPT: _("Quá hạn tiếp nhận"), clocks.HANDLE: _("Quá hạn xử lý")}
    return [labels[o.kind] for o in clocks.report_overdue(report, now)]


def _rows(page, now) -> list[dict]:
    return [{"r": r, "overdue": _overdue_labels(r, now)} for r in page]


# --- the guided report form ------------------------------------------------------------------


def _url(pk: int):
    return lambda slug: reverse("feedback:draft_step", args=[pk, slug])


@login_required
def report_start(request):
    """Gửi phản ánh: open (or resume) the person's draft."""
    draft = core_drafts.start(owner=request.user, kind=DRAFT_KIND, data={"level": "normal"})
    return redirect("feedback:draft_step", pk=draft.pk, step=draft.step or STEPS.first)


@login_required
@hide_denied
def draft_step(request, pk: int, step: str):
    STEPS.check(step)
    draft = core_drafts.get_own(request.user, pk, kind=DRAFT_KIND)
    handler = {"noi-dung": _what_step, "dia-diem": _where_step, "xem-lai": _review_step}[step]
    return handler(request, draft, step)


def _go(request, draft, step: str):
    target = STEPS.previous(step) if request.POST.get("go") == "back" else STEPS.next(step)
    return redirect("feedback:draft_step", pk=draft.pk, step=target or step)


def _render(request, draft, step: str, context: dict, status: int = 200):
    base = {
        "draft": draft,
        "step": step,
        "steps": STEPS.nav(step, _url(draft.pk)),
        "current_number": STEPS.slugs.index(step) + 1,
        "previous": STEPS.previous(step),
        "photos": core_drafts.uploads_by_slot(draft).get("photos", []),
    }
    return render(request, f"feedback/report_{step.replace('-', '_')}.html", base | context, status=status)


def _what_step(request, draft, step):
    categories = list(queries.categories())
    if request.method == "POST":
        form = f.WhatForm(request.POST, categories=categories)
        # Photos are checked and stored at once, before anything else: an error elsewhere never
        # empties the file input again.
        photo_error = None
        if "photos" in request.POST.getlist("remove"):
            core_drafts.detach(draft, slot="photos")
        files = request.FILES.getlist("photos")
        kept = len(core_drafts.uploads_by_slot(draft).get("photos", []))
        for n, upload in enumerate(files):
            try:
                if kept + n >= photos_mod.MAX_PHOTOS:
                    raise InvalidInput(_("Tối đa %(n)s ảnh.") % {"n": photos_mod.MAX_PHOTOS})
                clean = photos_mod.clean(upload.read(), upload.name or "anh")
            except InvalidInput as exc:
                photo_error = exc.message
                break
            core_drafts.attach(draft, slot="photos", upload=clean, replace=False)
        answers = {k: request.POST.get(k, "") for k in ("category", "level", "title", "description")}
        core_drafts.save(draft, data=answers)
        if form.is_valid() and photo_error is None:
            core_drafts.save(draft, step=STEPS.next(step))
            return _go(request, draft, step)
        return _render(request, draft, step, {"form": form, "photo_error": photo_error}, 422)
    form = f.WhatForm(initial=draft.data, categories=categories)
    return _render(request, draft, step, {"form": form})


def _where_step(request, draft, step):
    everyone = list(receiving_communes())
    q = request.GET.get("q", "").strip()
    chosen = str(draft.data.get("commune") or "")
    guessed = False
    if not chosen:
        guess = commune_from_address(everyone, draft.data.get("address", ""))
        if guess is not None:
            chosen, guessed = str(guess.pk), True
    shown = [u for u in everyone if fold(q) in fold(u.name)] if q else everyone
    shown = shown[:COMMUNE_LIMIT] if q else shown
    if chosen and not any(str(u.pk) == chosen for u in shown):
        shown = [u for u in everyone if str(u.pk) == chosen] + shown
    if request.method == "POST":
        form = f.WhereForm(request.POST, communes=everyone)
        answers = {k: request.POST.get(k, "") for k in ("address", "commune", "latitude", "longitude")}
        core_drafts.save(draft, data=answers)
        if form.is_valid():
            core_drafts.save(draft, step=STEPS.next(step))
            return _go(request, draft, step)
        form.fields["commune"].choices = [form.fields["commune"].choices[0]] + [
            (str(u.pk), u.name) for u in shown
        ]
        return _render(request, draft, step, {"form": form, "q": q}, 422)
    form = f.WhereForm(initial={**draft.data, "commune": chosen}, communes=everyone)
    form.fields["commune"].choices = [form.fields["commune"].choices[0]] + [
        (str(u.pk), u.name) for u in shown
    ]
    return _render(
        request,
        draft,
        step,
        {"form": form, "q": q, "guessed": guessed, "count": len(shown), "total": len(everyone)},
    )


def _review_step(request, draft, step):
    data = draft.data
    categories = {c.code: c.name for c in queries.categories()}
    commune = (
        AdministrativeUnit.objects.filter(pk=data.get("commune") or 0).first()
        if str(data.get("commune") or "").isdigit()
        else None
    )
    summary = {
        "category": categories.get(data.get("category", ""), ""),
        "commune": commune.name if commune else "",
    }
    if request.method == "POST":
        form = f.ReviewForm(request.POST)
        if request.POST.get("go") == "back":
            return _go(request, draft, step)
        if form.is_valid():
            uploads = core_drafts.uploads_by_slot(draft).get("photos", [])
            files = []
            for u in uploads:
                with u.file.open("rb") as fh:
                    files.append((u.original_name, fh.read()))
            try:
                report = actions.submit(
                    by=request.user,
                    category=data.get("category"),
                    level=data.get("level") or "normal",
                    title=data.get("title", ""),
                    description=data.get("description", ""),
                    address=data.get("address", ""),
                    commune=int(data["commune"]) if str(data.get("commune", "")).isdigit() else None,
                    latitude=data.get("latitude"),
                    longitude=data.get("longitude"),
                    hide_identity=form.cleaned_data["hide_identity"],
                    photo_files=files,
                )
            except DomainError as exc:
                _apply_errors(form, exc)
                return _render(request, draft, step, {"form": form, "summary": summary}, 422)
            core_drafts.discard(draft, by=request.user, reason="submitted")
            messages.success(
                request,
                _("Đã gửi phản ánh %(code)s. Hạn tiếp nhận: %(due)s.")
                % {
                    "code": report.code,
                    "due": timezone.localtime(report.accept_due).strftime("%H:%M %d/%m/%Y"),
                },
            )
            return redirect("feedback:mine_detail", code=report.code)
    else:
        form = f.ReviewForm(initial={"hide_identity": True})
    return _render(request, draft, step, {"form": form, "summary": summary, "final": True})


# --- the reporter's own pages ------------------------------------------------------------------


@login_required
def mine(request):
    page = Paginator(queries.mine(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    drafts = list(core_drafts.open_drafts(request.user, DRAFT_KIND))
    return render(request, "feedback/mine.html", {"page": page, "drafts": drafts})


@login_required
@hide_denied
def mine_detail(request, code: str):
    report = queries.by_code(request.user, code)
    if report.reporter_id != request.user.pk:
        raise Http404
    return render(request, "feedback/mine_detail.html", _own_context(request, report))


def _own_context(request, report, forms: dict | None = None) -> dict:
    verbs = [m.verb for m in transitions.actions_for(request.user, report)]
    return {
        "r": report,
        "events": queries.history(report, public_only=True),
        "photos": queries.photos(report),
        "verbs": verbs,
        "rate_form": (forms or {}).get("rate") or f.RateForm(),
        "reopen_form": (forms or {}).get("reopen") or f.NoteForm(),
        "ratings": report.ratings.all(),
        "overdue": _overdue_labels(report, timezone.now()),
        "transfer_rule": clocks.TRANSFER_RULE,
        "verb_labels": transitions.VERB_LABELS,
    }


@login_required
@require_POST
@hide_denied
def own_action(request, code: str, action: str):
    report = queries.by_code(request.user, code)
    if report.reporter_id != request.user.pk or action not in ("rate", "reopen"):
        raise Http404
    form = f.RateForm(request.POST) if action == "rate" else f.NoteForm(request.POST)
    if not form.is_valid():
        return render(
            request, "feedback/mine_detail.html", _own_context(request, report, {action: form}), status=422
        )
    try:
        if action == "rate":
            actions.rate(
                report,
                by=request.user,
                satisfied=form.cleaned_data["satisfied"] == "1",
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("Cảm ơn bạn đã đánh giá."))
        else:
            actions.reopen(report, by=request.user, note=form.cleaned_data["note"])
            messages.success(request, _("Đã gửi yêu cầu xử lý lại."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("feedback:mine_detail", code=report.code)


# --- public pages ------------------------------------------------------------------------------


def public_list(request):
    """Phản ánh đã trả lời, by commune ("near me" without a map): answer, unit, dates."""
    commune = request.GET.get("xa", "")
    category = request.GET.get("linh-vuc", "")
    qs = queries.public_reports(
        commune=int(commune) if commune.isdigit() else None, category=category or None
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/public_list.html",
        {
            "page": page,
            "communes": queries.communes_with_answers(),
            "categories": queries.categories(),
            "commune": commune,
            "category": category,
        },
    )


@hide_denied
def public_detail(request, code: str):
    report = queries.public_report(code)
    return render(
        request,
        "feedback/public_detail.html",
        {"r": report, "photos": queries.public_photos(report), "verb_labels": transitions.VERB_LABELS},
    )


@hide_denied
def photo(request, pk: int):
    p = queries.photo(request.user, pk)
    content_type = mimetypes.guess_type(p.file.name)[0] or "image/jpeg"
    response = FileResponse(p.file.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- officials ---------------------------------------------------------------------------------


@_official_required
def triage(request):
    """Phản ánh chờ tiếp nhận: nearest acceptance deadline first; overdue ones marked."""
    page = Paginator(queries.triage_queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "feedback/triage.html", {"page": page, "rows": _rows(page, timezone.now())})


@_official_required
def unit_queue(request):
    page = Paginator(queries.unit_queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "feedback/unit_queue.html", {"page": page, "rows": _rows(page, timezone.now())})


def _units():
    return Agency.objects.filter(is_active=True).order_by("name").only("pk", "name")


ACTION_FORMS = {
    "accept": lambda data, files, r: f.AcceptForm(data, units=_units(), initial={"level": r.level}),
    "refuse": lambda data, files, r: f.RefuseForm(data),
    "merge": lambda data, files, r: f.MergeForm(data),
    "assign": lambda data, files, r: f.UnitForm(data, units=_units()),
    "start": lambda data, files, r: f.NoteForm(data),
    "transfer": lambda data, files, r: f.TransferForm(data, units=_units()),
    "handle": lambda data, files, r: f.AnswerForm(data, files),
    "publish": lambda data, files, r: f.NoteForm(data),
    "close": lambda data, files, r: f.NoteForm(data),
}


def _call(action: str, r: Report, by, form, files) -> Report:
    c = form.cleaned_data
    if action == "accept":
        return actions.accept(r, by=by, level=c["level"], unit=c["unit"] or None, note=c["note"])
    if action == "refuse":
        return actions.refuse(r, by=by, reason=c["reason"], note=c["note"])
    if action == "merge":
        return actions.merge(r, by=by, original=c["duplicate_of"])
    if action == "assign":
        return actions.assign(r, by=by, unit=c["unit"])
    if action == "start":
        return actions.start(r, by=by)
    if action == "transfer":
        return actions.transfer(r, by=by, unit=c["unit"], reason=c["reason"])
    if action == "handle":
        photo_files = [(u.name or "anh", u.read()) for u in files.getlist("photos")]
        return actions.handle(r, by=by, answer=c["answer"], photo_files=photo_files)
    if action == "publish":
        return actions.publish_answer(r, by=by)
    return actions.close(r, by=by, note=c["note"])


def _work_context(request, r: Report, bound: dict | None = None) -> dict:
    moves = transitions.actions_for(request.user, r)
    forms = {}
    for m in moves:
        if m.verb in ACTION_FORMS:
            forms[m.verb] = (bound or {}).get(m.verb) or ACTION_FORMS[m.verb](None, None, r)
    return {
        "r": r,
        "moves": [(m, forms.get(m.verb)) for m in moves if m.verb in ACTION_FORMS],
        "events": queries.history(r),
        "photos": queries.photos(r),
        "followers": r.followers.count(),
        "sees_reporter": queries.sees_reporter(request.user, r),
        "overdue": _overdue_labels(r, timezone.now()),
        "transfer_rule": clocks.TRANSFER_RULE,
        "verb_labels": transitions.VERB_LABELS,
    }


@_official_required
@hide_denied
def work_detail(request, code: str):
    r = queries.by_code(request.user, code)
    return render(request, "feedback/work_detail.html", _work_context(request, r))


@_official_required
@require_POST
@hide_denied
def work_action(request, code: str, action: str):
    if action not in ACTION_FORMS:
        raise Http404
    r = queries.by_code(request.user, code)
    form = ACTION_FORMS[action](request.POST, request.FILES, r)
    if not form.is_valid():
        return render(
            request, "feedback/work_detail.html", _work_context(request, r, {action: form}), status=422
        )
    try:
        _call(action, r, request.user, form, request.FILES)
    except DomainError as exc:
        _apply_errors(form, exc)
        messages.error(request, exc.message)
        return render(
            request, "feedback/work_detail.html", _work_context(request, r, {action: form}), status=exc.status
        )
    messages.success(
        request,
        _("%(action)s: đã thực hiện với phản ánh %(code)s.")
        % {"action": transitions.MOVES[action].label, "code": r.code},
    )
    return redirect("feedback:work_detail", code=r.code)

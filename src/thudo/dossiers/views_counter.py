"""Tiếp nhận tại quầy as a guided form (nơi tiếp nhận, người nộp → số hóa giấy tờ → xem lại và
tiếp nhận), the pattern of the online submission (:mod:`thudo.core.wizard`,
:mod:`thudo.dossiers.views_submit`): the officer's server-side draft holds what each step saved,
every scanned file is stored the moment it arrives (an error never makes the officer scan it
again), errors show inline with the focus on the summary, and a review step comes before the
dossier is created. One URL: the step and the draft travel in the query string (GET) or the form
(POST); after each saved step the browser is redirected to the next one.

The rules (who may receive for which agency, which papers are mandatory, the applicant's
details) are the write path's: :func:`thudo.dossiers.actions.drafts.counter_from_draft` decides;
the checks here only say early what it would refuse.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thudo.core import drafts as core_drafts
from thudo.core.errorpages import hide_denied
from thudo.core.errors import DomainError, NotFound
from thudo.core.wizard import Step, Wizard
from thudo.dossiers import actions
from thudo.dossiers import forms as f
from thudo.dossiers.views import _counter_agencies, _official_required
from thudo.procedures import queries as procedure_queries

STEPS = Wizard(
    [
        Step("nguoi-nop", gettext_lazy("Nơi tiếp nhận, người nộp")),
        Step("giay-to", gettext_lazy("Số hóa giấy tờ")),
        Step("xem-lai", gettext_lazy("Xem lại và tiếp nhận")),
    ]
)
# Which step holds a field the write path may refuse.
FIELD_STEPS = {"agency": "nguoi-nop", "applicant": "nguoi-nop", "files": "giay-to", "paper": "giay-to"}


def _url(procedure, draft, step: str) -> str:
    query = {"thu_tuc": procedure.code, "buoc": step}
    if draft is not None:
        query["ban_nhap"] = draft.pk
    return f"{reverse('dossiers:counter')}?{urlencode(query)}"


@_official_required
@hide_denied
def counter(request):
    """Tiếp nhận tại quầy: a walk-in citizen's dossier, papers digitised at intake."""
    code = request.GET.get("thu_tuc") or request.POST.get("thu_tuc")
    if not code:
        return redirect("dossiers:reception")
    procedure = procedure_queries.get_published(code)
    step = STEPS.check(request.POST.get("step") or request.GET.get("buoc") or STEPS.first).slug
    pk = request.POST.get("draft") or request.GET.get("ban_nhap")
    draft = None
    if pk or request.method == "POST":
        draft = actions.drafts.counter_draft(procedure, by=request.user, pk=pk)
        if draft.subject != procedure.code:
            raise NotFound(_("Không tìm thấy bản nháp."))
    if draft is None:
        step = STEPS.first  # nothing saved yet: the later steps have nothing to show
    handler = {"nguoi-nop": _applicant_step, "giay-to": _papers_step, "xem-lai": _review_step}[step]
    return handler(request, procedure, draft, step)


def _go(request, procedure, draft, step: str):
    """After a saved step: the next one, or the previous one (button "Quay lại")."""
    target = STEPS.previous(step) if request.POST.get("go") == "back" else STEPS.next(step)
    return redirect(_url(procedure, draft, target or step))


def _render(request, procedure, draft, step: str, context: dict, status: int = 200):
    base = {
        "procedure": procedure,
        "draft": draft,
        "step": step,
        "steps": STEPS.nav(step, lambda slug: _url(procedure, draft, slug)),
        "current_number": STEPS.slugs.index(step) + 1,
        "previous": STEPS.previous(step),
    }
    return render(request, f"dossiers/counter_{step.replace('-', '_')}.html", base | context, status=status)


# --- step 1: where it is received, and who brings it -----------------------------------------------


def _applicant_step(request, procedure, draft, step):
    agencies = _counter_agencies(request.user)
    saved = draft.data if draft is not None else {}
    if request.method == "POST":
        form = f.ApplicantForm(request.POST)
        agency_id = request.POST.get("agency")
        agency = agencies.filter(pk=agency_id).first() if agency_id and agency_id.isdigit() else None
        if agency is None:
            form.add_error(None, _("Hãy chọn nơi tiếp nhận."))
        if form.is_valid() and agency is not None:
            applicant = {
                k: (v.isoformat() if isinstance(v, date) else v) for k, v in form.applicant().items()
            }
            actions.drafts.save_answers(
                draft, by=request.user, step=STEPS.next(step), agency=agency.pk, applicant=applicant
            )
            return _go(request, procedure, draft, step)
        chosen, status = agency_id, 422
    else:
        initial = {f"applicant_{k}": v for k, v in (saved.get("applicant") or {}).items()}
        form = f.ApplicantForm(initial=initial)
        chosen, status = saved.get("agency"), 200
    return _render(
        request,
        procedure,
        draft,
        step,
        {"form": form, "agencies": agencies, "chosen": str(chosen or "")},
        status,
    )


# --- step 2: the papers, scanned -------------------------------------------------------------------


def _rows(form, papers, draft) -> list[dict]:
    stored = core_drafts.uploads_by_slot(draft)
    return [
        {
            "paper": p,
            "field": form[f"paper_{p.pk}"],
            "slot": actions.drafts.paper_slot(p),
            "attached": stored.get(actions.drafts.paper_slot(p), []),
        }
        for p in papers
    ]


def _papers_step(request, procedure, draft, step):
    papers = list(procedure.papers.all())
    if request.method == "POST":
        form = f.CounterPapersForm(request.POST, papers=papers)
        refused = actions.drafts.attach_papers(
            draft,
            by=request.user,
            slots={actions.drafts.paper_slot(p): request.FILES.getlist(f"paper_{p.pk}") for p in papers},
            remove=request.POST.getlist("remove"),
        )
        form.is_valid()
        going_back = request.POST.get("go") == "back"
        _check_papers(form, draft, refused, mandatory=not going_back)
        if not form.errors:
            actions.drafts.save_answers(draft, by=request.user, step=STEPS.next(step))
            return _go(request, procedure, draft, step)
        status = 422
    else:
        form = f.CounterPapersForm(papers=papers)
        status = 200
    return _render(
        request, procedure, draft, step, {"form": form, "rows": _rows(form, papers, draft)}, status
    )


# --- step 3: review, then receive ------------------------------------------------------------------


def _problems(procedure, draft, agency, applicant_form) -> list[tuple[str, str]]:
    """(address of the step to fix, message) for what the write path would refuse."""
    problems = []
    if agency is None:
        problems.append((_url(procedure, draft, "nguoi-nop"), _("Hãy chọn nơi tiếp nhận.")))
    if not applicant_form.is_valid():
        for name, errors in applicant_form.errors.items():
            label = applicant_form.fields[name].label if name in applicant_form.fields else ""
            for e in errors:
                problems.append((_url(procedure, draft, "nguoi-nop"), f"{label}: {e}" if label else e))
    papers = f.CounterPapersForm(data={}, papers=list(procedure.papers.all()))
    papers.is_valid()
    _check_papers(papers, draft, {})
    for name, errors in papers.errors.items():
        for e in errors:
            problems.append((_url(procedure, draft, "giay-to"), f"{papers.fields[name].label}: {e}"))
    return problems


def _review_step(request, procedure, draft, step):
    agencies = _counter_agencies(request.user)
    agency_id = draft.data.get("agency")
    agency = agencies.filter(pk=agency_id).first() if isinstance(agency_id, int) else None
    saved = draft.data.get("applicant") or {}
    applicant_form = f.ApplicantForm(data={f"applicant_{k}": v for k, v in saved.items()})
    status = 200
    if request.method == "POST" and request.POST.get("go") == "back":
        return _go(request, procedure, draft, step)
    problems = _problems(procedure, draft, agency, applicant_form)
    if request.method == "POST":
        if not problems and agency is not None:
            try:
                d = actions.drafts.counter_from_draft(
                    draft,
                    by=request.user,
                    procedure=procedure,
                    agency=agency,
                    applicant=applicant_form.applicant(),
                )
            except DomainError as exc:
                fields = exc.fields or {}
                problems = [
                    (_url(procedure, draft, FIELD_STEPS.get(name.split("_")[0], step)), str(message))
                    for name, message in fields.items()
                ] or [("", exc.message)]
            else:
                messages.success(
                    request,
                    _("Đã tiếp nhận hồ sơ %(code)s. Hãy in giấy tiếp nhận và hẹn trả cho công dân.")
                    % {"code": d.code},
                )
                return redirect("dossiers:work_detail", code=d.code)
        status = 422
    stored = core_drafts.uploads_by_slot(draft)
    papers = [
        {"paper": p, "files": stored.get(actions.drafts.paper_slot(p), [])} for p in procedure.papers.all()
    ]
    return _render(
        request,
        procedure,
        draft,
        step,
        {"agency": agency, "applicant": saved, "papers": papers, "problems": problems},
        status,
    )


def _check_papers(form, draft, refused: dict, *, mandatory: bool = True) -> None:
    """The paper errors of the counter form: files refused now (``{slot: message}``) and, unless
    going back, the mandatory papers with no file kept in the draft (the actions' one rule)."""
    stored = core_drafts.uploads_by_slot(draft)
    slot = actions.drafts.paper_slot
    form.check_stored(
        {p.pk for p in form.papers if stored.get(slot(p))},
        {p.pk: refused[slot(p)] for p in form.papers if slot(p) in refused},
        mandatory=mandatory,
    )

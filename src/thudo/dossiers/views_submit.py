"""Online submission as a guided form (cơ quan → người nộp → giấy tờ → xem lại và nộp).

The pattern of :mod:`thudo.core.wizard`: a server-side draft per citizen and procedure
(:mod:`thudo.dossiers.actions.drafts`), one plain POST per step that keeps what was typed and
stores every file at once, inline errors next to the paper concerned, a review step. The rules
(which papers are asked, the e-form instead of the declaration, the completeness check) are the
write path's (:mod:`thudo.dossiers.actions.papers`, ``submit_online``); this module only asks them.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from thudo.core import drafts as core_drafts
from thudo.core import eform
from thudo.core.errorpages import hide_denied
from thudo.core.errors import DomainError, NotFound
from thudo.core.text import fold, vi_sort_key
from thudo.core.wizard import Step, Wizard
from thudo.dossiers import forms as f
from thudo.dossiers import queries
from thudo.dossiers.actions import drafts as draft_actions
from thudo.dossiers.actions import papers as paper_rules
from thudo.procedures import queries as procedure_queries
from thudo.procedures.models import Procedure
from thudo.procedures.models import Status as ProcedureStatus

STEPS = Wizard(
    [
        Step("co-quan", gettext_lazy("Cơ quan tiếp nhận")),
        Step("nguoi-nop", gettext_lazy("Người nộp")),
        Step("giay-to", gettext_lazy("Giấy tờ, tờ khai")),
        Step("xem-lai", gettext_lazy("Xem lại và nộp")),
    ]
)
REUSE_LIMIT = 10
NAME_LIMIT = 40


def _short(name: str, limit: int = NAME_LIMIT) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _applicant_initial(user) -> dict:
    citizen = user.citizen if _has_citizen(user) else None
    if citizen is not None and getattr(citizen, "pin", None):
        return {
            "name": citizen.full_name,
            "pin": citizen.pin,
            "birth_date": citizen.birth_date.isoformat() if citizen.birth_date else "",
            "phone": citizen.phone,
            "email": citizen.email,
            "address": citizen.address,
        }
    return {"name": getattr(user, "full_name", "") or "", "email": user.email or ""}


def _has_citizen(user) -> bool:
    try:
        return user.citizen is not None
    except (ObjectDoesNotExist, AttributeError):  # no citizen record, or identity not installed
        return False


def commune_from_address(agencies, address: str):
    """The agency whose commune the address names (the longest name found in it), or None."""
    text = fold(address)
    if not text:
        return None
    best, best_len = None, 0
    for a in agencies:
        for name in {a.name, a.short_name}:
            key = fold(name).removeprefix("uy ban nhan dan ").removeprefix("ubnd ")
            if key and key in text and len(key) > best_len:
                best, best_len = a, len(key)
    return best


def _procedure_and_draft(request, pk: int):
    draft = core_drafts.get_own(request.user, pk, kind=draft_actions.SUBMIT)
    procedure = procedure_queries.get_published(draft.subject)
    return procedure, draft


def _url(pk: int):
    return lambda slug: reverse("dossiers:draft_step", args=[pk, slug])


@login_required
@hide_denied
def start(request, procedure_code: str):
    """Nộp hồ sơ: open (or resume) the citizen's draft of this procedure and go to its step."""
    procedure = procedure_queries.get_published(procedure_code)
    agencies = list(procedure_queries.agencies_offering(procedure))
    applicant = _applicant_initial(request.user)
    initial = {"applicant": applicant}
    guess = (
        agencies[0] if len(agencies) == 1 else commune_from_address(agencies, applicant.get("address", ""))
    )
    if guess is not None:
        initial["agency"] = guess.pk
    draft = draft_actions.start_submission(procedure, by=request.user, initial=initial)
    return redirect("dossiers:draft_step", pk=draft.pk, step=draft.step or STEPS.first)


@login_required
def draft_list(request):
    """Hồ sơ đang soạn: the citizen's saved drafts, each with a "tiếp tục" link."""
    rows = list(core_drafts.open_drafts(request.user, draft_actions.SUBMIT))
    names = dict(
        Procedure.objects.filter(
            code__in=[d.subject for d in rows], status=ProcedureStatus.PUBLISHED
        ).values_list("code", "name")
    )
    return render(
        request,
        "dossiers/drafts.html",
        {"rows": [{"draft": d, "name": names.get(d.subject, d.subject)} for d in rows]},
    )


@login_required
@require_POST
@hide_denied
def draft_discard(request, pk: int):
    draft = core_drafts.get_own(request.user, pk, kind=draft_actions.SUBMIT)
    draft_actions.discard(draft, by=request.user)
    messages.success(request, _("Đã xóa bản nháp và các tệp đã đính kèm."))
    return redirect("dossiers:drafts")


@login_required
@hide_denied
def draft_step(request, pk: int, step: str):
    STEPS.check(step)
    try:
        procedure, draft = _procedure_and_draft(request, pk)
    except NotFound:
        done = draft_actions.submitted_from(pk, by=request.user)
        if done is None:
            raise
        return redirect("dossiers:receipt", code=done.code)  # a second click on "Nộp hồ sơ"
    handler = {
        "co-quan": _agency_step,
        "nguoi-nop": _applicant_step,
        "giay-to": _papers_step,
        "xem-lai": _review_step,
    }[step]
    return handler(request, procedure, draft, step)


def _go(request, draft, step: str):
    """After a successful POST: the next step, or the previous one (button "Quay lại")."""
    target = STEPS.previous(step) if request.POST.get("go") == "back" else STEPS.next(step)
    return redirect("dossiers:draft_step", pk=draft.pk, step=target or step)


def _render(request, procedure, draft, step: str, context: dict, status: int = 200):
    nav = STEPS.nav(step, _url(draft.pk))
    base = {
        "procedure": procedure,
        "draft": draft,
        "step": step,
        "steps": nav,
        "current_number": STEPS.slugs.index(step) + 1,
        "previous": STEPS.previous(step),
        "fee": procedure_queries.fee_for(procedure, "online", timezone.localdate()),
    }
    return render(request, f"dossiers/submit_{step.replace('-', '_')}.html", base | context, status=status)


# --- step 1: the receiving agency ----------------------------------------------------------------


def _agency_step(request, procedure, draft, step):
    offering = procedure_queries.agencies_offering(procedure)
    q = request.GET.get("q", "").strip()
    everyone = sorted(offering, key=lambda a: vi_sort_key(a.name))
    shown = [a for a in everyone if fold(q) in fold(a.name)] if q else everyone
    chosen = draft.data.get("agency")
    if chosen and not any(a.pk == chosen for a in shown):
        shown = [a for a in everyone if a.pk == chosen] + shown
    if request.method == "POST":
        form = f.AgencyStepForm(request.POST, agencies=offering, order=shown)
        if form.is_valid():
            draft_actions.save_answers(
                draft, by=request.user, step=STEPS.next(step), agency=form.cleaned_data["agency"].pk
            )
            return _go(request, draft, step)
        status = 422
    else:
        form = f.AgencyStepForm(initial={"agency": chosen}, agencies=offering, order=shown)
        status = 200
    return _render(
        request,
        procedure,
        draft,
        step,
        {"form": form, "q": q, "count": len(shown), "total": len(everyone), "searchable": len(everyone) > 8},
        status,
    )


# --- step 2: the applicant -----------------------------------------------------------------------


def _applicant_step(request, procedure, draft, step):
    saved = draft.data.get("applicant") or {}
    citizen = paper_rules.verified_citizen(request.user)
    if request.method == "POST":
        form = f.ApplicantForm(request.POST)
        if form.is_valid():
            applicant = {
                k: (v.isoformat() if isinstance(v, date) else v) for k, v in form.applicant().items()
            }
            draft_actions.save_answers(draft, by=request.user, step=STEPS.next(step), applicant=applicant)
            return _go(request, draft, step)
        status = 422
    else:
        form = f.ApplicantForm(initial={f"applicant_{k}": v for k, v in saved.items()})
        status = 200
    return _render(
        request,
        procedure,
        draft,
        step,
        {"form": form, "verified": citizen is not None, "has_citizen": _has_citizen(request.user)},
        status,
    )


# --- step 3: papers and the e-form ---------------------------------------------------------------


def _reuse_choices(request, needs) -> dict[int, list[tuple[str, str]]]:
    earlier = list(queries.reusable_attachments(request.user)[:200])
    out = {}
    for need in needs:
        fitting = [a for a in earlier if paper_rules.fits(need.paper, a)][:REUSE_LIMIT]
        out[need.paper.pk] = [(str(a.pk), _reuse_label(a)) for a in fitting]
    return out


def _reuse_label(a) -> str:
    """A short label: the file name (cut), the dossier code and the day."""
    return f"{_short(a.original_name)} · {a.dossier.code} · {timezone.localtime(a.uploaded_at):%d/%m/%Y}"


def _paper_rows(procedure, draft, request, errors: dict, reuse_choices: dict, eform_given: bool):
    stored = core_drafts.uploads_by_slot(draft)
    reused = draft.data.get("reuse") or {}
    rows = []
    for need in paper_rules.paper_needs(procedure, by=request.user, eform_given=eform_given):
        slot = draft_actions.paper_slot(need.paper)
        rows.append(
            {
                "need": need,
                "paper": need.paper,
                "slot": slot,
                "name": f"paper_{need.paper.pk}",
                "attached": stored.get(slot, []),
                "error": errors.get(need.paper.pk, ""),
                "reuse_name": f"reuse_{need.paper.pk}",
                "reuse_choices": reuse_choices.get(need.paper.pk, []),
                "reused": str(reused.get(str(need.paper.pk)) or ""),
            }
        )
    return rows


def _papers_step(request, procedure, draft, step):
    has_eform = paper_rules.has_eform(procedure)
    needs = paper_rules.paper_needs(procedure, by=request.user, eform_given=has_eform)
    reuse_choices = _reuse_choices(request, needs)
    errors: dict[int, str] = {}
    status = 200
    answers = draft.data.get("eform") or {}
    ef_form = None
    if request.method == "POST":
        # 1. Every file arriving is checked and stored at once, whatever else is wrong.
        slots = {
            draft_actions.paper_slot(n.paper): request.FILES.getlist(f"paper_{n.paper.pk}")
            for n in needs
            if n.asked
        }
        refused = draft_actions.attach_papers(
            draft, by=request.user, slots=slots, remove=request.POST.getlist("remove")
        )
        errors.update(
            {
                n.paper.pk: refused[draft_actions.paper_slot(n.paper)]
                for n in needs
                if draft_actions.paper_slot(n.paper) in refused
            }
        )
        # 2. What was typed is kept, valid or not.
        allowed = {str(a) for choices in reuse_choices.values() for a, _label in choices}
        reuse = {str(n.paper.pk): request.POST.get(f"reuse_{n.paper.pk}") for n in needs if n.asked}
        reuse = {k: int(v) for k, v in reuse.items() if v and v in allowed}
        ef_form = eform.build_form(procedure.eform_schema, request.POST) if has_eform else None
        if ef_form is not None:
            answers = {name: request.POST.get(f"ef-{name}", "") for name in ef_form.fields}
        note = f.clean_note(request.POST.get("note", ""))
        draft = draft_actions.save_answers(draft, by=request.user, reuse=reuse, eform=answers, note=note)
        # 3. Then the checks, each message next to its paper.
        if ef_form is not None:
            ef_form.is_valid()
        stored = core_drafts.uploads_by_slot(draft)
        covered = {n.paper.pk for n in needs if stored.get(draft_actions.paper_slot(n.paper))}
        covered |= {int(k) for k in reuse}
        asked = [n.paper for n in needs if n.asked]
        for paper in paper_rules.missing(asked, covered=covered):
            errors.setdefault(
                paper.pk, _("Giấy tờ này là bắt buộc: hãy đính kèm tệp hoặc dùng lại giấy tờ đã nộp.")
            )
        going_back = request.POST.get("go") == "back"
        if going_back or (not errors and (ef_form is None or not ef_form.errors)):
            draft_actions.save_answers(
                draft, by=request.user, step=STEPS.next(step) if not going_back else step
            )
            return _go(request, draft, step)
        status = 422
    elif has_eform:
        ef_form = eform.build_form(procedure.eform_schema, initial=answers)
    rows = _paper_rows(procedure, draft, request, errors, reuse_choices, has_eform)
    summary = [(f"id_{r['name']}", r["paper"].name, r["error"]) for r in rows if r["error"]]
    if ef_form is not None and ef_form.is_bound:
        summary += [
            (ef_form[n].id_for_label, ef_form.fields[n].label, " ".join(e)) for n, e in ef_form.errors.items()
        ]
    return _render(
        request,
        procedure,
        draft,
        step,
        {
            "rows": rows,
            "eform": ef_form,
            "note": draft.data.get("note", ""),
            "summary": summary,
        },
        status,
    )


# --- step 4: review and submit -------------------------------------------------------------------


FIELD_STEPS = {"agency": "co-quan", "applicant": "nguoi-nop", "files": "giay-to", "eform": "giay-to"}


def _step_of(fields: dict) -> str | None:
    """The step where the field the write path complained about is entered (for the "Sửa" link)."""
    for name in fields:
        for prefix, step in FIELD_STEPS.items():
            if str(name).startswith(prefix):
                return step
    return None


def _review_step(request, procedure, draft, step):
    offering = procedure_queries.agencies_offering(procedure)
    agency = offering.filter(pk=draft.data.get("agency") or 0).first()
    problems: list[tuple[str, str]] = []
    if request.method == "POST" and request.POST.get("go") == "back":
        return _go(request, draft, step)
    if request.method == "POST":
        if agency is None:
            problems.append(
                (reverse("dossiers:draft_step", args=[draft.pk, "co-quan"]), _("Hãy chọn cơ quan tiếp nhận."))
            )
        else:
            try:
                d = draft_actions.submit_draft(draft, by=request.user, procedure=procedure, agency=agency)
            except DomainError as exc:
                target = _step_of(exc.fields or {})
                url = reverse("dossiers:draft_step", args=[draft.pk, target]) if target else ""
                problems.append((url, exc.message))
            else:
                return redirect("dossiers:receipt", code=d.code)
    stored = core_drafts.uploads_by_slot(draft)
    data = draft.data
    answers = data.get("eform") or {}
    needs = paper_rules.paper_needs(procedure, by=request.user, eform_given=bool(answers))
    earlier = {
        a.pk: a
        for a in queries.reusable_attachments(request.user).filter(
            pk__in=[int(v) for v in (data.get("reuse") or {}).values()]
        )
    }
    papers = [
        {
            "need": n,
            "files": stored.get(draft_actions.paper_slot(n.paper), []),
            "reused": earlier.get((data.get("reuse") or {}).get(str(n.paper.pk))),
        }
        for n in needs
    ]
    return _render(
        request,
        procedure,
        draft,
        step,
        {
            "agency": agency,
            "applicant": data.get("applicant") or {},
            "answers": eform.shown(procedure.eform_schema, answers),
            "papers": papers,
            "note": data.get("note", ""),
            "problems": problems,
        },
        422 if problems else 200,
    )

"""Pages of directives and tasks: my unit's tasks, tasks I assigned, the task page (history,
reports, the buttons the actions module allows), the guided assign form (one unit or many: a draft
with its attachments, three steps), a sub-task form, the unit scoreboard, a plan's progress, and
the follow-up register as Excel.

Views stay thin: parse a form, call one action of :mod:`thudo.tasks.actions` or one read of
:mod:`thudo.tasks.queries`, show the result or the domain's Vietnamese message.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter, defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from thudo.core import drafts as core_drafts
from thudo.core import permissions, references, spreadsheets, stored
from thudo.core.errorpages import hide_denied
from thudo.core.errors import DomainError
from thudo.core.models import Agency
from thudo.core.wizard import Step, Wizard
from thudo.tasks import actions, facts, queries, transitions
from thudo.tasks import forms as f
from thudo.tasks import status as st
from thudo.tasks.models import Plan, Priority, Recurrence, SourceKind, State, Task

PAGE_SIZE = 50


def _official_required(view):
    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (
            permissions.is_city_admin(request.user) or permissions.agencies_for(request.user, "task.view")
        ):
            raise Http404(_("Trang này dành cho cán bộ."))
        return view(request, *args, **kwargs)

    return wrapper


def _apply_errors(form, exc: DomainError) -> None:
    placed = False
    for name, message in (exc.fields or {}).items():
        key = {"lead_agency": "lead_agencies"}.get(name, name)
        if key in form.fields:
            form.add_error(key, str(message))
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _rows(tasks, today: dt.date | None = None) -> list[dict]:
    """Each task with its standing and working days left (no query: calendars are cached)."""
    today = today or st.today()
    out = []
    for t in tasks:
        standing = st.standing(t, today)
        out.append(
            {
                "t": t,
                "standing": standing,
                "standing_label": st.Standing(standing).label,
                "left": st.working_days_left(t, today)
                if t.state in ("assigned", "accepted", "in_progress")
                else None,
            }
        )
    return out


UNIT_TABS = (
    ("todo", gettext_lazy("Cần thực hiện")),
    ("due_soon", gettext_lazy("Sắp đến hạn")),
    ("overdue", gettext_lazy("Quá hạn")),
    ("reported", gettext_lazy("Chờ kết thúc")),
    ("coordinate", gettext_lazy("Phối hợp")),
    ("done", gettext_lazy("Đã hoàn thành")),
)
ASSIGNED_TABS = (
    ("open", gettext_lazy("Đang theo dõi")),
    ("reported", gettext_lazy("Chờ kết thúc")),
    ("overdue", gettext_lazy("Quá hạn")),
    ("all", gettext_lazy("Tất cả")),
)


def _list(request, qs, *, title, tabs, tab, intro=""):
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": _rows(page.object_list),
        "title": title,
        "tabs": tabs,
        "tab": tab,
        "intro": intro,
        "can_assign": permissions.can(request.user, "task.assign"),
    }
    template = "tasks/_rows.html" if request.headers.get("HX-Request") else "tasks/list.html"
    return render(request, template, context)


@_official_required
def unit_tasks(request):
    """Nhiệm vụ của đơn vị: to do, due soon, overdue, … (city leaders see every unit's)."""
    tab = request.GET.get("tab", "todo")
    if tab not in dict(UNIT_TABS):
        tab = "todo"
    qs = queries.unit_tasks(request.user, tab)
    return _list(request, qs, title=_("Nhiệm vụ của đơn vị"), tabs=UNIT_TABS, tab=tab)


@_official_required
def assigned(request):
    """Nhiệm vụ đã giao: what I (or my agency) assigned, to follow up and close."""
    tab = request.GET.get("tab", "open")
    if tab not in dict(ASSIGNED_TABS):
        tab = "open"
    qs = queries.assigned_by(request.user, tab)
    return _list(request, qs, title=_("Nhiệm vụ đã giao"), tabs=ASSIGNED_TABS, tab=tab)


# --- the guided assign form ---------------------------------------------------------------------

DRAFT_KIND = "tasks.assign"
FILES = "files"  # the draft's slot of the directive's attachments
STEPS = Wizard(
    [
        Step("noi-dung", gettext_lazy("Nội dung")),
        Step("don-vi", gettext_lazy("Đơn vị và thời hạn")),
        Step("xem-lai", gettext_lazy("Xem lại và giao")),
    ]
)
# The step where each field the write path may name is entered: its refusal shows there.
FIELD_STEPS = {
    **dict.fromkeys((*f.AssignWhatForm.FIELDS, FILES), "noi-dung"),
    **dict.fromkeys((*f.AssignWhoForm.FIELDS, "lead_agency", "lead_person", "plan", "milestone"), "don-vi"),
}


def _assigning(request):
    assigning = queries.assigning_agencies(request.user)
    if not assigning.exists():
        raise Http404(_("Bạn không có quyền giao nhiệm vụ."))
    return assigning


@_official_required
def assign(request):
    """Giao nhiệm vụ: open (or resume) the person's draft of a directive and go to its step."""
    _assigning(request)
    draft = core_drafts.start(owner=request.user, kind=DRAFT_KIND)
    return redirect("tasks:assign_step", pk=draft.pk, step=draft.step or STEPS.first)


@_official_required
@hide_denied
def assign_step(request, pk: int, step: str):
    """One step of the guided assign form (to one unit, or one directive to many units)."""
    STEPS.check(step)
    assigning = _assigning(request)
    draft = core_drafts.get_own(request.user, pk, kind=DRAFT_KIND)
    if request.method == "POST" and request.POST.get("go") == "discard":
        core_drafts.discard(draft, by=request.user)
        messages.success(request, _("Đã bỏ bản nháp giao nhiệm vụ."))
        return redirect("tasks:assigned")
    handler = {"noi-dung": _what_step, "don-vi": _who_step, "xem-lai": _review_step}[step]
    return handler(request, draft, step, assigning)


def _go(request, draft, step: str):
    target = STEPS.previous(step) if request.POST.get("go") == "back" else STEPS.next(step)
    return redirect("tasks:assign_step", pk=draft.pk, step=target or step)


def _render(request, draft, step: str, context: dict, status: int = 200):
    """The page of ``step`` (also drawn at another step's address when the write path refused
    something entered here: the form posts to its own step)."""
    base = {
        "draft": draft,
        "step": step,
        "action": reverse("tasks:assign_step", args=[draft.pk, step]),
        "steps": STEPS.nav(step, lambda slug: reverse("tasks:assign_step", args=[draft.pk, slug])),
        "current_number": STEPS.slugs.index(step) + 1,
        "previous": STEPS.previous(step),
        "files": core_drafts.uploads_by_slot(draft).get(FILES, []),
    }
    return render(request, f"tasks/assign_{step.replace('-', '_')}.html", base | context, status=status)


def _who_form(request, draft, assigning, data=None):
    agencies = queries.lead_choices(request.user)
    milestones = queries.milestone_choices(request.user)
    if data is not None:
        return f.AssignWhoForm(data, agencies=agencies, assigning=assigning, milestones=milestones)
    return f.AssignWhoForm(initial=draft.data, agencies=agencies, assigning=assigning, milestones=milestones)


def _take_files(request, draft) -> str | None:
    """Check and store each arriving file in the draft at once (before any other field is looked
    at): a mistake elsewhere never loses a file. The first bad file stops; its message is shown."""
    if FILES in request.POST.getlist("remove"):
        core_drafts.detach(draft, slot=FILES)
    kept = len(core_drafts.uploads_by_slot(draft).get(FILES, []))
    for n, upload in enumerate(request.FILES.getlist(FILES)):
        try:
            (clean_file,) = actions.clean_files([upload], already=kept + n)
        except DomainError as exc:
            return exc.message
        core_drafts.attach(draft, slot=FILES, upload=clean_file, replace=False)
    return None


def _what_step(request, draft, step, assigning):
    if request.method == "POST":
        form = f.AssignWhatForm(request.POST)
        file_error = _take_files(request, draft)
        core_drafts.save(draft, data={k: request.POST.get(k, "") for k in form.FIELDS})
        if form.is_valid() and file_error is None:
            core_drafts.save(draft, step=STEPS.next(step))
            return _go(request, draft, step)
        return _render(request, draft, step, {"form": form, "file_error": file_error}, 422)
    return _render(request, draft, step, {"form": f.AssignWhatForm(initial=draft.data)})


def _who_answers(post) -> dict:
    lists = f.AssignWhoForm.LISTS
    answers = {k: post.getlist(k) if k in lists else post.get(k, "") for k in f.AssignWhoForm.FIELDS}
    answers["each"] = "on" if post.get("each") else ""
    return answers


def _assign_kwargs(what: dict, who: dict) -> dict:
    """What the two steps' cleaned answers give :func:`actions.assign`."""
    return {
        "assigner_agency": who["assigner_agency"],
        "lead_agencies": list(who["lead_agencies"]),
        "each": who["each"],
        "coordinators": list(who["coordinators"]),
        "title": what.get("title", ""),
        "source_kind": what.get("source_kind") or SourceKind.AD_HOC,
        "recurrence": who["recurrence"],
        "deadline": who["deadline"],
        "priority": what.get("priority") or Priority.NORMAL,
        "milestone": who.get("milestone"),
    }


def _who_step(request, draft, step, assigning):
    if request.method == "POST":
        form = _who_form(request, draft, assigning, data=request.POST)
        core_drafts.save(draft, data=_who_answers(request.POST))
        if request.POST.get("go") == "back":
            return _go(request, draft, step)
        if form.is_valid():
            what = f.AssignWhatForm(draft.data)
            what_data = what.cleaned_data if what.is_valid() else {}
            try:
                # The rules of the action, asked here so a mistake shows on this step.
                actions.check_assign(by=request.user, **_assign_kwargs(what_data, form.cleaned_data))
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                core_drafts.save(draft, step=STEPS.next(step))
                return _go(request, draft, step)
        return _render(request, draft, step, {"form": form}, 422)
    return _render(request, draft, step, {"form": _who_form(request, draft, assigning)})


def _stored_files(draft) -> list[ContentFile]:
    out = []
    for u in core_drafts.uploads_by_slot(draft).get(FILES, []):
        with u.file.open("rb") as fh:
            out.append(ContentFile(fh.read(), name=u.original_name))
    return out


def _review_step(request, draft, step, assigning):
    what = f.AssignWhatForm(draft.data)
    who = _who_form(request, draft, assigning, data=draft.data)
    if request.method == "POST" and request.POST.get("go") == "back":
        return _go(request, draft, step)
    problems: list[str] = []
    if request.method == "POST":
        if not what.is_valid():
            return _render(request, draft, "noi-dung", {"form": what}, 422)
        if not who.is_valid():
            return _render(request, draft, "don-vi", {"form": who}, 422)
        try:
            made = actions.assign(
                by=request.user,
                content=what.cleaned_data["content"],
                source_label=what.cleaned_data["source_label"],
                files=_stored_files(draft),
                **_assign_kwargs(what.cleaned_data, who.cleaned_data),
            )
        except DomainError as exc:
            target = next((FIELD_STEPS[k] for k in (exc.fields or {}) if k in FIELD_STEPS), None)
            if target is not None:
                form = what if target == "noi-dung" else who
                file_error = (exc.fields or {}).get(FILES)
                if file_error is None:
                    _apply_errors(form, exc)
                return _render(request, draft, target, {"form": form, "file_error": file_error}, 422)
            problems.append(exc.message)
        else:
            core_drafts.discard(draft, by=request.user, reason="submitted")
            if len(made) == 1:
                messages.success(request, _("Đã giao nhiệm vụ %(code)s.") % {"code": made[0].code})
                return redirect("tasks:detail", pk=made[0].pk)
            messages.success(request, _("Đã giao nhiệm vụ cho %(n)d đơn vị.") % {"n": len(made)})
            return redirect("tasks:assigned")
    shown_what = what.cleaned_data if what.is_valid() else {}
    shown_who = who.cleaned_data if who.is_valid() else {}
    summary = {
        "source_kind": dict(SourceKind.choices).get(shown_what.get("source_kind", ""), ""),
        "priority": dict(Priority.choices).get(shown_what.get("priority", ""), ""),
        "recurrence": dict(Recurrence.choices).get(shown_who.get("recurrence", ""), ""),
        "lead_agencies": list(shown_who.get("lead_agencies") or []),
        "coordinators": list(shown_who.get("coordinators") or []),
    }
    context = {
        "what": shown_what,
        "who": shown_who,
        "summary": summary,
        "problems": problems,
        "incomplete": not (shown_what and shown_who),
        "final": True,
    }
    return _render(request, draft, step, context, 422 if problems else 200)


# --- the task page ---------------------------------------------------------------------------------

# slug → (verb, form, button label); the page shows a form for each verb transitions.may allows.
PAGE_VERBS: dict[str, tuple[str, type | None, str]] = {
    "tiep-nhan": ("accept", None, gettext_lazy("Tiếp nhận nhiệm vụ")),
    "bao-cao-tien-do": ("report_progress", f.ProgressForm, gettext_lazy("Báo cáo tiến độ")),
    "bao-cao-hoan-thanh": ("report_done", f.DoneForm, gettext_lazy("Báo cáo hoàn thành")),
    "de-nghi-gia-han": ("request_extension", f.ExtensionForm, gettext_lazy("Đề nghị gia hạn")),
    "dong-y-gia-han": ("approve_extension", f.NoteForm, gettext_lazy("Đồng ý gia hạn")),
    "khong-dong-y-gia-han": ("refuse_extension", f.NoteForm, gettext_lazy("Không đồng ý gia hạn")),
    "ket-thuc": ("close", f.NoteForm, gettext_lazy("Kết thúc nhiệm vụ")),
    "tra-lai": ("return", f.ReasonForm, gettext_lazy("Trả lại, yêu cầu thực hiện tiếp")),
    "huy": ("cancel", f.ReasonForm, gettext_lazy("Hủy nhiệm vụ")),
}


HISTORY_VERBS = {
    "assign": gettext_lazy("Giao nhiệm vụ"),
    "accept": gettext_lazy("Tiếp nhận"),
    "report_progress": gettext_lazy("Báo cáo tiến độ"),
    "report_done": gettext_lazy("Báo cáo hoàn thành"),
    "request_extension": gettext_lazy("Đề nghị gia hạn"),
    "approve_extension": gettext_lazy("Đồng ý gia hạn"),
    "refuse_extension": gettext_lazy("Không đồng ý gia hạn"),
    "close": gettext_lazy("Kết thúc"),
    "return": gettext_lazy("Trả lại"),
    "cancel": gettext_lazy("Hủy"),
    "next_period": gettext_lazy("Giao nhiệm vụ kỳ tiếp theo"),
    "designate": gettext_lazy("Phân công người chủ trì"),
}


def _history(t: Task) -> list[dict]:
    states = dict(State.choices)
    return [
        {
            "e": e,
            "label": HISTORY_VERBS.get(e.verb, e.verb),
            "to": states.get(e.to_state, "") if e.to_state else "",
        }
        for e in queries.history(t)
    ]


def _task(request, pk: int) -> Task:
    t = queries.get(request.user, pk)
    if t is None:
        raise Http404(_("Không tìm thấy nhiệm vụ."))
    return t


def _detail_context(
    request, t: Task, bound: dict | None = None, file_errors: dict[str, str] | None = None
) -> dict:
    bound, file_errors = bound or {}, file_errors or {}
    allowed = set(transitions.verbs_for(request.user, t))
    kept = _kept_report_files(request, t)
    buttons = []
    for slug, (verb, form_class, label) in PAGE_VERBS.items():
        if verb in allowed:
            form = bound.get(slug) or (form_class(auto_id=f"id_{slug}_%s") if form_class else None)
            buttons.append(
                {
                    "slug": slug,
                    "label": label,
                    "form": form,
                    "open": slug in bound or slug in kept,
                    "takes_files": form_class is not None and FILES in form_class.base_fields,
                    "files": kept.get(slug, []),
                    "file_error": file_errors.get(slug),
                }
            )
    today = st.today()
    standing = st.standing(t, today)
    units = queries.units(t)
    return {
        "t": t,
        "standing": standing,
        "standing_label": st.Standing(standing).label,
        "left": st.working_days_left(t, today),
        "due_day": st.due_day(st.counted_deadline(t), t.lead_agency_id),
        "basis_label": _("hạn ban đầu") if st.basis() == "original" else _("hạn đã gia hạn"),
        "coordinators": [u.agency for u in units if u.role == "coordinate"],
        "reports": list(queries.reports(t)),
        "extensions": list(t.extensions.select_related("requested_by", "decided_by")),
        "history": _history(t),
        "subtasks": _rows(
            t.subtasks.select_related("lead_agency", "lead_person", "assigner_agency", "assigner")
        ),
        "files": list(t.files.filter(report__isnull=True)),
        "buttons": buttons,
        "can_split": "split" in allowed and t.lead_agency.children.exists(),
        # A source in another module (a target of the board, later a document): its page.
        "source_link": references.link(t.source_ref),
    }


@_official_required
@hide_denied
def detail(request, pk: int):
    t = _task(request, pk)
    return render(request, "tasks/detail.html", _detail_context(request, t) | _designate_context(request, t))


# --- the lead person (người chủ trì), named by the lead unit's leader ----------------------------


def _designate_context(request, t: Task, form=None) -> dict:
    """The task page's "Phân công người chủ trì" form, when the person may designate."""
    if form is None and not transitions.may(request.user, "designate", t):
        return {}
    people = queries.designate_choices(t)
    if form is None:
        initial = {"person": t.lead_person_id} if t.lead_person_id else {}
        form = f.DesignateForm(initial=initial, people=people, auto_id="id_designate_%s")
    return {"designate": {"form": form, "open": form.is_bound}}


@_official_required
@hide_denied
@require_POST
def designate(request, pk: int):
    """Phân công người chủ trì (người xử lý chính) of the task."""
    t = _task(request, pk)
    if not transitions.may(request.user, "designate", t):
        raise Http404
    people = queries.designate_choices(t)
    form = f.DesignateForm(request.POST, people=people, auto_id="id_designate_%s")
    if form.is_valid():
        try:
            actions.designate(t, by=request.user, person=form.cleaned_data["person"])
        except DomainError as exc:
            if not exc.fields:
                messages.error(request, exc.message)
                return redirect("tasks:detail", pk=t.pk)
            _apply_errors(form, exc)
        else:
            name = form.cleaned_data["person"]
            messages.success(
                request,
                _("Đã phân công %(name)s chủ trì nhiệm vụ %(code)s.") % {"name": name, "code": t.code},
            )
            return redirect("tasks:detail", pk=t.pk)
    context = _detail_context(request, t) | _designate_context(request, t, form)
    return render(request, "tasks/detail.html", context, status=422)


REPORT_DRAFT = "tasks.report"  # a report form's files, kept per person, task and form


def _report_draft(request, t: Task, slug: str):
    return core_drafts.start(owner=request.user, kind=REPORT_DRAFT, subject=f"{t.pk}:{slug}")


def _kept_report_files(request, t: Task) -> dict[str, list]:
    """The files each report form of ``t`` holds for this person (kept after an error), by slug."""
    prefix = f"{t.pk}:"
    kept = core_drafts.uploads_by_subject(request.user, REPORT_DRAFT, prefix=prefix)
    return {key.removeprefix(prefix): [u for u in ups if u.slot == FILES] for key, ups in kept.items()}


@_official_required
@hide_denied
@require_POST
def act(request, pk: int, verb: str):
    """One move on the task page. A report's files are stored the moment they arrive (in a draft of
    this person, task and form), so an error in another field never loses them."""
    if verb not in PAGE_VERBS:
        raise Http404
    t = _task(request, pk)
    name, form_class, label = PAGE_VERBS[verb]
    draft = None
    file_error = None
    if form_class is not None and FILES in form_class.base_fields and transitions.may(request.user, name, t):
        draft = _report_draft(request, t, verb)
        file_error = _take_files(request, draft)
    form = form_class(request.POST, auto_id=f"id_{verb}_%s") if form_class else None

    def again(error=None):
        errors = {verb: error} if error else {}
        context = _detail_context(request, t, {verb: form}, file_errors=errors)
        return render(request, "tasks/detail.html", context, status=422)

    if form is not None and (not form.is_valid() or file_error):
        return again(file_error)
    data = dict(form.cleaned_data) if form is not None else {}
    if draft is not None:
        data[FILES] = _stored_files(draft)
    try:
        actions.act(t, name, by=request.user, data=data)
    except DomainError as exc:
        if form is None:
            messages.error(request, exc.message)
            return redirect("tasks:detail", pk=t.pk)
        file_error = (exc.fields or {}).get(FILES)
        if file_error is None:
            _apply_errors(form, exc)
        return again(file_error)
    if draft is not None:
        core_drafts.discard(draft, by=request.user, reason="submitted")
    messages.success(
        request, _("%(action)s: đã thực hiện với nhiệm vụ %(code)s.") % {"action": label, "code": t.code}
    )
    return redirect("tasks:detail", pk=t.pk)


@_official_required
@hide_denied
def split(request, pk: int):
    """Giao tiếp: the lead unit gives a part of the task to one of its sections."""
    t = _task(request, pk)
    if not transitions.may(request.user, "split", t):
        raise Http404
    units = Agency.objects.filter(parent=t.lead_agency, is_active=True).order_by("name")
    form = f.SplitForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            sub = actions.assign_one(
                by=request.user,
                parent=t,
                lead_agency=form.cleaned_data["lead_agency"],
                title=form.cleaned_data["title"],
                deadline=form.cleaned_data["deadline"],
                source_kind=t.source_kind,
                source_label=t.source_label,
            )
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã giao nhiệm vụ con %(code)s.") % {"code": sub.code})
            return redirect("tasks:detail", pk=t.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "tasks/split.html", {"t": t, "form": form}, status=status)


@_official_required
@hide_denied
def task_file(request, pk: int, file_pk: int):
    row = queries.file(_task(request, pk), file_pk)
    if row is None:
        raise Http404
    return stored.download(row.file, row.original_name, row.content_type)


# --- scoreboard, plan, register ----------------------------------------------------------------------


def _month(raw: str | None) -> dt.date:
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in (raw or "").split("-"))
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        return today.replace(day=1)


@_official_required
def scoreboard(request):
    """Bảng theo dõi: per unit, the month's tasks received (as lead and as co-ordinating unit),
    done on time, done late, overdue at the month's end and the on-time rate (the same facts as
    the monthly index)."""
    month = _month(request.GET.get("thang"))
    units = queries.units_of(request.user)
    counts = facts.count(month, None if units is None else sorted(units), timezone.now())
    names = dict(Agency.objects.filter(pk__in=counts).values_list("pk", "name"))
    rows = []
    for agency_id, row in counts.items():
        done = row.get(facts.DONE, 0)
        rows.append(
            {
                "name": names.get(agency_id, "—"),
                "received": row.get(facts.RECEIVED, 0),
                "coordinated": row.get(facts.COORDINATED, 0),
                "on_time": row.get(facts.DONE_ON_TIME, 0),
                "late": row.get(facts.DONE_LATE, 0),
                "overdue": row.get(facts.OVERDUE_AT_MONTH_END, 0),
                "rate": round(100 * row.get(facts.DONE_ON_TIME, 0) / done) if done else None,
            }
        )
    rows.sort(key=lambda r: (-(r["rate"] if r["rate"] is not None else -1), r["overdue"], r["name"]))
    return render(request, "tasks/scoreboard.html", {"rows": rows, "month": month})


@_official_required
def plan(request, pk: int):
    """A plan's progress per milestone and per unit."""
    p = Plan.objects.select_related("agency").filter(pk=pk).first()
    if p is None:
        raise Http404
    tasks = list(
        queries.visible(request.user)
        .filter(plan=p)
        .select_related("lead_agency", "milestone")
        .order_by("milestone__due", "pk")
    )
    today = st.today()
    # Every milestone of the plan has its row, in order, also before any task is given under it.
    by_milestone: dict = {m: Counter() for m in p.milestones.all()}
    by_unit: dict = defaultdict(Counter)
    for t in tasks:
        s = st.standing(t, today)
        by_milestone.setdefault(t.milestone, Counter())[s] += 1
        by_unit[t.lead_agency.name][s] += 1
    milestones = [{"m": m, "c": c, "total": sum(c.values())} for m, c in by_milestone.items()]
    unit_rows = [{"name": n, "c": c, "total": sum(c.values())} for n, c in sorted(by_unit.items())]
    return render(
        request,
        "tasks/plan.html",
        {"p": p, "milestones": milestones, "units": unit_rows, "rows": _rows(tasks, today), "S": st.Standing},
    )


# --- plans (kế hoạch) and their milestones -------------------------------------------------------


@_official_required
def plans(request):
    """Kế hoạch: the plans, newest year first, each linking its progress page."""
    rows = queries.plan_list(request.user)
    can_create = queries.assigning_agencies(request.user).exists()
    return render(request, "tasks/plans.html", {"plans": rows, "can_create": can_create})


def _plan_errors(form: f.PlanForm, exc: DomainError) -> None:
    """The action's fields (``milestones.<n>.due``) on the page's rows (``m<row>_due``)."""
    placed = False
    for name, message in (exc.fields or {}).items():
        key = name
        if name.startswith("milestones."):
            _prefix, n, part = name.split(".")
            key = f"m{form.row_of[int(n)]}_{part}"
        if key in form.fields:
            form.add_error(key, str(message))
            placed = True
    if not placed:
        form.add_error(None, exc.message)


@_official_required
def plan_create(request):
    """Tạo kế hoạch: the plan and its milestones, for an agency the person may assign for."""
    agencies = queries.assigning_agencies(request.user)
    if not agencies.exists():
        raise Http404(_("Bạn không có quyền tạo kế hoạch."))
    year = timezone.localdate().year
    form = f.PlanForm(request.POST or None, agencies=agencies, year=year)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            p = actions.create_plan(
                by=request.user,
                code=data["code"],
                title=data["title"],
                year=data["year"],
                agency=data["agency"],
                basis=data["basis"],
                milestones=form.milestones(),
            )
        except DomainError as exc:
            _plan_errors(form, exc)
        else:
            messages.success(request, _("Đã tạo kế hoạch %(code)s.") % {"code": p.code})
            return redirect("tasks:plan", pk=p.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "tasks/plan_create.html", {"form": form}, status=status)


@_official_required
def register_export(request):
    """Sổ theo dõi giải quyết (Decree 30/2020, the follow-up register's 7 columns) as XLSX."""
    qs = (
        queries.visible(request.user)
        .select_related("lead_agency", "lead_person")
        .prefetch_related("units__agency")
        .order_by("assigned_at", "pk")
    )
    today = st.today()
    head = [
        _("Số đến / mã nhiệm vụ"),
        _("Tên loại, số, ký hiệu, ngày, cơ quan ban hành; trích yếu"),
        _("Đơn vị hoặc người nhận"),
        _("Thời hạn giải quyết"),
        _("Tiến độ giải quyết"),
        _("Số, ký hiệu văn bản trả lời"),
        _("Ghi chú"),
    ]
    rows = []
    for t in qs[:5000]:
        lead = t.lead_agency.name + (f" ({t.lead_person})" if t.lead_person else "")
        deadline = f"{t.deadline:%d/%m/%Y}" if t.deadline else _("Thường xuyên")
        if t.original_deadline and t.deadline != t.original_deadline:
            deadline += " " + _("(hạn ban đầu %(d)s)") % {"d": f"{t.original_deadline:%d/%m/%Y}"}
        coordinators = [u.agency.name for u in t.units.all() if u.role == "coordinate"]
        note = _("Phối hợp: %(units)s") % {"units": ", ".join(coordinators)} if coordinators else ""
        rows.append(
            [
                t.source_ref or t.code,
                " — ".join(x for x in (t.source_label, t.title) if x),
                lead,
                deadline,
                f"{st.Standing(st.standing(t, today)).label} ({t.progress}%)",
                t.result_document,
                note,
            ]
        )
    body = spreadsheets.xlsx_bytes(
        _("SỔ THEO DÕI GIẢI QUYẾT NHIỆM VỤ"), _("Lập ngày %(d)s") % {"d": f"{today:%d/%m/%Y}"}, head, rows
    )
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"so-theo-doi-nhiem-vu-{today:%Y%m%d}.xlsx"
    )
    return response

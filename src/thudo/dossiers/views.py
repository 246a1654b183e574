"""Pages of the dossier workflow: the citizen portal and the officials' workspace.

Views stay thin: parse a form, call one action of :mod:`thudo.dossiers.actions` (or one read of
:mod:`thudo.dossiers.queries`), show the result or the domain's message. Every POST is CSRF
protected and reached through a confirmation step that works without JavaScript (a
``<details>`` disclosure that holds the confirming form).
"""

from __future__ import annotations

import functools
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from thudo.core import drafts as core_drafts
from thudo.core import eform, permissions
from thudo.core.errorpages import hide_denied
from thudo.core.errors import DomainError, InvalidInput, NotFound
from thudo.core.models import Agency, User
from thudo.core.replica import reads_from_replica
from thudo.dossiers import actions, queries, register, transitions
from thudo.dossiers import forms as f
from thudo.dossiers.models import AttachmentKind, Dossier, EventVerb, NoticeForm, Status
from thudo.procedures import queries as procedure_queries
from thudo.signing import queries as signing_queries
from thudo.signing.papers import first_page_png, render_paper
from thudo.signing.qr import qr_data_uri

PAGE_SIZE = 50


# --- helpers ------------------------------------------------------------------------------------


def _official_required(view):
    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (
            permissions.is_city_admin(request.user) or permissions.agencies_for(request.user, "dossier.view")
        ):
            raise Http404(_("Trang này dành cho cán bộ."))
        return view(request, *args, **kwargs)

    return wrapper


def _apply_errors(form, exc: DomainError) -> None:
    """Put the domain's field errors next to the fields; the rest at the top of the form."""
    placed = False
    for name, message in (exc.fields or {}).items():
        if name in form.fields:
            form.add_error(name, str(message))
            placed = True
    if not placed or not exc.fields:
        form.add_error(None, exc.message)


def _citizen_of(user):
    """The signed-in person's citizen record (identity app), or None."""
    try:
        return user.citizen
    except (ObjectDoesNotExist, AttributeError):  # no citizen record, or identity not installed
        return None


def _lookup_url(request, d: Dossier) -> str:
    """The dossier's public page, as printed on its papers (one address for page and paper)."""
    return actions.public_url(d)


def _qr_image(url: str) -> str:
    """A data: URI of the QR code (an <img> with a text alternative; CSP allows data: images)."""
    return qr_data_uri(url)


def _notice(d: Dossier, form: str):
    return d.attachments.filter(kind=AttachmentKind.NOTICE, form=form).order_by("-uploaded_at", "-pk").first()


def _timeline(d: Dossier):
    return d.events.select_related("step").order_by("seq")


def _status_badge(status: str) -> str:
    if status in (Status.RESULT_READY, Status.RETURNED):
        return "ok"
    if status in (Status.SUPPLEMENT_REQUESTED, Status.PAUSED):
        return "warn"
    if status in (Status.REJECTED, Status.WITHDRAWN):
        return "bad"
    return ""


# What a queue row reads (_queue_rows.html, _status.html, deadlines.is_overdue): the page loads
# only these columns of 50 dossiers and their related rows, not every column of six tables.
QUEUE_ROW_RELATED = ("procedure", "current_step", "assignee")
QUEUE_ROW_FIELDS = (
    "code",
    "status",
    "applicant_name",
    "due_at",
    "paused_since",
    "finished_at",
    "procedure__name",
    "current_step__name",
    "assignee__username",
    "assignee__full_name",
)


def _rows(dossiers, now=None):
    now = now or timezone.now()
    return [
        {
            "d": d,
            "overdue": queries.is_overdue(d, now=now),
            "badge": _status_badge(d.status),
            # get_status_display() translates every state's label to find one (10 per row).
            "label": str(Status(d.status).label),
        }
        for d in dossiers
    ]


def _serve(field, name: str, *, inline: bool = False) -> FileResponse:
    return FileResponse(field.open("rb"), as_attachment=not inline, filename=name)


# --- citizen portal -----------------------------------------------------------------------------


@login_required
@hide_denied
def receipt(request, code: str):
    """Right after submission: code, secret, appointment, QR and the receipt (form 01)."""
    d = queries.by_code(request.user, code)
    if d.applicant_user_id != request.user.pk:
        raise Http404
    url = _lookup_url(request, d)
    return render(
        request,
        "dossiers/receipt.html",
        {"d": d, "lookup_url": url, "qr": _qr_image(url), "receipt_notice": _notice(d, NoticeForm.RECEIPT)},
    )


@login_required
def mine(request):
    """Hồ sơ của tôi."""
    qs = Dossier.objects.filter(applicant_user=request.user).select_related("procedure", "processing_agency")
    page = Paginator(qs.order_by("-submitted_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dossiers/mine.html", {"page": page, "rows": _rows(page)})


def _owner_dossier(request, code: str) -> Dossier:
    d = queries.by_code(request.user, code)
    if d.applicant_user_id != request.user.pk:
        raise Http404
    return d


def _declaration(d: Dossier) -> dict:
    """What the applicant declared online (e-form answers) and the papers not asked of her."""
    data = d.form_data or {}
    answers = eform.shown(d.procedure.eform_schema, data["eform"]) if data.get("eform") else []
    ids = data.get("not_asked") or []
    not_asked = [p for p in d.procedure.papers.all() if p.pk in ids] if ids else []
    return {"eform_answers": answers, "not_asked": not_asked}


def _dossier_context(request, d: Dossier) -> dict:
    results = list(d.results.order_by("-version"))
    return _declaration(d) | {
        "d": d,
        "overdue": queries.is_overdue(d),
        "badge": _status_badge(d.status),
        "events": _timeline(d),
        "attachments": d.attachments.select_related("paper").order_by("kind", "uploaded_at", "pk"),
        "result": next((r for r in results if r.signed), None),
        "results": results,
        "payments": d.payments.all(),
        "apology": getattr(d, "apology", None),
        "receipt_available": d.status == Status.SUBMITTED or _notice(d, NoticeForm.RECEIPT) is not None,
        "status_label": transitions.status_label(d),
    }


def _owner_context(request, d: Dossier, bound: dict | None = None) -> dict:
    context = _dossier_context(request, d)
    rated = hasattr(d, "rating")
    bound = bound or {}
    return context | {
        # The same rule the actions apply (transitions.may): the page keeps no table of its own.
        "can_supplement": transitions.may(request.user, "supplement", d),
        "can_withdraw": transitions.may(request.user, "withdraw", d),
        "can_request_stop": transitions.may(request.user, "request_withdrawal", d),
        "stop_form": bound.get("stop_form") or f.StopRequestForm(),
        "can_rate": transitions.may(request.user, "rate", d) and not rated,
        "rated": rated,
        "due_to_pay": actions.amount_due(d, context["payments"])
        if d.is_open or d.status == Status.RESULT_READY
        else 0,
        "supplement_form": bound.get("supplement_form") or f.NoteForm(),
        "supplement_rows": _supplement_rows(d, None, {}) if d.status == Status.SUPPLEMENT_REQUESTED else [],
        "withdraw_form": bound.get("withdraw_form") or f.WithdrawForm(),
        "rating_form": bound.get("rating_form") or f.RatingForm(),
        "open_form": next(iter(bound), None),
        "lookup_url": _lookup_url(request, d),
    }


def supplement_reasons(d: Dossier) -> list[str]:
    """The officer's reasons of the latest supplement request (form 02), one item per paper asked."""
    asked = (
        EventVerb.REQUEST_SUPPLEMENT,
        EventVerb.REQUEST_COMPLETION,
    )  # while processing / before reception
    event = d.events.filter(verb__in=asked).order_by("-seq").first()
    reasons = (event.data or {}).get("reasons") if event else None
    return [str(r) for r in reasons or []]


def _supplement_rows(d: Dossier, draft, errors: dict) -> list[dict]:
    stored = core_drafts.uploads_by_slot(draft) if draft else {}
    reasons = supplement_reasons(d) or [_("Giấy tờ bổ sung")]
    return [
        {
            "reason": reason,
            "name": f"item_{i}",
            "slot": actions.drafts.item_slot(i),
            "attached": stored.get(actions.drafts.item_slot(i), []),
            "error": errors.get(actions.drafts.item_slot(i), ""),
        }
        for i, reason in enumerate(reasons)
    ]


@login_required
@require_POST
@hide_denied
def supplement(request, code: str):
    """Bổ sung hồ sơ: one upload per paper the officer asked for, each kept at once in a draft."""
    d = _owner_dossier(request, code)
    if d.status != Status.SUPPLEMENT_REQUESTED:
        messages.error(request, _("Hồ sơ không ở trạng thái chờ bổ sung."))
        return redirect("dossiers:detail", code=d.code)
    form = f.NoteForm(request.POST)
    draft = actions.drafts.supplement_draft(d, by=request.user, pk=request.POST.get("draft"))
    count = len(supplement_reasons(d)) or 1
    errors = actions.drafts.attach_papers(
        draft,
        by=request.user,
        slots={actions.drafts.item_slot(i): request.FILES.getlist(f"item_{i}") for i in range(count)},
        remove=request.POST.getlist("remove"),
    )
    if not errors and form.is_valid():
        try:
            actions.drafts.supplement_from_draft(draft, d, by=request.user, note=form.cleaned_data["note"])
        except InvalidInput as exc:
            errors[actions.drafts.item_slot(0)] = exc.message
        except DomainError as exc:  # e.g. withdrawn meanwhile: the files stay in the draft
            messages.error(request, exc.message)
            return redirect("dossiers:detail", code=d.code)
        else:
            messages.success(request, _("Đã gửi giấy tờ bổ sung. Hồ sơ tiếp tục được giải quyết."))
            return redirect("dossiers:detail", code=d.code)
    form.is_valid()
    context = _owner_context(request, d, {"supplement_form": form}) | {
        "supplement_draft": draft,
        "supplement_rows": _supplement_rows(d, draft, errors),
        "supplement_errors": [
            (f"id_{r['name']}", r["reason"], r["error"])
            for r in _supplement_rows(d, draft, errors)
            if r["error"]
        ],
    }
    return render(request, "dossiers/detail.html", context, status=422 if errors else 200)


@login_required
@hide_denied
def detail(request, code: str):
    """The owner's dossier page."""
    d = _owner_dossier(request, code)
    return render(request, "dossiers/detail.html", _owner_context(request, d))


def _owner_post(form_class, call, success, form_key: str):
    """POST handler for an owner's action: bind the form, call the action, report back."""

    @login_required
    @require_POST
    @hide_denied
    def view(request, code: str):
        d = _owner_dossier(request, code)
        form = form_class(request.POST, request.FILES)
        if not form.is_valid():
            context = _owner_context(request, d, {form_key: form})
            return render(request, "dossiers/detail.html", context, status=422)
        try:
            call(d, request.user, form)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, success)
        return redirect("dossiers:detail", code=d.code)

    return view


withdraw = _owner_post(
    f.WithdrawForm,
    lambda d, by, form: actions.withdraw(d, by=by, reason=form.cleaned_data["reason"]),
    gettext_lazy("Đã rút hồ sơ."),
    "withdraw_form",
)
request_withdrawal = _owner_post(
    f.StopRequestForm,
    lambda d, by, form: actions.request_withdrawal(d, by=by, reason=form.cleaned_data["reason"]),
    gettext_lazy("Đã gửi đề nghị dừng giải quyết. Bộ phận một cửa sẽ xác nhận và thông báo cho bạn."),
    "stop_form",
)
rate = _owner_post(
    f.RatingForm,
    lambda d, by, form: actions.rate(d, by=by, scores=form.scores(), comment=form.cleaned_data["comment"]),
    gettext_lazy("Cảm ơn bạn đã đánh giá."),
    "rating_form",
)


@login_required
@require_POST
@hide_denied
def pay(request, code: str):
    """Online payment of the fee still owed, through the configured gateway."""
    d = _owner_dossier(request, code)
    try:
        actions.pay_online(d, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã thanh toán trực tuyến."))
    return redirect("dossiers:detail", code=d.code)


@hide_denied
def attachment(request, code: str, pk: int):
    """A file of the dossier: for its owner and for officials who may see the dossier."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('web:login')}?next={request.path}")
    a = queries.attachment_for(request.user, code, pk)
    return _serve(a.file, a.original_name, inline=request.GET.get("xem") == "1")


@hide_denied
def result_file(request, code: str, pk: int):
    """The result PDF: the signed version for the applicant and the public (code + secret), any
    version (drafts too) for officials who may see the dossier."""
    d, official = _dossier_for_file(request, code)
    r = d.results.filter(pk=pk).first()
    if r is None or (not r.signed and not official):
        raise Http404
    name = (_("Kết quả %(code)s.pdf") if r.signed else _("Dự thảo kết quả %(code)s.pdf")) % {"code": d.code}
    return _serve(r.file, name, inline=request.GET.get("xem") == "1")


@hide_denied
def notice_file(request, code: str, form: str):
    """A paper the agency issued (receipt 01, supplement request 02, …) as PDF. Before the
    one-stop officer receives an online dossier its receipt is rendered on request (nothing stored)."""
    d, _official = _dossier_for_file(request, code)
    a = _notice(d, form)
    if a is not None:
        return _serve(a.file, a.original_name or f"{form}-{d.code}.pdf")
    if form == NoticeForm.RECEIPT and d.status == Status.SUBMITTED:
        # Submitted online, not yet checked by the one-stop officer: the confirmation of submission
        # counts from the moment the portal received it.
        context = actions.build_receipt_context(d) | {"received_at": d.submitted_at, "date": d.submitted_at}
        pdf = render_paper("receipt", context)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, f"Giấy tiếp nhận {d.code}.pdf")
        return response
    raise Http404


def _dossier_for_file(request, code: str) -> tuple[Dossier, bool]:
    """(dossier, seen as an official?). With ``?s=`` the code plus the secret (from the QR code)
    open it to anyone; otherwise the signed-in person must be allowed to see it."""
    secret = request.GET.get("s")
    if secret:
        queries.public_lookup(code, secret)
        return Dossier.objects.select_related("procedure", "receiving_agency", "processing_agency").get(
            code=code
        ), False
    if not request.user.is_authenticated:
        raise Http404
    d = queries.by_code(request.user, code, audit_read=False)
    return d, d.applicant_user_id != request.user.pk


# --- public lookup ------------------------------------------------------------------------------


# The codes and secrets the person typed in the lookup form, kept in the (server-side) session so
# that the secret never travels in a URL (browser history, logs, Referer); the QR code's link
# still carries it, since a printed paper has no session.
LOOKUPS = "dossier_lookups"
LOOKUPS_KEPT = 10


@reads_from_replica
def lookup(request):
    """Tra cứu hồ sơ by code and secret, without signing in. The form is posted; on success the
    person is sent to the dossier's public page, whose address holds only the code."""
    form = f.LookupForm(
        request.POST if request.method == "POST" else None, initial={"code": request.GET.get("code", "")}
    )
    if form.is_bound and form.is_valid():
        code, secret = form.cleaned_data["code"].strip(), form.cleaned_data["secret"].strip()
        try:
            queries.public_lookup(code, secret)
        except NotFound:
            form.add_error(None, _("Không tìm thấy hồ sơ với mã và mã bí mật này. Vui lòng kiểm tra lại."))
        else:
            remembered = {k: v for k, v in request.session.get(LOOKUPS, {}).items() if k != code}
            remembered[code] = secret
            request.session[LOOKUPS] = dict(list(remembered.items())[-LOOKUPS_KEPT:])
            return redirect("dossiers:lookup_detail", code)
    return render(request, "dossiers/lookup.html", {"form": form})


@reads_from_replica
def lookup_detail(request, code: str):
    """The public page of a dossier, reached from the QR code on the receipt (``?s=`` secret) or
    from the lookup form (the secret the person typed, kept in the session)."""
    secret = request.GET.get("s") or request.session.get(LOOKUPS, {}).get(code, "")
    try:
        view = queries.public_lookup(code, secret)
    except NotFound:
        form = f.LookupForm(initial={"code": code})
        return render(request, "dossiers/lookup.html", {"form": form, "not_found": True}, status=404)
    result = view.results.filter(signed=True).order_by("-version").first()
    return render(
        request,
        "dossiers/lookup_detail.html",
        {"v": view, "secret": secret, "badge": _status_badge(view.status), "result": result},
    )


# --- officials' workspace -----------------------------------------------------------------------

QUEUE_TABS = [
    ("mine", gettext_lazy("Của tôi")),
    ("agency", gettext_lazy("Của cơ quan")),
    ("due_soon", gettext_lazy("Đến hạn trong 1 ngày làm việc")),
    ("overdue", gettext_lazy("Quá hạn")),
]


WORKSPACE_TILES = {
    "reception": (gettext_lazy("Chờ tiếp nhận, trả kết quả"), "dossiers:reception", ""),
    "mine": (gettext_lazy("Của tôi"), "dossiers:work_queue", "?tab=mine"),
    "due_soon": (gettext_lazy("Đến hạn trong 1 ngày làm việc"), "dossiers:work_queue", "?tab=due_soon"),
    "overdue": (gettext_lazy("Quá hạn"), "dossiers:work_queue", "?tab=overdue"),
    "signing": (gettext_lazy("Chờ phê duyệt, ký số"), "dossiers:signing", ""),
}


def workspace_tiles(person) -> list[dict]:
    """The workspace home's counters (``DossiersConfig.workspace_tiles``): one per queue the
    person works from, each linking to that queue."""
    if not (permissions.is_city_admin(person) or permissions.agencies_for(person, "dossier.view")):
        return []
    return [
        {
            "kind": kind,
            "label": WORKSPACE_TILES[kind][0],
            "count": n,
            "url": reverse(WORKSPACE_TILES[kind][1]) + WORKSPACE_TILES[kind][2],
            "alert": kind == "overdue" and n > 0,
        }
        for kind, n in queries.workspace_counts(person).items()
    ]


@_official_required
def work_queue(request):
    """Hàng đợi hồ sơ: mine / my agency / due within one working day / overdue."""
    tab = request.GET.get("tab") or "mine"
    if tab not in dict(QUEUE_TABS):
        tab = "mine"
    qs = queries.queue(request.user, kind=tab).select_related(None).select_related(*QUEUE_ROW_RELATED)
    page = Paginator(qs.only(*QUEUE_ROW_FIELDS), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"tabs": QUEUE_TABS, "tab": tab, "page": page, "rows": _rows(page)}
    template = (
        "dossiers/_queue_panel.html" if request.htmx and not request.htmx.boosted else "dossiers/queue.html"
    )
    return render(request, template, context)


def _counter_agencies(user):
    if permissions.is_city_admin(user):
        return Agency.objects.filter(is_active=True).order_by("name")
    return Agency.objects.filter(pk__in=permissions.agencies_for(user, "dossier.create_counter")).order_by(
        "name"
    )


@_official_required
def reception(request):
    """Bộ phận một cửa: online arrivals waiting for reception, and the counter entry form."""
    qs = queries.queue(request.user, kind="reception")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    procedures = procedure_queries.published()
    return render(
        request,
        "dossiers/reception.html",
        {
            "page": page,
            "rows": _rows(page),
            "procedures": procedures,
            "can_counter": permissions.can(request.user, "dossier.create_counter"),
        },
    )


# The officer's actions: (name, verb, form, label, confirm text, call).
def _call_reasons(name):
    return lambda d, by, form: getattr(actions, name)(d, by=by, reasons=form.cleaned_data["reasons"])


OFFICER_ACTIONS = {
    "receive": (
        "dossier.receive",
        f.NoteForm,
        gettext_lazy("Tiếp nhận"),
        gettext_lazy("Hồ sơ đầy đủ, hợp lệ: tiếp nhận và phát hành giấy tiếp nhận, hẹn trả kết quả."),
        lambda d, by, form: actions.receive(d, by=by, note=form.cleaned_data["note"]),
    ),
    "forward": (
        "dossier.forward",
        f.ForwardForm,
        gettext_lazy("Chuyển bước tiếp theo"),
        gettext_lazy("Hoàn thành bước hiện tại và chuyển hồ sơ sang bước tiếp theo của quy trình."),
        lambda d, by, form: actions.forward(
            d, by=by, note=form.cleaned_data["note"], assignee=form.cleaned_data.get("assignee")
        ),
    ),
    "attach_result": (
        "dossier.draft_result",
        f.ResultForm,
        gettext_lazy("Đính kèm dự thảo kết quả"),
        gettext_lazy("Đính kèm dự thảo kết quả để lãnh đạo phê duyệt và ký số."),
        lambda d, by, form: actions.attach_result(d, by=by, pdf=_read(form.cleaned_data.get("pdf"))),
    ),
    "approve_and_sign": (
        "dossier.sign",
        f.SignForm,
        gettext_lazy("Phê duyệt và ký số"),
        gettext_lazy("Phê duyệt kết quả và ký số bằng chứng thư của bạn. Kết quả đã ký không thể sửa."),
        lambda d, by, form: actions.approve_and_sign(d, by=by, pin=form.cleaned_data.get("pin") or None),
    ),
    "return_result": (
        "dossier.return_result",
        None,
        gettext_lazy("Trả kết quả"),
        gettext_lazy("Xác nhận đã trả kết quả cho người nộp."),
        lambda d, by, form: actions.return_result(d, by=by),
    ),
    "request_supplement": (
        "dossier.request_supplement",
        f.ReasonsForm,
        gettext_lazy("Yêu cầu bổ sung"),
        gettext_lazy("Gửi phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02). Thời hạn giải quyết tạm dừng."),
        _call_reasons("request_supplement"),
    ),
    "pause": (
        "dossier.pause",
        f.PauseForm,
        gettext_lazy("Tạm dừng"),
        gettext_lazy("Tạm dừng tính thời hạn (chờ nghĩa vụ tài chính, ý kiến, kiểm tra)."),
        lambda d, by, form: actions.pause(
            d, by=by, reason=form.cleaned_data["reason"], kind=form.cleaned_data["kind"]
        ),
    ),
    "resume": (
        "dossier.resume",
        None,
        gettext_lazy("Tiếp tục giải quyết"),
        gettext_lazy("Tiếp tục giải quyết; thời gian tạm dừng được cộng vào hạn trả."),
        lambda d, by, form: actions.resume(d, by=by),
    ),
    "transfer": (
        "dossier.transfer",
        f.TransferForm,
        gettext_lazy("Chuyển liên thông"),
        gettext_lazy("Chuyển hồ sơ sang cơ quan khác giải quyết (liên thông)."),
        lambda d, by, form: actions.transfer(
            d, by=by, to_agency=form.cleaned_data["to_agency"], note=form.cleaned_data["note"]
        ),
    ),
    "apologize": (
        "dossier.apologize",
        f.ApologyForm,
        gettext_lazy("Xin lỗi và hẹn lại"),
        gettext_lazy("Phát hành văn bản xin lỗi và hẹn lại ngày trả (mẫu 04). Chỉ được hẹn lại một lần."),
        lambda d, by, form: actions.apologize(
            d, by=by, new_due=form.cleaned_data["new_due"], reason=form.cleaned_data["reason"]
        ),
    ),
    "record_payment": (
        "dossier.record_payment",
        f.PaymentForm,
        gettext_lazy("Ghi nhận thanh toán"),
        gettext_lazy("Ghi nhận khoản phí, lệ phí người nộp đã thanh toán."),
        lambda d, by, form: actions.record_payment(
            d,
            by=by,
            method=form.cleaned_data["method"],
            amount=form.cleaned_data["amount"],
            reference=form.cleaned_data["reference"],
        ),
    ),
    "confirm_withdrawal": (
        "dossier.confirm_withdrawal",
        f.NoteForm,
        gettext_lazy("Xác nhận dừng giải quyết"),
        gettext_lazy(
            "Người nộp đã đề nghị dừng giải quyết: xác nhận dừng và phát hành "
            "thông báo dừng giải quyết (mẫu 05)."
        ),
        lambda d, by, form: actions.confirm_withdrawal(d, by=by, reason=form.cleaned_data["note"]),
    ),
    "decline_withdrawal": (
        "dossier.decline_withdrawal",
        f.DeclineForm,
        gettext_lazy("Không chấp nhận dừng giải quyết"),
        gettext_lazy("Tiếp tục giải quyết và báo cho người nộp lý do không dừng."),
        lambda d, by, form: actions.decline_withdrawal(d, by=by, reason=form.cleaned_data["reason"]),
    ),
    "reject": (
        "dossier.reject",
        f.ReasonsForm,
        gettext_lazy("Từ chối"),
        gettext_lazy("Từ chối giải quyết và gửi phiếu từ chối có nêu rõ lý do (mẫu 03)."),
        _call_reasons("reject"),
    ),
}


def _read(upload) -> bytes | None:
    return upload.read() if upload else None


def _allowed_actions(d: Dossier, user) -> list[str]:
    """The officer actions this person may take on this dossier now: the actions' own rule
    (:func:`thudo.dossiers.transitions.may`: permission, state, step of the internal process)."""
    return [
        name
        for name, (verb, *_rest) in OFFICER_ACTIONS.items()
        if transitions.may(user, verb.removeprefix("dossier."), d)
    ]


def _action_form(name: str, d: Dossier, data=None, files=None, *, user=None):
    """The action's form (None when it needs no input); forwarding offers the people who hold
    the next step's role at the processing agency; signing asks for the PIN of a token only."""
    form_class = OFFICER_ACTIONS[name][1]
    if form_class is None:
        return None
    form = form_class(data, files, prefix=name)
    if name == "approve_and_sign" and not signing_queries.signs_with_token(user):
        del form.fields["pin"]
    if name == "forward":
        nxt = (
            d.process.steps.filter(order__gt=d.current_step.order).order_by("order").first()
            if (d.process_id and d.current_step_id)
            else None
        )
        form.fields["assignee"].queryset = (
            transitions.step_holders(d, nxt).order_by("full_name", "username") if nxt else User.objects.none()
        )
    return form


def _work_context(request, d: Dossier, forms_override: dict | None = None) -> dict:
    names = _allowed_actions(d, request.user)
    action_rows = []
    for name in names:
        _verb, _form_class, label, confirm, _call = OFFICER_ACTIONS[name]
        form = (forms_override or {}).get(name) or _action_form(name, d, user=request.user)
        action_rows.append({"name": name, "label": label, "confirm": confirm, "form": form})
    control = queries.control_sheet(d)
    asked = request.GET.get("mo")
    return _dossier_context(request, d) | {
        "actions": action_rows,
        "control_sheet": control,
        "open_action": next(iter(forms_override or {}), None) or (asked if asked in names else None),
    }


@_official_required
@hide_denied
def work_detail(request, code: str):
    d = queries.by_code(request.user, code)
    return render(request, "dossiers/work_detail.html", _work_context(request, d))


@_official_required
@require_POST
@hide_denied
def work_action(request, code: str, action: str):
    if action not in OFFICER_ACTIONS:
        raise Http404
    d = queries.by_code(request.user, code)
    _verb, _form_class, label, _confirm, call = OFFICER_ACTIONS[action]
    form = _action_form(action, d, request.POST, request.FILES, user=request.user)
    if form is not None and not form.is_valid():
        return render(
            request, "dossiers/work_detail.html", _work_context(request, d, {action: form}), status=422
        )
    try:
        call(d, request.user, form)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(action)s: đã thực hiện với hồ sơ %(code)s.") % {"action": label, "code": d.code}
        )
    back = request.POST.get("next")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("dossiers:work_detail", code=d.code)


@_official_required
@hide_denied
def result_preview(request, code: str, fmt: str):
    """What the leader is asked to sign: page 1 as an image (``png``) or the whole PDF, inline
    (``pdf``) — the unsigned draft, or the result that signing would render."""
    d = queries.by_code(request.user, code, audit_read=False)
    if not permissions.can(request.user, "dossier.sign", d):
        raise Http404
    pdf = actions.draft_to_sign(d, by=request.user)
    if pdf is None:
        raise Http404
    if fmt == "png":
        response = HttpResponse(first_page_png(pdf), content_type="image/png")
    else:
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(False, f"Dự thảo kết quả {d.code}.pdf")
    response["Cache-Control"] = "no-store"
    return response


@_official_required
def signing_queue(request):
    """Lãnh đạo: results waiting for approval and digital signature."""
    qs = queries.queue(request.user, kind="signing")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dossiers/signing.html", {"page": page, "rows": _rows(page)})


REGISTER_PDF_MAX_ROWS = 2000


@_official_required
def tracking_register(request):
    """Sổ theo dõi hồ sơ (form 07): the dossiers a one-stop desk received in a period, on the page
    and as XLSX or PDF (``?format=xlsx|pdf``)."""
    agencies = queries.register_agencies(request.user)
    today = timezone.localdate()
    initial = {"agency": agencies.first(), "start": today.replace(day=1), "end": today}
    form = f.RegisterFilterForm(request.GET or None, agencies=agencies, initial=initial)
    context: dict = {"form": form}
    if request.GET and not form.is_valid():
        return render(request, "dossiers/register.html", context, status=422)
    data = form.cleaned_data if request.GET else initial
    agency, start, end = data["agency"], data["start"], data["end"]
    if agency is None:
        raise Http404(_("Trang này dành cho cán bộ."))
    qs = queries.tracking_register(request.user, agency=agency, start=start, end=end).select_related(
        *register.RELATED
    )
    fmt = request.GET.get("format", "")
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)

    def audited(count: int, kind: str) -> None:
        queries.record_register_read(request.user, agency=agency, start=start, end=end, fmt=kind, count=count)

    if fmt in ("xlsx", "pdf"):
        dossiers = list(qs)
        if fmt == "pdf" and len(dossiers) > REGISTER_PDF_MAX_ROWS:
            messages.error(
                request,
                _("Sổ có %(n)s hồ sơ, quá nhiều cho một tệp PDF: hãy chọn kỳ ngắn hơn hoặc tải tệp Excel.")
                % {"n": len(dossiers)},
            )
            return redirect(f"{reverse('dossiers:register')}?{query.urlencode()}")
        table = register.rows(dossiers)
        audited(len(table), fmt)
        if fmt == "xlsx":
            body = register.xlsx(agency.name, start, end, table)
            kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            body = register.pdf(agency, start, end, table)
            kind = "application/pdf"
        return FileResponse(
            io.BytesIO(body),
            as_attachment=True,
            filename=register.filename(agency.code, start, end, fmt),
            content_type=kind,
        )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    first = (page.number - 1) * PAGE_SIZE
    table = register.rows(page.object_list)
    for i, row in enumerate(table):
        row[0] = first + i + 1
    audited(len(table), "page")
    context |= {
        "agency": agency,
        "period": register.period_text(start, end),
        "page": page,
        "table": table,
        "columns": register.COLUMNS,
        "query": query.urlencode(),
    }
    return render(request, "dossiers/register.html", context)

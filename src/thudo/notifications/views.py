"""Pages: the signed-in person's notices (/thong-bao/) and, without a mail server, the local
mailbox (/hop-thu/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from thudo.core.errors import NotFound
from thudo.notifications import actions, queries
from thudo.notifications import mailbox as local_mailbox


@login_required
def notification_list(request):
    page = Paginator(queries.for_user(request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "unread": queries.unread_count(request.user),
            "mailbox": local_mailbox.enabled(),
        },
    )


@login_required
def mailbox(request):
    if not local_mailbox.enabled():
        raise Http404(_("Nền tảng gửi thư qua máy chủ thư; không có hộp thư thử nghiệm."))
    page = Paginator(queries.mailbox(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/mailbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request, pk: int):
    try:
        notification = actions.mark_read(queries.own(request.user, pk), by=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if request.htmx:
        # The item, and (out of band) the unread summary above the list.
        return render(
            request,
            "notifications/_item.html",
            {"n": notification, "unread": queries.unread_count(request.user), "oob": True},
        )
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    count = actions.mark_all_read(by=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "Đã đánh dấu %(n)d thông báo là đã đọc.", "Đã đánh dấu %(n)d thông báo là đã đọc.", count
            )
            % {"n": count},
        )
    return redirect("notifications:list")

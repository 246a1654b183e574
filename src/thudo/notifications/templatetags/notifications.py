"""``{% load notifications %}{% unread_count %}``: the signed-in person's bell linking to
/thong-bao/, as a badge with the unread count when there are unread notices (the bell icon comes
from site.css); nothing when nobody is signed in."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from thudo.notifications import queries

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_count(context) -> str:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return ""
    count = queries.unread_count(user)
    if not count:
        return format_html(
            '<a class="bell" href="{}" aria-label="{}"></a>', reverse("notifications:list"), _("Thông báo")
        )
    label = ngettext("%(n)s thông báo chưa đọc", "%(n)s thông báo chưa đọc", count) % {"n": count}
    return format_html(
        '<a class="badge warn" href="{}" aria-label="{}">{}</a>', reverse("notifications:list"), label, count
    )

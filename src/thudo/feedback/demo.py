"""Demo feedback: a few hundred reports over the last four months in the demo communes, across the
categories, in every state, with answers, after-photos and ratings (loaded after the site is up,
by the background worker: ``load_later``).

Deterministic (``random.Random(1022)``) and idempotent (skipped when reports exist). Everything
goes through :mod:`thudo.feedback.actions` with an explicit ``now=``, so history, working-hour
clocks, overdue flags and the KPI facts are what real use would have produced: most reports are
accepted and answered in time, some late, some refused (duplicates merged, complaints diverted),
some reopened."""

from __future__ import annotations

import io
import os
import random
from datetime import datetime, time, timedelta

from django.utils import timezone
from PIL import Image

from thudo.core import permissions
from thudo.core.calendars import calendar_for
from thudo.core.errors import DomainError
from thudo.core.models import Agency, AgencyKind, Role, User
from thudo.core.workcalendar import HCM
from thudo.feedback import actions
from thudo.feedback.models import Category, Report, RoutingRule

TOTAL = int(os.environ.get("THUDO_DEMO_FEEDBACK") or 300)
DAYS = 120

STORIES = {
    "moi-truong": [
        ("Rác thải tồn đọng đầu ngõ", "Rác thải sinh hoạt tồn đọng ở đầu ngõ nhiều ngày, bốc mùi khó chịu."),
        ("Đốt rác gây khói", "Có người đốt rác ở bãi đất trống vào buổi tối, khói bay vào nhà dân."),
    ],
    "giao-thong": [
        (
            "Ổ gà trên mặt đường",
            "Mặt đường xuất hiện ổ gà lớn, xe máy đi qua dễ bị ngã, nhất là khi trời mưa.",
        ),
        ("Đèn tín hiệu hỏng", "Đèn tín hiệu giao thông tại ngã tư không hoạt động từ sáng."),
    ],
    "trat-tu-do-thi": [
        (
            "Lấn chiếm vỉa hè",
            "Các hàng quán bày bán lấn chiếm toàn bộ vỉa hè, người đi bộ phải xuống lòng đường.",
        ),
    ],
    "xay-dung": [
        (
            "Công trình xây dựng không che chắn",
            "Công trình đang thi công không có lưới che chắn, vật liệu rơi xuống ngõ.",
        ),
    ],
    "dien-nuoc": [
        ("Mất nước sinh hoạt", "Khu dân cư bị mất nước sinh hoạt hai ngày nay mà không có thông báo."),
        ("Cột điện nghiêng", "Cột điện trước nhà bị nghiêng sau mưa bão, dây điện võng thấp."),
    ],
    "an-ninh-trat-tu": [
        ("Tụ tập gây ồn ào ban đêm", "Nhóm thanh niên tụ tập, nẹt pô gây ồn ào sau 23 giờ."),
    ],
    "thu-tuc-hanh-chinh": [
        ("Chờ đợi lâu tại bộ phận một cửa", "Phải chờ hơn hai giờ để nộp hồ sơ, không có số thứ tự rõ ràng."),
    ],
    "chieu-sang-cay-xanh": [
        (
            "Cây xanh có nguy cơ gãy đổ",
            "Cây xanh lớn trên vỉa hè bị mục gốc, có nguy cơ đổ vào người đi đường.",
        ),
        ("Đèn chiếu sáng ngõ không sáng", "Cả dãy đèn chiếu sáng trong ngõ không sáng từ tuần trước."),
    ],
}
ANSWERS = [
    "Đơn vị đã kiểm tra hiện trường và xử lý xong; đã nhắc nhở các hộ liên quan và sẽ tiếp tục giám sát.",
    "Đã phối hợp với đơn vị chuyên ngành khắc phục trong ngày. Cảm ơn người dân đã phản ánh.",
    "Đã lập biên bản, yêu cầu khắc phục; kiểm tra lại sau 3 ngày, hiện trường đã được xử lý.",
]
STREETS = ["Ngõ 12", "Số 35", "Ngách 4/18", "Trước số 102", "Cổng chợ", "Ngã tư gần trường tiểu học"]


def _photo(rng: random.Random) -> bytes:
    img = Image.new(
        "RGB", (320, 240), (rng.randrange(60, 200), rng.randrange(80, 200), rng.randrange(60, 160))
    )
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70)
    return buf.getvalue()


def _desks() -> list[tuple[Agency, User, User]]:
    """(commune committee, triage officer, handler) for every demo commune that has both."""
    out = []
    communes = Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE, unit__isnull=False, is_active=True)
    for agency in communes.order_by("code"):
        triage = permissions.role_holders(Role.RECEPTION, [agency.pk]).order_by("pk").first()
        handler = (
            permissions.role_holders(Role.SPECIALIST, [agency.pk]).order_by("pk").first()
            or permissions.role_holders(Role.LEADER, [agency.pk]).order_by("pk").first()
        )
        if triage is not None and handler is not None:
            out.append((agency, triage, handler))
    return out


def _moment(rng: random.Random, cal, day: datetime) -> datetime:
    start = cal.next_working_moment(day.replace(hour=8))
    return start + timedelta(minutes=rng.randrange(0, 8 * 60))


def load_later(*, progress, stdout) -> None:
    if Report.objects.exists():
        stdout.write("  Phản ánh mẫu đã có: bỏ qua.")
        return
    desks = _desks()
    citizens = list(
        User.objects.filter(role_grants__isnull=True, is_active=True, is_staff=False).order_by("username")[
            :20
        ]
    )
    if not desks or not citizens:
        stdout.write("  Chưa có phường/xã hoặc công dân mẫu: bỏ qua phản ánh mẫu.")
        return
    for agency, _triage, _handler in desks:
        RoutingRule.objects.get_or_create(category=None, commune_id=agency.unit_id, defaults={"unit": agency})
    categories = {c.code: c for c in Category.objects.filter(code__in=STORIES)}
    rng = random.Random(1022)  # noqa: S311 (demo data)
    now = timezone.now()
    made = 0
    for i in range(TOTAL):
        agency, triage, handler = rng.choice(desks)
        cal = calendar_for(agency.pk)
        day = datetime.combine((now - timedelta(days=rng.uniform(1, DAYS))).date(), time(0), tzinfo=HCM)
        at = _moment(rng, cal, day)
        code = rng.choice(list(categories))
        title, text = rng.choice(STORIES[code])
        owner = rng.choice(citizens)
        level = rng.choices(["normal", "complex", "urgent"], [80, 12, 8])[0]
        try:
            r = actions.submit(
                by=owner,
                category=code,
                title=title,
                description=text,
                address=f"{rng.choice(STREETS)}, {agency.unit.name if agency.unit else ''}",
                commune=agency.unit_id,
                level=level,
                hide_identity=rng.random() < 0.8,
                photo_files=[("hien-truong.jpg", _photo(rng))] if rng.random() < 0.3 else [],
                now=at,
            )
            fate = rng.random()
            late = rng.random() < 0.08
            decided = cal.add_working_time(at, hours=rng.choice([1, 2, 3, 5]) + (9 if late else 0))
            if decided > now:
                made += 1
                continue
            if fate < 0.06:
                actions.refuse(r, by=triage, reason="complaint", now=decided)
            elif fate < 0.1:
                actions.refuse(
                    r, by=triage, reason="not_enough_info", note="Chưa rõ địa điểm cụ thể.", now=decided
                )
            else:
                r = actions.accept(r, by=triage, now=decided)
                started = cal.add_working_time(decided, hours=1)
                if started < now:
                    r = actions.start(r, by=handler, now=started)
                term = {"urgent": 3, "normal": 30, "complex": 60}[r.level]
                handled = cal.add_working_time(
                    started, hours=rng.randint(1, term) + (30 if rng.random() < 0.07 else 0)
                )
                if handled < now:
                    photos = [("sau-xu-ly.jpg", _photo(rng))] if rng.random() < 0.5 else []
                    r = actions.handle(
                        r, by=handler, answer=rng.choice(ANSWERS), photo_files=photos, now=handled
                    )
                    published = cal.add_working_time(handled, hours=1)
                    if published < now:
                        r = actions.publish_answer(r, by=triage, now=published)
                        rated = published + timedelta(hours=rng.randint(2, 72))
                        if rated < now and rng.random() < 0.7:
                            satisfied = rng.random() < 0.85
                            r = actions.rate(r, by=owner, satisfied=satisfied, comment="", now=rated)
                            if not satisfied and rng.random() < 0.5 and r.category.reopen_allowed:
                                actions.reopen(
                                    r, by=owner, note="Hiện trường vẫn chưa được xử lý.", now=rated
                                )
            made += 1
        except DomainError as exc:
            stdout.write(f"  ! phản ánh mẫu {i}: {exc.message}")
        progress("Phản ánh mẫu", i + 1, TOTAL)
    stdout.write(f"  Phản ánh: {made} phản ánh mẫu")

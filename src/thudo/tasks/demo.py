"""Demo tasks: the city's digital-transformation plan of the year with quarterly and half-year
milestones, tasks to the demo department and wards taken from the targets of Resolution
18-NQ/TU and Plan 57/KH-UBND (the targets board, ``kpi`` seed: each task names its target by
code in ``source_ref``, ``kpi.target:<code>``, without importing ``kpi``), and a few moves: one
accepted, one reported on time, one late, one with an approved extension, one bulk directive to
every demo ward. Everything goes through :mod:`thudo.tasks.actions` with an explicit ``now=``.
Idempotent: skipped when the plan exists."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from thudo.core.errors import DomainError
from thudo.core.models import Agency, AgencyKind, Role, User
from thudo.core.workcalendar import HCM
from thudo.tasks import actions
from thudo.tasks.models import Milestone, Plan, SourceKind

PLAN_CODE = "KH-CĐS-{year} (mẫu)"

# (target code, task title, lead selector "dept:<abbr>" / "commune:<name>", milestone index)
TASKS = [
    (
        "DS-03",
        "Hoàn thành tạo lập hồ sơ sức khỏe điện tử cho người dân trên địa bàn",
        "commune:Phường Hoàn Kiếm",
        1,
    ),
    (
        "DG-03",
        "Đưa cơ sở dữ liệu hộ tịch điện tử vào khai thác, kết nối CSDL quốc gia về dân cư",
        "dept:STP",
        0,
    ),
    (
        "DS-02",
        "Rà soát hộ gia đình chưa có cáp quang băng rộng, đề xuất phương án phủ sóng",
        "commune:Phường Ba Đình",
        1,
    ),
    ("DG-04", "Báo cáo kết quả thực hiện chỉ tiêu chuyển đổi số 6 tháng đầu năm", "dept:STP", 1),
    (
        "DS-01",
        "Tổ chức bồi dưỡng kỹ năng số cho người dân theo mô hình Tổ công nghệ số cộng đồng",
        "commune:Phường Hoàn Kiếm",
        2,
    ),
]


def _agency(selector: str) -> Agency | None:
    kind, _, value = selector.partition(":")
    if kind == "dept":
        return Agency.objects.filter(abbreviation=value).exclude(kind=AgencyKind.COMMUNE_COMMITTEE).first()
    return Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE, unit__name=value).first()


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=HCM)


def _leader(agency: Agency) -> User | None:
    return (
        User.objects.filter(role_grants__role=Role.LEADER, role_grants__agency=agency).order_by("pk").first()
    )


def load(*, progress, stdout) -> list[tuple[str, str, str]]:
    city = Agency.objects.filter(kind=AgencyKind.CITY_COMMITTEE).first()
    admin = User.objects.filter(username="admin").first()
    today = timezone.localdate()
    code = PLAN_CODE.format(year=today.year)
    if city is None or admin is None:
        stdout.write("  Chưa có UBND thành phố hoặc tài khoản quản trị mẫu: bỏ qua nhiệm vụ mẫu.")
        return []
    if Plan.objects.filter(code=code).exists():
        stdout.write("  Kế hoạch mẫu đã có: bỏ qua nhiệm vụ mẫu.")
        return []
    plan = Plan.objects.create(
        code=code,
        title=f"Kế hoạch chuyển đổi số thành phố Hà Nội năm {today.year} (dữ liệu mẫu)",
        year=today.year,
        agency=city,
        basis=(
            "Dữ liệu mẫu để trình diễn. Căn cứ: Nghị quyết 18-NQ/TU (2022) của Thành ủy Hà Nội; "
            "Kế hoạch 57/KH-UBND (2024): mốc theo quý, 6 tháng, đánh giá kết quả và trách nhiệm khi chậm."
        ),
    )
    year = today.year
    milestones = [
        Milestone.objects.create(plan=plan, name="Quý I", due=date(year, 3, 31)),
        Milestone.objects.create(plan=plan, name="6 tháng đầu năm", due=date(year, 6, 30)),
        Milestone.objects.create(plan=plan, name="Quý III", due=date(year, 9, 30)),
        Milestone.objects.create(plan=plan, name="Cả năm", due=date(year, 12, 31)),
    ]
    start = today - timedelta(days=45)
    made = []
    for i, (target, title, selector, _m) in enumerate(TASKS):
        lead = _agency(selector)
        if lead is None:
            continue
        deadline = start + timedelta(days=20 + 10 * i)
        try:
            t = actions.assign_one(
                by=admin,
                assigner_agency=city,
                lead_agency=lead,
                title=title,
                deadline=deadline,
                source_kind=SourceKind.PLAN,
                source_ref=f"kpi.target:{target}",
                source_label=f"{plan.code} — chỉ tiêu {target}",
                plan=plan,
                milestone=milestones[min(3, i // 2)],
                now=_at(start + timedelta(days=i)),
            )
        except DomainError as exc:
            stdout.write(f"  Bỏ qua nhiệm vụ mẫu “{title}”: {exc.message}")
            continue
        made.append((t, lead))
    moves = 0
    for i, (t, lead) in enumerate(made):
        leader = _leader(lead)
        if leader is None:
            continue
        try:
            actions.accept(t, by=leader, now=_at(start + timedelta(days=i + 1)))
            if i == 0:  # done on time
                actions.report_done(
                    t,
                    by=leader,
                    text="Đã hoàn thành, số liệu kèm theo.",
                    result_document="12/BC-UBND",
                    now=_at(t.deadline - timedelta(days=2)),
                )
                actions.close(t, by=admin, now=_at(t.deadline - timedelta(days=1), 15))
            elif i == 1:  # done late
                actions.report_done(
                    t,
                    by=leader,
                    text="Hoàn thành, chậm do chờ kết nối dữ liệu.",
                    result_document="88/BC-STP",
                    now=_at(t.deadline + timedelta(days=3)),
                )
            elif i == 2:  # extension approved
                actions.request_extension(
                    t,
                    by=leader,
                    proposed=t.deadline + timedelta(days=30),
                    reason="Chờ doanh nghiệp viễn thông khảo sát",
                    now=_at(t.deadline - timedelta(days=5)),
                )
                actions.decide_extension(t, by=admin, approve=True, now=_at(t.deadline - timedelta(days=4)))
            else:
                actions.report_progress(
                    t,
                    by=leader,
                    text="Đang triển khai theo kế hoạch.",
                    percent=40,
                    now=_at(start + timedelta(days=i + 5)),
                )
            moves += 1
        except DomainError as exc:
            stdout.write(f"  Bỏ qua bước của nhiệm vụ mẫu {t.code}: {exc.message}")
    wards = list(
        Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE, grants__role=Role.LEADER).distinct()[:5]
    )
    if wards:
        actions.assign(
            by=admin,
            assigner_agency=city,
            lead_agencies=wards,
            each=True,
            title="Rà soát, làm sạch dữ liệu dân cư phục vụ giải quyết thủ tục hành chính",
            source_kind=SourceKind.DOCUMENT,
            source_label="Văn bản chỉ đạo của UBND Thành phố (mẫu)",
            deadline=today + timedelta(days=14),
            plan=plan,
            milestone=milestones[3],
        )
    stdout.write(
        f"  Nhiệm vụ mẫu: {len(made)} nhiệm vụ kế hoạch, {moves} bước xử lý, "
        f"{len(wards)} phường nhận chỉ đạo."
    )
    return []

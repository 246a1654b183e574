"""The indicator sets as data: the service-quality index of Decision 766/QĐ-TTg (23 June 2022),
Hanoi's digital-transformation targets (Resolution 18-NQ/TU 2022, Plans 239/KH-UBND 2023 and
57/KH-UBND 2024; DTI of Decision 405/QĐ-BKHCN 2025), and the ranking of units on the tasks they
were assigned (Plan 259/KH-UBND). Figures as in domain-rules §4–§5.

The task-results set (``259-NV``, ADR 0017): Plan 259/KH-UBND ranks units on task results too, but
its official weights are UNCONFIRMED, so the set is data the administrator edits:

- 1.1 on-time rate ``tasks.done_on_time / tasks.done`` (tasks done in the month, judged against
  the deadline each done report stated) carries all 100 points;
- 1.2 share of tasks not left overdue, ``1 − overdue at month end / (done in the month + overdue
  at month end)`` (registered query ``tasks_not_overdue``), is reported beside it but NOT scored:
  it mixes a month's flow (done) with a stock (overdue, possibly carried for months), so the same
  overdue task weighs in every month until it is done, and no fact counts the tasks due in the
  month. The office may give it points (``scored``, ``max_points``) once Plan 259's weights are
  confirmed; the ranking table shows the overdue count beside the score in the meantime.

``load()`` is idempotent: it creates what is missing and leaves edited rows alone (administrators
revise the data; a revised set is a new set with its own validity dates).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from thudo.kpi.models import (
    Indicator,
    IndicatorGroup,
    IndicatorKind,
    IndicatorSet,
    SetKind,
    Target,
    TargetKind,
    TargetStatus,
)

INDEX_CODE = "766-2022"
TARGETS_CODE = "HN-CDS-2025"
TASKS_CODE = "259-NV"
SOURCE_766 = "Quyết định 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ"
SOURCE_DT = (
    "Nghị quyết 18-NQ/TU (2022) của Thành ủy Hà Nội; Kế hoạch 239/KH-UBND (2023), 57/KH-UBND (2024); "
    "Quyết định 405/QĐ-BKHCN (2025) về DTI"
)

SOURCE_259 = (
    "Kế hoạch 259/KH-UBND của UBND thành phố Hà Nội (xếp hạng kết quả thực hiện nhiệm vụ được giao); "
    "trọng số chính thức CHƯA ĐƯỢC XÁC NHẬN — quản trị viên điều chỉnh chỉ số, điểm như dữ liệu"
)

NO_SOURCE = "Nền tảng chưa có nguồn dữ liệu cho chỉ số này."
# 5.2 and 5.3 count the citizen-feedback facts (registered by the feedback app, core.indicators).
FEEDBACK_ON_TIME = {"numerator": "feedback.handled_on_time", "denominator": "feedback.handled"}
FEEDBACK_SATISFIED = {"numerator": "feedback.satisfied", "denominator": "feedback.rated"}

D, R, Q = IndicatorKind.DOSSIER_RATIO, IndicatorKind.REPORTED, IndicatorKind.QUERY

# (group code, name, max, [(code, name, kind, max, target, config, scored, formula)])
GROUPS_766 = [
    (
        "1",
        "Công khai, minh bạch",
        18,
        [
            (
                "1.1",
                "Công bố, công khai TTHC đúng hạn",
                R,
                6,
                None,
                {"reason": "Chưa có dữ liệu về thời hạn công bố quyết định công bố TTHC."},
                True,
                "TTHC công bố đúng hạn / TTHC phải công bố",
            ),
            (
                "1.2",
                "Công khai TTHC trên Cơ sở dữ liệu quốc gia đúng hạn",
                R,
                4,
                None,
                {"reason": "Chưa kết nối Cơ sở dữ liệu quốc gia về TTHC."},
                True,
                "TTHC công khai đúng hạn / TTHC phải công khai",
            ),
            (
                "1.3",
                "TTHC có nội dung công khai đầy đủ",
                Q,
                2,
                None,
                {"query": "procedures_complete"},
                True,
                "TTHC có đủ thành phần hồ sơ, căn cứ pháp lý, kết quả, thời hạn / TTHC đang áp dụng",
            ),
            (
                "1.4",
                "Hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia",
                R,
                6,
                None,
                {"reason": "Chưa có đồng bộ trạng thái hồ sơ lên Cổng Dịch vụ công quốc gia."},
                True,
                "Hồ sơ đã đồng bộ / hồ sơ tiếp nhận",
            ),
        ],
    ),
    (
        "2",
        "Tiến độ giải quyết",
        20,
        [
            (
                "2.1",
                "Hồ sơ giải quyết trước hạn, đúng hạn",
                D,
                20,
                None,
                {"numerator": "progress.on_time", "denominator": "progress.total"},
                True,
                "(Hồ sơ đã xong đúng hạn + đang giải quyết còn hạn) / "
                "hồ sơ tiếp nhận hoặc giải quyết trong kỳ",
            ),
            (
                "2.2",
                "Thời gian giải quyết trung bình một TTHC",
                Q,
                0,
                None,
                {"query": "mean_processing_days"},
                False,
                "Báo cáo, không tính điểm",
            ),
        ],
    ),
    (
        "3",
        "Dịch vụ công trực tuyến và thanh toán trực tuyến",
        22,
        [
            (
                "3.1",
                "TTHC có cung cấp dịch vụ công trực tuyến",
                Q,
                4,
                "0.8",
                {"query": "procedures_online"},
                True,
                "TTHC có DVCTT / TTHC của đơn vị",
            ),
            (
                "3.2",
                "DVCTT có phát sinh hồ sơ trực tuyến",
                Q,
                4,
                None,
                {"query": "procedures_used"},
                True,
                "DVCTT có ít nhất một hồ sơ trực tuyến / DVCTT cung cấp",
            ),
            (
                "3.3",
                "Hồ sơ nộp trực tuyến",
                D,
                4,
                "0.5",
                {"numerator": "online.online", "denominator": "online.total"},
                True,
                "Hồ sơ trực tuyến (có kết quả điện tử nếu kết quả là văn bản) / tổng hồ sơ",
            ),
            (
                "3.5",
                "TTHC có phí, lệ phí được tích hợp thanh toán trực tuyến",
                R,
                4,
                "0.8",
                {"reason": "Chưa có dữ liệu tích hợp cổng thanh toán theo từng TTHC."},
                True,
                "TTHC có tích hợp thanh toán trực tuyến / TTHC có phí, lệ phí",
            ),
            (
                "3.6",
                "Hồ sơ thanh toán trực tuyến",
                D,
                6,
                None,
                {"numerator": "payment.online", "denominator": "payment.total"},
                True,
                "Hồ sơ thanh toán trực tuyến / hồ sơ của TTHC có phí, lệ phí",
            ),
        ],
    ),
    (
        "4",
        "Số hóa hồ sơ",
        22,
        [
            (
                "4.1",
                "Hồ sơ có kết quả điện tử",
                D,
                6,
                None,
                {"numerator": "eresult.yes", "denominator": "eresult.total"},
                True,
                "Hồ sơ có kết quả điện tử / hồ sơ có kết quả là văn bản",
            ),
            (
                "4.2",
                "Hồ sơ được số hóa",
                D,
                4,
                "0.8",
                {"numerator": "digitised.yes", "denominator": "digitised.total"},
                True,
                "(Số hóa đủ thành phần và cấp kết quả điện tử) / tổng hồ sơ",
            ),
            (
                "4.3",
                "Tái sử dụng dữ liệu đã số hóa",
                D,
                2,
                "0.8",
                {"numerator": "reuse.yes", "denominator": "reuse.total"},
                True,
                "Hồ sơ tái sử dụng giấy tờ đã số hóa / hồ sơ tiếp nhận",
            ),
            (
                "4.4",
                "Kết nối kho dữ liệu cá nhân của người dân",
                R,
                4,
                None,
                {"reason": "Chưa kết nối kho dữ liệu cá nhân trên Cổng Dịch vụ công quốc gia."},
                True,
                "Hồ sơ lấy giấy tờ từ / trả kết quả vào kho / tổng hồ sơ",
            ),
            (
                "4.5",
                "Sử dụng dữ liệu dân cư",
                R,
                4,
                None,
                {"reason": "Chưa có số liệu kết nối Cơ sở dữ liệu quốc gia về dân cư theo TTHC."},
                True,
                "TTHC kết nối; hồ sơ dùng danh tính đã xác thực",
            ),
            (
                "4.6",
                "Cung cấp bản sao điện tử có chứng thực",
                R,
                2,
                None,
                {
                    "reason": "Chưa có dịch vụ chứng thực bản sao điện tử "
                    "(dòng không đánh số trong mô tả công thức của Cổng)."
                },
                True,
                "Có / không",
            ),
        ],
    ),
    (
        "5",
        "Mức độ hài lòng",
        18,
        [
            (
                "5.2",
                "Phản ánh, kiến nghị được xử lý đúng hạn",
                D,
                6,
                None,
                FEEDBACK_ON_TIME,
                True,
                "Phản ánh xử lý đúng hạn / phản ánh đến hạn xử lý trong kỳ",
            ),
            (
                "5.3",
                "Hài lòng với việc xử lý phản ánh",
                D,
                6,
                None,
                FEEDBACK_SATISFIED,
                True,
                "Lượt đánh giá hài lòng / lượt đánh giá trả lời phản ánh",
            ),
            (
                "5.4",
                "Mức độ hài lòng khi thực hiện TTHC",
                Q,
                6,
                "0.9",
                {"query": "satisfaction"},
                True,
                "100% − (tỷ lệ trễ hạn + tỷ lệ hồ sơ bị đánh giá không hài lòng)",
            ),
        ],
    ),
]

# (code, name, goal, unit, deadline, owner, baseline, baseline date, current, current date,
#  kind, query, status, source)
TARGETS = [
    (
        "DG-01",
        "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến toàn trình",
        "100",
        "%",
        date(2025, 12, 31),
        "Văn phòng UBND Thành phố",
        "46.25",
        date(2024, 12, 31),
        None,
        None,
        TargetKind.COMPUTED,
        "full_online_share",
        TargetStatus.AT_RISK,
        "Báo cáo năm 2024: 46,25%",
    ),
    (
        "DS-01",
        "Tỷ lệ người trưởng thành có điện thoại thông minh",
        "100",
        "%",
        date(2025, 12, 31),
        "Sở Khoa học và Công nghệ",
        "97",
        date(2024, 12, 31),
        "97",
        date(2024, 12, 31),
        TargetKind.REPORTED,
        "",
        TargetStatus.ON_TRACK,
        "Kế hoạch 57/KH-UBND (2024)",
    ),
    (
        "DS-02",
        "Tỷ lệ hộ gia đình có cáp quang băng rộng",
        "100",
        "%",
        date(2025, 12, 31),
        "Sở Khoa học và Công nghệ",
        "91.4",
        date(2024, 12, 31),
        "91.4",
        date(2024, 12, 31),
        TargetKind.REPORTED,
        "",
        TargetStatus.ON_TRACK,
        "Kế hoạch 57/KH-UBND (2024)",
    ),
    (
        "DS-03",
        "Tỷ lệ dân số có hồ sơ sức khỏe điện tử",
        "100",
        "%",
        date(2025, 12, 31),
        "Sở Y tế",
        "95",
        date(2024, 12, 31),
        "95",
        date(2024, 12, 31),
        TargetKind.REPORTED,
        "",
        TargetStatus.ON_TRACK,
        "Kế hoạch 57/KH-UBND (2024)",
    ),
    (
        "DG-02",
        "Tỷ lệ cơ quan nhà nước sử dụng IPv6",
        "100",
        "%",
        date(2025, 12, 31),
        "Sở Khoa học và Công nghệ",
        "98.8",
        date(2024, 12, 31),
        "98.8",
        date(2024, 12, 31),
        TargetKind.REPORTED,
        "",
        TargetStatus.ON_TRACK,
        "Kế hoạch 57/KH-UBND (2024)",
    ),
    (
        "DG-03",
        "Cơ sở dữ liệu chuyên ngành đã xây dựng",
        "22",
        "CSDL",
        date(2025, 12, 31),
        "Sở Khoa học và Công nghệ",
        "21",
        date(2024, 12, 31),
        "21",
        date(2024, 12, 31),
        TargetKind.REPORTED,
        "",
        TargetStatus.ON_TRACK,
        "21/22 cơ sở dữ liệu chuyên ngành",
    ),
    (
        "DG-04",
        "Chỉ tiêu chuyển đổi số năm 2024 đã đạt",
        "15",
        "chỉ tiêu",
        date(2024, 12, 31),
        "Sở Khoa học và Công nghệ",
        "8",
        date(2024, 10, 31),
        "8",
        date(2024, 10, 31),
        TargetKind.REPORTED,
        "",
        TargetStatus.AT_RISK,
        "8/15 chỉ tiêu đạt đến tháng 10/2024",
    ),
    (
        "DG-05",
        "Chứng thư chữ ký số chuyên dùng công vụ đã cấp",
        "13285",
        "chứng thư",
        date(2024, 12, 31),
        "Văn phòng UBND Thành phố",
        "13285",
        date(2024, 12, 31),
        "13285",
        date(2024, 12, 31),
        TargetKind.REPORTED,
        "",
        TargetStatus.MET,
        "13.285 chứng thư số",
    ),
    (
        "DL-01",
        "Sở, ngành mở dữ liệu trong danh mục dữ liệu mở của thành phố",
        "13",
        "sở, ngành",
        date(2026, 12, 31),
        "Sở Khoa học và Công nghệ",
        "7",
        date(2023, 7, 4),
        None,
        None,
        TargetKind.COMPUTED,
        "open_data_departments",
        TargetStatus.AT_RISK,
        "Quyết định 3478/QĐ-UBND (4/7/2023): 13 sở, ngành đăng ký, 7 sở, ngành đã mở dữ liệu; "
        "mục tiêu: mọi sở, ngành đã đăng ký đều mở (chưa xác nhận, sửa được)",
    ),
    (
        "DS-04",
        "Học viên được bồi dưỡng kỹ năng số (năm 2023)",
        "4496",
        "người",
        date(2023, 12, 31),
        "Sở Nội vụ",
        "4496",
        date(2023, 12, 31),
        "4496",
        date(2023, 12, 31),
        TargetKind.REPORTED,
        "",
        TargetStatus.MET,
        "4.496 học viên, 86 lớp năm 2023",
    ),
    (
        "DTI-01",
        "Chỉ số chuyển đổi số cấp tỉnh (DTI) — giá trị",
        "0.8241",
        "điểm",
        date(2025, 12, 31),
        "Sở Khoa học và Công nghệ",
        "0.8241",
        date(2024, 12, 31),
        "0.8241",
        date(2024, 12, 31),
        TargetKind.REPORTED,
        "",
        TargetStatus.MET,
        "Quyết định 405/QĐ-BKHCN (2025): Hà Nội xếp thứ nhất năm 2024 với 0,8241",
    ),
]


# The task-results ranking (Plan 259/KH-UBND; weights UNCONFIRMED — see the module docstring).
TASKS_SET = {
    "name": "Xếp hạng kết quả thực hiện nhiệm vụ được giao",
    "kind": SetKind.TASKS,
    "source": SOURCE_259,
    "valid_from": date(2025, 7, 1),
}
GROUPS_259 = [
    (
        "1",
        "Kết quả thực hiện nhiệm vụ được giao",
        100,
        [
            (
                "1.1",
                "Tỷ lệ nhiệm vụ hoàn thành đúng hạn",
                D,
                100,
                None,
                {"numerator": "tasks.done_on_time", "denominator": "tasks.done"},
                True,
                "Nhiệm vụ hoàn thành đúng hạn trong tháng / nhiệm vụ hoàn thành trong tháng",
            ),
            (
                "1.2",
                "Tỷ lệ nhiệm vụ không quá hạn cuối tháng",
                Q,
                0,
                None,
                {"query": "tasks_not_overdue"},
                False,
                "1 − nhiệm vụ quá hạn cuối tháng / (nhiệm vụ hoàn thành trong tháng + nhiệm vụ quá hạn "
                "cuối tháng); chưa tính điểm (trọng số Kế hoạch 259 chưa xác nhận)",
            ),
        ],
    ),
]


def _dec(v) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def _load_groups(indicator_set: IndicatorSet, groups: list) -> None:
    for g_order, (gcode, gname, gmax, indicators) in enumerate(groups):
        group, _ = IndicatorGroup.objects.get_or_create(
            set=indicator_set,
            code=gcode,
            defaults={"name": gname, "max_points": Decimal(gmax), "order": g_order},
        )
        for order, (code, name, kind, mx, target, config, scored, formula) in enumerate(indicators):
            Indicator.objects.get_or_create(
                group=group,
                code=code,
                defaults={
                    "name": name,
                    "kind": kind,
                    "max_points": Decimal(mx),
                    "target": _dec(target),
                    "config": config,
                    "scored": scored,
                    "formula": formula,
                    "order": order,
                },
            )


@transaction.atomic
def load() -> tuple[IndicatorSet, IndicatorSet]:
    index, _ = IndicatorSet.objects.get_or_create(
        code=INDEX_CODE,
        defaults={
            "name": "Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp",
            "kind": SetKind.INDEX,
            "source": SOURCE_766,
            "valid_from": date(2022, 6, 23),
        },
    )
    _load_groups(index, GROUPS_766)
    tasks, _ = IndicatorSet.objects.get_or_create(code=TASKS_CODE, defaults=TASKS_SET)
    _load_groups(tasks, GROUPS_259)
    targets, _ = IndicatorSet.objects.get_or_create(
        code=TARGETS_CODE,
        defaults={
            "name": "Mục tiêu chuyển đổi số của thành phố Hà Nội",
            "kind": SetKind.TARGETS,
            "source": SOURCE_DT,
            "valid_from": date(2022, 1, 1),
        },
    )
    for order, row in enumerate(TARGETS):
        code, name, goal, unit, deadline, owner, base, base_d, cur, cur_d, kind, query, status, source = row
        Target.objects.get_or_create(
            set=targets,
            code=code,
            defaults={
                "name": name,
                "goal": _dec(goal),
                "unit": unit,
                "deadline": deadline,
                "owner_name": owner,
                "baseline_value": _dec(base),
                "baseline_date": base_d,
                "current_value": _dec(cur),
                "current_date": cur_d,
                "kind": kind,
                "query": query,
                "status": status,
                "source": source,
                "order": order,
            },
        )
    return index, targets


def current_index(on: date | None = None) -> IndicatorSet:
    """The Decision 766 index set valid on ``on`` (latest valid_from first; never another kind)."""
    from django.db.models import Q

    qs = IndicatorSet.objects.filter(kind=SetKind.INDEX)
    if on is not None:
        qs = qs.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    found = qs.order_by("-valid_from").first()
    if found is None:
        index, _ = load()
        return index
    return found

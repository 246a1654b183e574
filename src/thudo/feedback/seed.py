"""The seeded data: categories of feedback and handling terms per level (migration 0002 and the
tests that flush the database load them through :func:`seed`)."""

CATEGORIES = [
    # code, name, reopen allowed
    ("moi-truong", "Môi trường", True),
    ("giao-thong", "Giao thông", True),
    ("trat-tu-do-thi", "Trật tự đô thị", True),
    ("xay-dung", "Xây dựng", True),
    ("dien-nuoc", "Điện, nước", True),
    ("an-ninh-trat-tu", "An ninh, trật tự", True),
    ("thu-tuc-hanh-chinh", "Thủ tục hành chính", True),
    ("y-te", "Y tế, an toàn thực phẩm", True),
    ("giao-duc", "Giáo dục", True),
    ("chieu-sang-cay-xanh", "Chiếu sáng, cây xanh", True),
    ("khac", "Khác", False),
]

TERMS = [
    ("urgent", 4, True, "Quyết định 1207/QĐ-UBND năm 2025: xử lý trong 4 giờ làm việc kể từ khi tiếp nhận"),
    ("normal", 40, False, "CHƯA XÁC NHẬN: giá trị tạm, chờ đối chiếu Quyết định 1207/QĐ-UBND"),
    ("complex", 80, False, "CHƯA XÁC NHẬN: giá trị tạm, chờ đối chiếu Quyết định 1207/QĐ-UBND"),
]


def seed(Category, LevelTerm) -> None:  # noqa: N803 - model classes (historical in the migration)
    for order, (code, name, reopen) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code, defaults={"name": name, "reopen_allowed": reopen, "order": order}
        )
    for level, hours, confirmed, source in TERMS:
        LevelTerm.objects.get_or_create(
            level=level, defaults={"handle_hours": hours, "confirmed": confirmed, "source": source}
        )

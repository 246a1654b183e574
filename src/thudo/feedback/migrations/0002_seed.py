"""Seed the categories of feedback and the handling terms per level (data; editable in the admin)."""

from django.db import migrations

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


def seed(apps, schema_editor):
    Category = apps.get_model("feedback", "Category")
    LevelTerm = apps.get_model("feedback", "LevelTerm")
    for order, (code, name, reopen) in enumerate(CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={"name": name, "reopen_allowed": reopen, "order": order})
    for level, hours, confirmed, source in TERMS:
        LevelTerm.objects.get_or_create(
            level=level, defaults={"handle_hours": hours, "confirmed": confirmed, "source": source}
        )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

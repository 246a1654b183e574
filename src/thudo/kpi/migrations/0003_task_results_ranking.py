"""A second ranking, of task results (Plan 259/KH-UBND; ADR 0017): the set kind ``tasks``, snapshots
unique per (set, period, version) so that each set is published and versioned on its own, and the
seeded set ``259-NV`` (weights UNCONFIRMED: data the administrator edits). A frozen copy of
``thudo.kpi.seed.GROUPS_259``; an existing set with that code is left alone."""

from datetime import date
from decimal import Decimal

from django.db import migrations, models

SET = {
    "code": "259-NV",
    "name": "Xếp hạng kết quả thực hiện nhiệm vụ được giao",
    "kind": "tasks",
    "source": (
        "Kế hoạch 259/KH-UBND của UBND thành phố Hà Nội (xếp hạng kết quả thực hiện nhiệm vụ được giao); "
        "trọng số chính thức CHƯA ĐƯỢC XÁC NHẬN — quản trị viên điều chỉnh chỉ số, điểm như dữ liệu"
    ),
    "valid_from": date(2025, 7, 1),
}
GROUP = ("1", "Kết quả thực hiện nhiệm vụ được giao", 100)
INDICATORS = [
    (
        "1.1",
        "Tỷ lệ nhiệm vụ hoàn thành đúng hạn",
        "dossier_ratio",
        100,
        {"numerator": "tasks.done_on_time", "denominator": "tasks.done"},
        True,
        "Nhiệm vụ hoàn thành đúng hạn trong tháng / nhiệm vụ hoàn thành trong tháng",
    ),
    (
        "1.2",
        "Tỷ lệ nhiệm vụ không quá hạn cuối tháng",
        "query",
        0,
        {"query": "tasks_not_overdue"},
        False,
        "1 − nhiệm vụ quá hạn cuối tháng / (nhiệm vụ hoàn thành trong tháng + nhiệm vụ quá hạn "
        "cuối tháng); chưa tính điểm (trọng số Kế hoạch 259 chưa xác nhận)",
    ),
]


def forward(apps, schema_editor):
    IndicatorSet = apps.get_model("kpi", "IndicatorSet")
    IndicatorGroup = apps.get_model("kpi", "IndicatorGroup")
    Indicator = apps.get_model("kpi", "Indicator")
    if IndicatorSet.objects.filter(code=SET["code"]).exists():
        return
    s = IndicatorSet.objects.create(**SET, bands={"excellent": 90, "good": 70, "average": 50})
    code, name, points = GROUP
    group = IndicatorGroup.objects.create(set=s, code=code, name=name, max_points=Decimal(points), order=0)
    for order, (icode, iname, kind, mx, config, scored, formula) in enumerate(INDICATORS):
        Indicator.objects.create(
            group=group,
            code=icode,
            name=iname,
            kind=kind,
            max_points=Decimal(mx),
            config=config,
            scored=scored,
            formula=formula,
            order=order,
        )


class Migration(migrations.Migration):
    dependencies = [("kpi", "0002_feedback_indicators")]

    operations = [
        migrations.AlterField(
            model_name="indicatorset",
            name="kind",
            field=models.CharField(
                choices=[
                    ("index", "Bộ chỉ số chất lượng phục vụ"),
                    ("targets", "Mục tiêu chuyển đổi số"),
                    ("tasks", "Kết quả thực hiện nhiệm vụ được giao"),
                ],
                default="index",
                max_length=10,
                verbose_name="loại",
            ),
        ),
        migrations.RemoveConstraint(model_name="snapshot", name="kpi_snapshot_unique"),
        migrations.AddConstraint(
            model_name="snapshot",
            constraint=models.UniqueConstraint(
                fields=("set", "period", "version"), name="kpi_snapshot_set_unique"
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]

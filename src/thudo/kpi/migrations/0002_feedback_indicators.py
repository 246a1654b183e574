"""5.2 and 5.3 of the Decision 766 index count the citizen-feedback facts now that the feedback app
exists (they were "reported: no data source"). Only rows still as seeded are changed; an
administrator's edits are left alone."""

from django.db import migrations

ROWS = {
    "5.2": (
        {"numerator": "feedback.handled_on_time", "denominator": "feedback.handled"},
        "Phản ánh xử lý đúng hạn / phản ánh đến hạn xử lý trong kỳ",
    ),
    "5.3": (
        {"numerator": "feedback.satisfied", "denominator": "feedback.rated"},
        "Lượt đánh giá hài lòng / lượt đánh giá trả lời phản ánh",
    ),
}


def forward(apps, schema_editor):
    Indicator = apps.get_model("kpi", "Indicator")
    for code, (config, formula) in ROWS.items():
        Indicator.objects.filter(group__set__code="766-2022", code=code, kind="reported").update(
            kind="dossier_ratio", config=config, formula=formula
        )


class Migration(migrations.Migration):
    dependencies = [("kpi", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

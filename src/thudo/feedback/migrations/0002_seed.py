"""Seed the categories of feedback and the handling terms per level (data; editable in the admin)."""

from django.db import migrations

from thudo.feedback.seed import seed as _seed


def seed(apps, schema_editor):
    _seed(apps.get_model("feedback", "Category"), apps.get_model("feedback", "LevelTerm"))


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

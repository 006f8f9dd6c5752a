"""A category's limit may run on the wall clock (care's 上门探访: 为老上门探视 within 2 hours, day
or night, docs/care.md)."""

from django.db import migrations, models


def seed(apps, schema_editor):
    from gongzhi.cases.policies import seed_wall_clock

    seed_wall_clock(apps.get_model("cases", "CategoryPolicy"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_case_tracking_hash")]
    operations = [
        migrations.AddField(
            model_name="categorypolicy",
            name="wall_clock",
            field=models.BooleanField(default=False, verbose_name="按自然时间计时（不按工作时间）"),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]

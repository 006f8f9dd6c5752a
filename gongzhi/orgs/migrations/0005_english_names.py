"""English names where data shows (issue 13 item 9): a category's `name_en` (filled for the
seed rows the admins have not renamed), a post's `title_en` and `duty_en`."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from gongzhi.orgs.categories import fill_english

    fill_english(apps.get_model("orgs", "Category"))


class Migration(migrations.Migration):
    dependencies = [("orgs", "0004_roster_change")]
    operations = [
        migrations.AddField(
            model_name="category",
            name="name_en",
            field=models.CharField(
                blank=True, help_text="英文界面显示；不填则显示中文名称", max_length=100, verbose_name="英文名称"
            ),
        ),
        migrations.AddField(
            model_name="post",
            name="title_en",
            field=models.CharField(blank=True, max_length=100, verbose_name="岗位（英文）"),
        ),
        migrations.AddField(
            model_name="post",
            name="duty_en",
            field=models.CharField(blank=True, max_length=500, verbose_name="职责（英文）"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

"""Seed the 事项分类 tree so every fresh database routes the common matters."""

from django.db import migrations


def seed(apps, schema_editor):
    from gongzhi.orgs.categories import seed_categories

    seed_categories(apps.get_model("orgs", "Category"))


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""Seed the 小类 added from GB/T 30428 and the community matters (issue 13) into databases that
already ran 0002: only the missing codes are created, admins' edits stay."""

from django.db import migrations


def seed(apps, schema_editor):
    from gongzhi.orgs.categories import seed_categories

    seed_categories(apps.get_model("orgs", "Category"))


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_seed_categories")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

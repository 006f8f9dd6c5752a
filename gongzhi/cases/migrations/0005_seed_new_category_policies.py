"""Policies for the 小类 that orgs 0003 adds; existing policies stay as the admins set them."""

from django.db import migrations


def seed(apps, schema_editor):
    from gongzhi.cases.policies import seed_policies

    seed_policies(apps.get_model("orgs", "Category"), apps.get_model("cases", "CategoryPolicy"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_case_state_scope"), ("orgs", "0003_seed_gbt30428_categories")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

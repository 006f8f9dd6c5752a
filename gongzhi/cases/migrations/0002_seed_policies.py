from django.db import migrations


def seed(apps, schema_editor):
    from gongzhi.cases.policies import seed_policies

    seed_policies(apps.get_model("orgs", "Category"), apps.get_model("cases", "CategoryPolicy"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("orgs", "0002_seed_categories")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

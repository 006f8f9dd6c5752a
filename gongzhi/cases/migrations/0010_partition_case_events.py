"""The case events partitioned by month of at; attachments keep no database FK to them (PostgreSQL only; docs/adr/0036-partitioned-event-tables.md)."""

import django.db.models.deletion
from django.db import migrations, models

from gongzhi.core import partitions


def forward(apps, schema_editor):
    partitions.convert(schema_editor, "cases_caseevent")


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("cases", "0009_street_category_limits")]
    operations = [
        migrations.AlterField(
            model_name="attachment",
            name="event",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="attachments",
                to="cases.caseevent",
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]

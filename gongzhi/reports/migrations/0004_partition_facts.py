"""The facts partitioned by month of day (PostgreSQL only; docs/adr/0036-partitioned-event-tables.md)."""

from django.db import migrations

from gongzhi.core import partitions


def forward(apps, schema_editor):
    partitions.convert(schema_editor, "reports_fact")


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("reports", "0003_kpi_tables_per_period")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]

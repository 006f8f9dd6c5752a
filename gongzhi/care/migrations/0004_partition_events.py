"""The raw sensor events partitioned by month of at (PostgreSQL only; docs/adr/0036-partitioned-event-tables.md)."""

from django.db import migrations

from gongzhi.core import partitions


def forward(apps, schema_editor):
    partitions.convert(schema_editor, "care_event")


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("care", "0003_ingest_fewer_indexes")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]

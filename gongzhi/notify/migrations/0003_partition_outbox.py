"""The outbox partitioned by month of created_at (PostgreSQL only; docs/adr/0036-partitioned-event-tables.md).

Here rather than in core: the outbox's one incoming foreign key (a delivery's message) is
notify's, and it must be gone before the table is partitioned."""

import django.db.models.deletion
from django.db import migrations, models

from gongzhi.core import partitions


def forward(apps, schema_editor):
    partitions.convert(schema_editor, "core_outboxmessage")


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("notify", "0002_seed_inbox_channel"), ("core", "0004_ratecounter")]
    operations = [
        migrations.AlterField(
            model_name="delivery",
            name="message",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to="core.outboxmessage",
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=False),
    ]

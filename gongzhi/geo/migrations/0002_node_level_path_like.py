"""The (level, path) index with the pattern opclass, so "households under X" is one index range
on PostgreSQL too; and the explicit path_like index dropped, which duplicated the one Django
already makes for the unique path (geo_node_path_<hash>_like on PostgreSQL, the unique
constraint's own index on SQLite). SQLite ignores opclasses, so both databases migrate alike."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="node",
            index=models.Index(
                fields=["level", "path"],
                name="geo_node_level_path_like",
                opclasses=["int2_ops", "varchar_pattern_ops"],  # int2_ops: smallint's default
            ),
        ),
        migrations.RemoveIndex(model_name="node", name="geo_node_level_path"),
        migrations.RemoveIndex(model_name="node", name="geo_node_path_like"),
    ]

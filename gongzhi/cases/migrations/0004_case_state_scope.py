"""An index on (state, node_path) for lists and counts of one state within a subtree, with the
columns the scope's OR reads (post, reporter, reporter_user) so a count is an index-only scan.
The pattern opclass serves node_path LIKE 'prefix%' on PostgreSQL; SQLite ignores opclasses.
See docs/benchmarks.md (cases.list.*)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_open311key"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["state", "node_path", "post", "reporter", "reporter_user"],
                name="case_state_scope",
                opclasses=["varchar_ops", "varchar_pattern_ops", "int8_ops", "int8_ops", "int4_ops"],
            ),
        ),
    ]

"""The in-app inbox is on for the whole street from the start; email and robots are added by
admins once they have an SMTP server or a group robot's address."""

from django.db import migrations


def seed(apps, schema_editor):
    Channel = apps.get_model("notify", "Channel")
    if not Channel.objects.filter(kind="inbox").exists():
        Channel.objects.create(name="站内消息", kind="inbox", active=True)


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

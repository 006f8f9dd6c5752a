"""The Celery app: `celery -A config worker` and `celery -A config beat` (docs/notifications.md).

Settings come from Django's settings under the CELERY_ prefix; tasks from each app's tasks.py.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("gongzhi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

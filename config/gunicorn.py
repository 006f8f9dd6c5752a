"""gunicorn's settings for gongzhi: `gunicorn -c config/gunicorn.py config.wsgi` (docs/scaling.md
"Warm workers"). GUNICORN_BIND and GUNICORN_WORKERS set the address and the worker count.

preload_app: the master imports the app and warms it (core.warm) before forking, so each worker
starts with the reference snapshot, the classifier model and the templates loaded, shared
copy-on-write; a worker loaded on its own (preload off, or after a reload) warms itself before its
first request. /healthz/ready answers 200 once a worker is warm.
"""

import os
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"
timeout = 60


def when_ready(server: Any) -> None:
    """The master, app loaded (preload_app), before the first fork: warm it, then close its
    database connections, which a forked worker must never share."""
    if not preload_app:
        return
    from django.db import connections

    from gongzhi.core import warm

    took = warm.warm()
    connections.close_all()
    server.log.info("warm: %.2f s %s", sum(took.values()), took)


def post_worker_init(worker: Any) -> None:
    """A worker whose app was loaded in it (no preload): warm before its first request."""
    from gongzhi.core import warm

    if not warm.ready():
        took = warm.warm()
        worker.log.info("warm: %.2f s %s", sum(took.values()), took)

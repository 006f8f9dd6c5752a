"""The `gongzhi` command: Django's management commands under the product's name
(`gongzhi demo`, `gongzhi import`, `gongzhi migrate` ...)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gongzhi", *sys.argv[1:]])

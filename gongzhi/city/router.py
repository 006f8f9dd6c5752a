"""settings.DATABASE_ROUTERS: the city's models live only in the "city" database, and nothing
else is migrated there (its tables are filled by the districts' logical replication)."""

from typing import Any

CITY = "city"
APP = "city"


class CityRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return CITY if model._meta.app_label == APP else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return CITY if model._meta.app_label == APP else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        if APP in (obj1._meta.app_label, obj2._meta.app_label):
            return obj1._meta.app_label == obj2._meta.app_label
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        if app_label == APP:
            return db == CITY
        return False if db == CITY else None

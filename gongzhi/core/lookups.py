"""`InArray`: `column IN (subquery)` written so that PostgreSQL can answer it from an index when
it is one arm of an OR.

PostgreSQL plans `a LIKE 'p/%' OR b IN (SELECT ...)` as a hashed SubPlan tested on every row: no
index serves that arm, so the whole OR becomes a sequential scan (the case list of a grid member
over a district's 1,000,000 cases: 3 s, docs/scaling.md "The district run"). Written
`b = ANY(ARRAY(SELECT ...))` the subquery runs once, first (an InitPlan), and the arm is an
index condition: the OR becomes a BitmapOr of index scans (5–20 ms). Same rows, one statement.
Elsewhere (SQLite) it is the plain `IN (subquery)`.

    Case.objects.filter(Q(node_path__startswith=p) | InArray(F("post_id"), posts.values("id")))
"""

from typing import Any

from django.db.models import Lookup


class InArray(Lookup):  # type: ignore[type-arg]
    lookup_name = "in_array"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self._subquery(compiler, connection)
        return f"{lhs} IN {rhs}", [*lhs_params, *rhs_params]

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self._subquery(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]

    def _subquery(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.rhs)
        if not sql.startswith("("):
            sql = f"({sql})"
        return sql, list(params)

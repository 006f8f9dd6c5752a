"""The order `make test` hands its units of work (files, or a package kept whole) to the two
xdist workers (docs/testing.md "Balance").

xdist's loadfile queue goes by number of tests, most first, so a file with one long test (a
walk in chromium, the schemathesis run, a property test) came last and one worker ran it alone
while the other had finished. The known heavy units go first instead, heaviest first (longest
processing time first): the many short files then fill in, and both workers end together.
Figures: session 10's quiet full run (docs/testing.md)."""

from collections.abc import Iterable

# Path prefixes, heaviest first; everything else keeps xdist's order after them.
HEAVY_FIRST = (
    "gongzhi/demo/tests/street/",  # one generated street, and two more in the determinism test
    "gongzhi/api/tests/test_schemathesis.py",
    "gongzhi/web/tests/test_walk_",  # the walks in chromium, one long test each
    "gongzhi/cases/tests/test_open311.py",
    "gongzhi/reports/tests/test_rollup_property.py",
    "gongzhi/api/tests/test_case_scope_matrix",
    "gongzhi/web/tests/test_access_matrix.py",
    "gongzhi/demo/tests/test_district_demo.py",
)


def rank(scope: str) -> int:
    """The place of a unit in HEAVY_FIRST (len(HEAVY_FIRST) for the rest)."""
    return next((i for i, prefix in enumerate(HEAVY_FIRST) if scope.startswith(prefix)), len(HEAVY_FIRST))


def heavy_first(scopes: Iterable[str]) -> list[str]:
    """The scopes with the heavy ones first, each group in the order it came (a stable sort)."""
    return sorted(scopes, key=rank)

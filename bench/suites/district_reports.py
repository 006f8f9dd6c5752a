"""District 日报/周报 (docs/reports.md "District reports"): what a district's weekly figures cost
beside one street's. PostgreSQL or SQLite.

The district of the scale suite (bench/district.py: `--scale-streets` streets of
`--scale-areas` areas, `--scale-cases` cases each, their events, the rollup's rebuild and
ANALYZE). Timed, `--scale-rounds` rounds each, in process: `reports.summaries.figures` of the
district for the last full week of the data (its own figures and one row per street, each the
street's `place_figures`), beside the same for its first street (the baseline: what a street's
周报 costs). The ratio is expected near streets + 1 (ADR 0042)."""

import time
from datetime import timedelta
from typing import Any

from django.db.models import Max

from bench import district as district_mod
from bench.measure import Results, load_average, no_query_log, percentile

NAME = "district_reports"


def run(results: Results, options: dict[str, Any]) -> None:
    from gongzhi.cases.models import Case
    from gongzhi.core import clock
    from gongzhi.reports import summaries
    from gongzhi.reports.periods import week_of

    streets, areas = options["scale_streets"], options["scale_areas"]
    per_street, rounds = options["scale_cases"], max(3, min(options["scale_rounds"], 10))
    district = district_mod.build(streets, areas)
    district_mod.fill(district, per_street)
    last = Case.objects.aggregate(m=Max("created_at"))["m"]
    week = week_of((last - timedelta(days=7)).date())
    now = clock.now()
    street = district.streets[0].root

    def timed(node: Any) -> list[float]:
        out = []
        for _ in range(rounds):
            start = time.perf_counter()
            found = summaries.figures(node, week, now)
            out.append(time.perf_counter() - start)
        assert found["totals"] is not None
        return out

    with no_query_log():
        summaries.figures(district.root, week, now)  # warm
        whole = timed(district.root)
        one = timed(street)
    rows = summaries.figures(district.root, week, now)["streets"]
    results.add(
        "district_weekly_figures_p50",
        value=percentile(whole, 50),
        unit="s",
        baseline=percentile(one, 50),
        p95=percentile(whole, 95),
        street_p95=percentile(one, 95),
        streets=len(rows),
        cases=district.cases,
        week=str(week),
        rounds=rounds,
        load_average=load_average(),
    )

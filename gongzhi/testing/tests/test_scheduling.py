from gongzhi.testing.scheduling import HEAVY_FIRST, heavy_first


def test_heavy_units_go_first_heaviest_first_and_the_rest_keep_their_order() -> None:
    queue = [
        "gongzhi/core/tests/test_clock.py",
        "gongzhi/web/tests/test_walk_s1.py",
        "gongzhi/orgs/tests/test_access.py",
        "gongzhi/reports/tests/test_rollup_property.py",
        "gongzhi/demo/tests/street/",
        "gongzhi/web/tests/test_walk_care.py",
    ]
    assert heavy_first(queue) == [
        "gongzhi/demo/tests/street/",
        "gongzhi/web/tests/test_walk_s1.py",
        "gongzhi/web/tests/test_walk_care.py",
        "gongzhi/reports/tests/test_rollup_property.py",
        "gongzhi/core/tests/test_clock.py",
        "gongzhi/orgs/tests/test_access.py",
    ]


def test_every_heavy_prefix_names_test_files_that_exist() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    for prefix in HEAVY_FIRST:
        folder, _sep, start = prefix.rpartition("/")
        assert [p for p in (root / folder).iterdir() if p.name.startswith(start)], prefix

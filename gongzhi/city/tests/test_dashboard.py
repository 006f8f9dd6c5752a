"""The city dashboard (/city/ and its data.json): who may open it (orgs.access.can_view_city:
the permission city.view_city, directly or through a group, or a superuser; no post grants it),
what it shows (gongzhi.city.selectors' ranking over the period asked, the last 30 days unless
asked, read from the city database), bad periods (400 with the field's message), and a server
without CITY_DATABASE_URL (the page says so; no 500)."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test import Client, override_settings

from gongzhi.city.models import DistrictDayTotal, DistrictNode
from gongzhi.core import clock
from gongzhi.orgs import access
from gongzhi.orgs.roles import PostRole
from gongzhi.testing.factories import UserFactory, make_district, make_staff

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
BOTH = ["default", "city"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the board is kept per period: each test reads its own rows


def city_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="city", codename="view_city")


def city_viewer(username: str = "cityview"):
    user = UserFactory(username=username)
    user.user_permissions.add(city_permission())
    return user


def replicated() -> None:
    """What two districts' subscriptions would have brought: street names and day totals."""
    nodes = [
        ("da", 0, 0, "da", "甲区"),
        ("da", 1, 1, "S1", "一街道"),
        ("da", 2, 1, "S2", "二街道"),
        ("db", 0, 0, "db", "乙区"),
        ("db", 1, 1, "T1", "丙街道"),
    ]
    for i, (district, node_id, level, code, name) in enumerate(nodes):
        DistrictNode.objects.create(
            district=district, id=i, node_id=node_id, level=level, code=code, name=name
        )
    totals = [
        # district, id, day, area, received, closed, on time, rated, satisfied, open now
        ("da", 1, date(2026, 11, 20), 1, 10, 8, 6, 4, 3, 2),
        ("da", 2, date(2026, 11, 25), 2, 6, 5, 5, 2, 2, 1),
        ("db", 1, date(2026, 11, 29), 1, 4, 4, 4, 2, 1, 0),
        ("db", 2, date(2026, 10, 1), 1, 50, 50, 0, 0, 0, 0),  # more than 30 days before NOW
    ]
    for district, pk, day, area, received, closed, on_time, rated, satisfied, still_open in totals:
        DistrictDayTotal.objects.create(
            district=district,
            id=pk,
            day=day,
            area_id=area,
            received=received,
            closed=closed,
            closed_on_time=on_time,
            rated=rated,
            satisfied=satisfied,
            open_now=still_open,
        )


@pytest.mark.django_db
def test_only_the_city_permission_or_a_superuser_opens_the_city_view(tree):
    district = make_district()
    viewer = city_viewer()
    by_group = UserFactory(username="bygroup")
    group = Group.objects.create(name="市级查看")
    group.permissions.add(city_permission())
    by_group.groups.add(group)
    root = UserFactory(username="root", is_superuser=True)
    assert access.can_view_city(viewer) and access.can_view_city(by_group) and access.can_view_city(root)
    # no post grants it: not the street's cadre nor admin, not the district's staff
    for name, role, at in (
        ("street", PostRole.STREET_CADRE, tree.street),
        ("admin", PostRole.STREET_ADMIN, tree.street),
        ("district_admin", PostRole.DISTRICT_ADMIN, district.district),
        ("district", PostRole.DISTRICT_CADRE, district.district),
    ):
        assert not access.can_view_city(make_staff(name, role, at)), name
    assert not access.can_view_city(UserFactory(username="plain"))
    assert not access.can_view_city(AnonymousUser()) and not access.can_view_city(None)
    viewer.is_active = False
    viewer.save()
    assert not access.can_view_city(viewer)


@pytest.mark.django_db(databases=BOTH)
def test_the_page_ranks_districts_and_streets_of_the_last_30_days():
    replicated()
    c = Client()
    c.force_login(city_viewer())
    with clock.freeze(NOW):
        html = c.get("/city/").content.decode()
        data = c.get("/city/data.json").json()
    assert "2026-11-01 ~ 2026-11-30" in html  # the last 30 days, today included
    # db: 4 closed on time of 4 (the October day is outside the period); da: 11 of 13
    assert [(d["district"], d["received"], d["on_time_rate"]) for d in data["districts"]] == [
        ("db", 4, 100.0),
        ("da", 16, round(11 / 13 * 100, 1)),
    ]
    assert data["districts"][1] == {
        "rank": 2,
        "district": "da",
        "code": "da",
        "name": "甲区",
        "received": 16,
        "closed": 13,
        "closed_on_time": 11,
        "on_time_rate": 84.6,
        "rated": 6,
        "satisfied": 5,
        "satisfaction": 83.3,
        "still_open": 3,
    }
    assert [(s["name"], s["district_name"], s["rank"]) for s in data["streets"]] == [
        ("二街道", "甲区", 1),  # 5 of 5
        ("丙街道", "乙区", 2),  # 4 of 4, fewer received
        ("一街道", "甲区", 3),  # 6 of 8
    ]
    assert data["period"] == {"start": "2026-11-01", "end": "2026-12-01"}
    # the page prints the same ranking, in the same order
    districts = html[html.index('id="city-district-table"') : html.index('id="city-streets"')]
    assert districts.index("乙区") < districts.index("甲区") and "84.6%" in districts and "83.3%" in districts
    streets = html[html.index('id="city-street-table"') :]
    assert streets.index("二街道") < streets.index("丙街道") < streets.index("一街道")
    assert 'data-src="/city/data.json?start=2026-11-01&amp;end=2026-11-30"' in html
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # and in English
    with clock.freeze(NOW):
        english = c.get("/city/").content.decode()
    assert "Districts ranked" in english and "On-time closure rate" in english and "各区排名" not in english


@pytest.mark.django_db(databases=BOTH)
def test_a_period_asked_is_the_period_read_and_a_bad_one_is_a_400():
    replicated()
    c = Client()
    c.force_login(city_viewer())
    with clock.freeze(NOW):
        october = c.get("/city/data.json?start=2026-10-01&end=2026-10-31").json()
        assert [(d["district"], d["received"], d["on_time_rate"]) for d in october["districts"]] == [
            ("db", 50, 0.0)
        ]
        empty = c.get("/city/?start=2025-01-01&end=2025-01-31")
        assert empty.status_code == 200 and "该期间没有数据。" in empty.content.decode()
        for query, message in (
            ("start=2026-11-30&end=2026-11-01", "结束日期须晚于开始日期"),
            ("start=yesterday", "日期格式应为 YYYY-MM-DD"),
        ):
            page = c.get(f"/city/?{query}")
            assert page.status_code == 400 and message in page.content.decode(), query
            answer = c.get(f"/city/data.json?{query}")
            assert answer.status_code == 400 and message in answer.json()["errors"][0], query


@pytest.mark.django_db(databases=BOTH)
def test_others_get_a_403_and_anonymous_the_login(tree):
    replicated()
    c = Client()
    for path in ("/city/", "/city/data.json"):
        assert c.get(path)["Location"].startswith("/login/?next=")
    for user in (make_staff("street", PostRole.STREET_CADRE, tree.street), UserFactory(username="plain")):
        c.force_login(user)
        for path in ("/city/", "/city/data.json"):
            answer = c.get(path)
            assert answer.status_code == 403 and "甲区" not in answer.content.decode(), (user, path)


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")  # only the check reads it
def test_without_a_city_database_the_page_says_so(tree):
    c = Client()
    c.force_login(city_viewer())
    without = {alias: value for alias, value in settings.DATABASES.items() if alias != "city"}
    with override_settings(DATABASES=without):
        page = c.get("/city/")
        answer = c.get("/city/data.json")
    assert page.status_code == 200 and "全市视图尚未配置" in page.content.decode()
    assert "CITY_DATABASE_URL" in page.content.decode()
    assert answer.status_code == 503 and "CITY_DATABASE_URL" in answer.json()["errors"][0]
    # and a street's staff are still refused first: nothing about the city is said to them
    c.force_login(make_staff("street", PostRole.STREET_CADRE, tree.street))
    with override_settings(DATABASES=without):
        assert c.get("/city/").status_code == 403


@pytest.mark.django_db
def test_the_menu_offers_the_city_view_to_its_viewers_only(tree):
    c = Client()
    c.force_login(city_viewer())
    assert 'href="/city/"' in c.get("/").content.decode()
    c.force_login(make_staff("street", PostRole.STREET_CADRE, tree.street))
    assert 'href="/city/"' not in c.get("/").content.decode()


@pytest.mark.django_db
def test_the_command_grants_lists_and_revokes():
    user = UserFactory(username="shi")
    out = StringIO()
    call_command("city_viewer", "shi", stdout=out)
    user = type(user).objects.get(pk=user.pk)  # a fresh object: has_perm caches
    assert access.can_view_city(user)
    out = StringIO()
    call_command("city_viewer", stdout=out)
    assert "shi" in out.getvalue()
    call_command("city_viewer", "shi", "--revoke", stdout=StringIO())
    assert not access.can_view_city(type(user).objects.get(pk=user.pk))
    with pytest.raises(CommandError, match="没有账号"):
        call_command("city_viewer", "nobody", stdout=StringIO())


@pytest.mark.django_db(databases=BOTH)
def test_a_city_database_that_cannot_be_read_is_a_503_not_a_500():
    c = Client()
    c.force_login(city_viewer())
    with connections["city"].cursor() as cursor:  # undone with the test's transaction
        cursor.execute("ALTER TABLE reports_daytotal RENAME TO reports_daytotal_away")
    page = c.get("/city/")
    assert page.status_code == 503 and "暂时无法读取市级统计数据库" in page.content.decode()
    answer = c.get("/city/data.json")
    assert answer.status_code == 503 and "暂时无法读取市级统计数据库" in answer.json()["errors"][0]


@pytest.mark.django_db(databases=BOTH)
def test_the_board_is_kept_per_period_for_a_few_minutes():
    replicated()
    c = Client()
    c.force_login(city_viewer())
    with clock.freeze(NOW):
        before = c.get("/city/data.json").json()
        DistrictDayTotal.objects.filter(district="db").delete()  # a district's rollup recounted
        assert c.get("/city/data.json").json() == before  # the same figures, not read again
        october = c.get("/city/data.json?start=2026-10-01&end=2026-10-31").json()
        assert october["districts"] == []  # another period is read afresh
        cache.clear()  # as CACHE_SECONDS passing
        assert [d["district"] for d in c.get("/city/data.json").json()["districts"]] == ["da"]

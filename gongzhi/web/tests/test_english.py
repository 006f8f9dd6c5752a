"""The English catalog: complete, compiled, and used by the pages and the API.

The msgids are the Chinese UI text, so "untranslated" shows up as Chinese on an English page.
The page tests strip what is data (names of nodes, people, units; posts and categories that
have no English name) and the few Chinese terms the catalog keeps on purpose in brackets
(三定, 居务会 ...), then expect no Chinese character to be left.
"""

import ast
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date
from gettext import GNUTranslations
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from gongzhi.api import services as api_services
from gongzhi.cases import services as case_services
from gongzhi.cases.states import Source
from gongzhi.geo.models import Node
from gongzhi.orgs import services as org_services
from gongzhi.orgs.models import Category, Person, Post, Unit
from gongzhi.orgs.roles import MeetingRole, PostRole, UnitKind
from gongzhi.testing.factories import PersonFactory, UnitFactory, make_staff

LOCALE_DIR = Path(settings.BASE_DIR) / "gongzhi" / "locale" / "en" / "LC_MESSAGES"
PO = LOCALE_DIR / "django.po"
MO = LOCALE_DIR / "django.mo"

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Chinese the English catalog keeps on purpose (in brackets or quotes), and the language
# switcher, which names each language in itself.
KEPT = ("三定", "居务会", "双报到", "AB岗", "简体中文", "共治")
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdfir]|\{\w*\}")


# --- the catalog ---------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    msgctxt: str | None = None


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader: enough for makemessages' output (no polib needed)."""
    entries: list[Entry] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        parts: dict[str, list[str]] = {}
        current = None
        flags: set[str] = set()
        obsolete = False
        for line in block.splitlines():
            if line.startswith("#~"):
                obsolete = True
                continue
            if line.startswith("#,"):
                flags |= {f.strip() for f in line[2:].split(",")}
                continue
            if line.startswith("#"):
                continue
            m = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line)
            if m:
                current = m.group(1)
                parts[current] = [m.group(2)]
            elif line.startswith('"') and current:
                parts[current].append(line)
        if "msgid" not in parts and not obsolete:
            continue
        text = {key: "".join(ast.literal_eval(chunk) for chunk in chunks) for key, chunks in parts.items()}
        msgstr = [text[k] for k in sorted(text) if k.startswith("msgstr")]
        entries.append(
            Entry(
                msgid=text.get("msgid", ""),
                msgid_plural=text.get("msgid_plural"),
                msgstr=msgstr,
                flags=flags,
                obsolete=obsolete,
                msgctxt=text.get("msgctxt"),
            )
        )
    return entries


@pytest.fixture(scope="module")
def catalog() -> list[Entry]:
    assert PO.exists(), f"{PO} is missing: run makemessages -l en"
    return [e for e in parse_po(PO) if e.msgid and not e.obsolete]


def test_catalog_is_complete(catalog):
    assert len(catalog) > 400
    untranslated = [e.msgid for e in catalog if not all(e.msgstr)]
    fuzzy = [e.msgid for e in catalog if "fuzzy" in e.flags]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"
    header = parse_po(PO)[0]
    assert header.msgid == "" and "fuzzy" not in header.flags
    assert "Language: en" in header.msgstr[0] and "charset=UTF-8" in header.msgstr[0]


def test_catalog_keeps_every_placeholder(catalog):
    wrong = []
    for e in catalog:
        expected = sorted(PLACEHOLDER.findall(e.msgid))
        for s in e.msgstr:
            if sorted(PLACEHOLDER.findall(s)) != expected:
                wrong.append((e.msgid, s))
    assert not wrong, wrong


SHEET_VALUES = ("是", "否", "男", "女", "休息", "上班")  # values a Chinese import sheet holds


def test_catalog_is_english(catalog):
    """No msgstr is still the Chinese msgid, and Chinese appears only as a kept term."""
    leftovers = []
    for e in catalog:
        for s in e.msgstr:
            rest = s
            for term in (*KEPT, *SHEET_VALUES):
                rest = rest.replace(term, "")
            if CJK.search(rest):
                leftovers.append((e.msgid, s))
    assert not leftovers, leftovers


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_msgfmt_check_and_statistics():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    stats = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages?\.", stats), stats


def test_compiled_catalog_matches_the_po(catalog):
    """django.mo is committed (no user needs gettext): it must hold what the .po says."""
    assert MO.exists(), "run compilemessages: django.mo is missing"
    with MO.open("rb") as f:
        compiled = GNUTranslations(f)
    stale = []
    for e in catalog:
        if e.msgid_plural is None:
            found = compiled.gettext(e.msgid) if e.msgctxt is None else compiled.pgettext(e.msgctxt, e.msgid)
            if found != e.msgstr[0]:
                stale.append(e.msgid)
        elif (
            compiled.ngettext(e.msgid, e.msgid_plural, 1),
            compiled.ngettext(e.msgid, e.msgid_plural, 2),
        ) != (
            e.msgstr[0],
            e.msgstr[1],
        ):
            stale.append(e.msgid)
    assert not stale, f"django.mo is out of date (run compilemessages): {stale[:10]}"


# --- the pages -----------------------------------------------------------------------------


def data_strings() -> list[str]:
    """Everything the database holds that a page may show as is, longest first."""
    values: set[str] = set()
    values.update(Node.objects.values_list("name", flat=True))
    values.update(Person.objects.values_list("name", flat=True))
    values.update(Unit.objects.values_list("name", flat=True))
    # data with an English name must show it: only the names without one are data left as is
    values.update(Category.objects.filter(name_en="").values_list("name", flat=True))
    for title, duty, title_en, duty_en in Post.objects.values_list("title", "duty", "title_en", "duty_en"):
        values.update(chinese for chinese, english in ((title, title_en), (duty, duty_en)) if not english)
    values.update(get_user_model().objects.values_list("username", flat=True))
    return sorted((v for v in values if v), key=len, reverse=True)


def leftover_chinese(html: str) -> list[str]:
    for value in data_strings():
        html = html.replace(value, " ")
    for term in KEPT:
        html = html.replace(term, " ")
    return CJK.findall(html)


def assert_english(html: str, catalog: list[Entry]) -> None:
    assert '<html lang="en">' in html
    left = leftover_chinese(html)
    if left:
        msgids = sorted({e.msgid for e in catalog if e.msgid in left})
        pytest.fail(f"Chinese left on an English page: {left}; untranslated msgids among them: {msgids}")


def english(client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.fixture
def committee(tree):
    """A committee staff user of area R1, with a roster that fills a few 1+8+X seats."""
    user = make_staff("wang", PostRole.COMMITTEE_STAFF, tree.r1, unit_kind=UnitKind.RESIDENTS_COMMITTEE)
    secretary = PersonFactory(name="书记甲", phone="13600000001")
    officer = PersonFactory(name="民警乙", phone="13600000002")
    deputy = PersonFactory(name="替补丙", phone="13600000003")
    lawyer = PersonFactory(name="律师丁", phone="13600000004")
    for code, title, person, role, seat, extra in (
        (
            "R1-SEC",
            "党总支书记",
            secretary,
            PostRole.PARTY_SECRETARY,
            MeetingRole.PARTY_ORG,
            {"duty": "主持居务会"},
        ),
        (
            "R1-POL",
            "社区民警",
            officer,
            PostRole.PARTNER,
            MeetingRole.POLICE,
            {
                "deputy": deputy,
                "duty": "治安、群租排查",
                "categories": list(Category.objects.filter(code="FW01")),
            },
        ),
        ("R1-LAW", "特约律师", lawyer, PostRole.PARTNER, MeetingRole.LAWYER, {}),
    ):
        org_services.post_upsert(
            actor=None,
            code=code,
            unit=UnitFactory(node=tree.r1),
            node=tree.r1,
            title=title,
            person=person,
            role=role,
            meeting_role=seat,
            active_from=date(2020, 1, 1),
            **extra,
        )
    return user


def test_login_page_in_english(client, db, catalog):
    english(client)
    html = client.get("/login/").content.decode()
    assert_english(html, catalog)
    for label in ("Log in", "Username", "Password", "Gongzhi", "Forgot your password?"):
        assert label in html
    assert "After 10 wrong passwords in a row, the account is locked for 15 minutes." in html


def test_home_tree_and_roster_in_english(client, tree, committee, catalog):
    client.force_login(committee)
    english(client)

    home = client.get("/").content.decode()
    assert_english(home, catalog)
    for label in ('aria-label="Main menu"', ">Home</a>", ">Jurisdiction</a>", ">People</a>", "Log out"):
        assert label in home
    assert "Areas I am responsible for" in home and "Residents" in home and "Aged 80+" in home

    tree_page = client.get("/tree/").content.decode()
    assert_english(tree_page, catalog)
    assert "<h1>Jurisdiction</h1>" in tree_page and "Residential area" in tree_page

    node_page = client.get(reverse("web:tree_node", args=[tree.r1.code])).content.decode()
    assert_english(node_page, catalog)
    assert "Sub-areas" in node_page and "Estate" in node_page

    roster = client.get(reverse("web:roster", args=[tree.r1.code])).content.decode()
    assert_english(roster, catalog)
    for label in (
        "Duty roster (三定)",
        "“1”: the residential-area Party organisation",
        "“8”: the eight parties",
        "“X”: co-governance members",
        "Community police officer",
        "Owners&#x27;",  # an empty seat of the 8, escaped by the template
        "Vacant",
        "Retained lawyer",
        "Deputy",
        "4 posts",
    ):
        assert label in roster, label


def test_case_pages_in_english(client, tree, committee, catalog):
    """The resident's report form (no login) and the staff's case lists."""
    english(client)
    report = client.get(reverse("web:report")).content.decode()
    assert_english(report, catalog)
    assert "Report a problem" in report and "Submit" in report

    client.force_login(committee)
    english(client)
    for name in ("web:case_list", "web:case_mine", "web:case_overdue", "web:patrol"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert_english(response.content.decode(), catalog)


def test_people_search_by_number_and_case_contact_in_english(client, tree, committee, catalog):
    """The search box's purpose, a search by number, its refusal in a URL, the case's 查看完整号码."""
    PersonFactory(name="Zhang", phone="13800138000", home=tree.h1)
    case = case_services.case_create(
        actor=None,
        intake=case_services.Intake(
            node=tree.b1, text="Boxes", source=Source.RESIDENT, contact_phone="13812345678"
        ),
    )
    client.force_login(committee)
    english(client)
    search = client.get("/people/").content.decode()
    assert_english(search, catalog)
    assert "Purpose (recorded when searching by number)" in search
    found = client.post("/people/", {"q": "13800138000"}, follow=True).content.decode()
    assert_english(found, catalog)
    assert "Search by number 138****8000" in found
    refused = client.get("/people/", {"q": "13800138000"}).content.decode()
    assert "Type phone and ID numbers into the search box" in refused
    detail = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert_english(detail, catalog)
    assert "Show full number" in detail and "Show contact phone" in detail


def test_chinese_stays_the_default(client, tree, committee):
    client.force_login(committee)
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in html and "首页" in html and "我负责的辖区" in html


# --- the API -------------------------------------------------------------------------------


def test_api_answers_validation_errors_in_english(client, tree):
    admin = make_staff("admin", PostRole.STREET_ADMIN, tree.street)
    key = api_services.token_create(user=admin, name="english-test")[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}", "HTTP_ACCEPT_LANGUAGE": "en"}

    # a level out of range: pydantic's error, our message
    response = client.post(
        "/api/v1/nodes",
        {"code": "S-X1", "name": "新节点", "level": 9, "parent": tree.street.code},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert detail[0]["loc"][-1] == "level"
    assert detail[0]["msg"] == "Must not be greater than 7"

    # a level that cannot sit under this parent: the service's message, with level names
    response = client.post(
        "/api/v1/nodes",
        {"code": "S-X2", "name": "新网格", "level": 5, "parent": tree.street.code},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 422, response.content
    message = response.json()["detail"][0]["msg"]
    assert message.startswith("A node at level “Grid” cannot sit under a “Street” node")
    assert not CJK.search(message)

    # and in Chinese without the header
    del headers["HTTP_ACCEPT_LANGUAGE"]
    response = client.post(
        "/api/v1/nodes",
        {"code": "S-X3", "name": "新节点", "level": 9, "parent": tree.street.code},
        content_type="application/json",
        **headers,
    )
    assert response.json()["detail"][0]["msg"] == "不能大于7"


def test_tree_import_reads_chinese_levels_for_an_english_user():
    from django.utils import translation

    from gongzhi.geo.levels import Level, level_from_label

    with translation.override("en"):
        assert level_from_label("居民区") == Level.AREA
        assert level_from_label("Residential area") == Level.AREA
        assert level_from_label("building") == Level.BUILDING
        assert level_from_label("3") == Level.AREA
        assert level_from_label("村") is None

"""Every page: anonymous users go to the login page; each role sees exactly its own scope."""

import re

import pytest


def without_tokens(body: bytes) -> str:
    """The page minus its CSRF tokens, which differ on every render."""
    return re.sub(r'("X-CSRFToken": "|value=")[A-Za-z0-9]{64}', r"\1", body.decode())


PAGES = [
    "/",
    "/tree/",
    "/tree/S-R1/",
    "/tree/S-R1/children/",
    "/tree/S-R1/geojson",
    "/roster/S-R1/",
    "/people/?q=张",
    "/people/1/",
    "/audit/pii/",
    "/audit/pii/export.xlsx",
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_login(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_anonymous_reveal_is_sent_to_login_and_logs_nothing(client, world):
    from gongzhi.core.models import PiiAccessLog

    response = client.post(f"/people/{world.young.pk}/reveal/", {"field": "phone", "purpose": "上门走访"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not PiiAccessLog.objects.exists()


# role -> {url: expected status}; codes outside scope answer 404 exactly like unknown codes.
MATRIX = {
    "street": {
        "/tree/": 200,
        "/tree/S/": 200,
        "/tree/S-R3/": 200,
        "/roster/S-R1/": 200,
        "/roster/S-R3/": 200,
        "/people/?q=张": 200,
        "/audit/pii/": 403,
    },
    "block": {
        "/tree/S-K1/": 200,
        "/tree/S-R1/": 200,
        "/tree/S/": 404,
        "/tree/S-R3/": 404,
        "/roster/S-R2/": 200,
        "/roster/S-R3/": 404,
        "/people/?q=张": 200,
        "/audit/pii/": 403,
    },
    "committee": {
        "/tree/S-R1/": 200,
        "/tree/S-R1-G2/": 200,
        "/tree/S-K1/": 404,
        "/tree/S-R2/": 404,
        "/roster/S-R1/": 200,
        "/roster/S-R2/": 404,
        "/people/?q=张": 200,
        "/audit/pii/": 403,
        "/audit/pii/export.xlsx": 403,
    },
    "grid": {
        "/tree/S-R1-G1/": 200,
        "/tree/S-R1-G2/": 404,
        "/tree/S-R1/": 404,
        "/roster/S-R1/": 404,  # a grid is not a residential area, and R1 is above the grid
        "/people/?q=张": 200,
        "/audit/pii/": 403,
    },
    "department": {
        "/tree/S-R3/": 200,
        "/roster/S-R1/": 200,
        "/people/?q=张": 403,  # departments see the roster, never the residents' register
        "/audit/pii/": 403,
    },
    "auditor": {
        "/tree/S/": 200,
        "/roster/S-R1/": 200,
        "/people/?q=张": 403,
        "/audit/pii/": 200,
        "/audit/pii/export.xlsx": 200,
    },
    "resident": {
        "/": 200,
        "/tree/": 403,
        "/tree/S-R1-H101/": 404,
        "/roster/S-R1/": 404,
        "/people/?q=张": 403,
        "/audit/pii/": 403,
    },
}


@pytest.mark.parametrize(
    ("key", "url", "status"),
    [(key, url, status) for key, urls in MATRIX.items() for url, status in urls.items()],
)
def test_role_matrix(as_role, key, url, status):
    client, _user = as_role(key)
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:500]


def test_unknown_and_out_of_scope_codes_look_the_same(as_role):
    client, _user = as_role("committee")
    unknown = client.get("/tree/NO-SUCH/")
    hidden = client.get("/tree/S-R3/")
    assert unknown.status_code == hidden.status_code == 404
    # Identical but for the address itself (echoed in the language switch's "next").
    assert without_tokens(unknown.content).replace("NO-SUCH", "S-R3") == without_tokens(hidden.content)
    assert "南丹" not in hidden.content.decode()
    assert "不在您负责的范围内" in hidden.content.decode()


def test_forbidden_page_is_chinese(as_role):
    client, _user = as_role("committee")
    response = client.get("/audit/pii/")
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()


@pytest.mark.parametrize(
    ("key", "shown", "hidden"),
    [
        ("street", ["辖区", "人员"], ["查看记录"]),
        ("department", ["辖区"], ["人员", "查看记录"]),
        ("auditor", ["辖区", "查看记录"], ["人员"]),
        ("resident", ["首页"], ["辖区", "人员", "查看记录"]),
    ],
)
def test_menu_shows_only_what_powers_allow(as_role, key, shown, hidden):
    client, _user = as_role(key)
    body = client.get("/").content.decode()
    menu = body.split('<nav class="nav"', 1)[1].split("</nav>", 1)[0]
    for label in shown:
        assert f">{label}</a>" in menu
    for label in hidden:
        assert f">{label}</a>" not in menu

"""What the load test's clients need from the demo street, written to a JSON file the locustfile
reads: an Open311 api_key and a street cadre's API token (made through their services, named
"loadtest" so they are easy to revoke), service codes, places (estate and building codes),
door sensors of consenting subjects, residents' wording and the demo's logins.

Run by scripts/loadtest.sh with the stack's environment:
    .venv/bin/python loadtest/prepare.py OUT.json
"""

import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from gongzhi.api import services as api_services  # noqa: E402
from gongzhi.care.choices import DeviceKind  # noqa: E402
from gongzhi.cases.open311 import keys  # noqa: E402
from gongzhi.cases.open311 import selectors as open311_selectors  # noqa: E402
from gongzhi.demo import simulate  # noqa: E402
from gongzhi.demo.care import DEMO_GATEWAY_TOKEN  # noqa: E402
from gongzhi.demo.case_texts import sample_corpus  # noqa: E402
from gongzhi.demo.logins import DEMO_PASSWORD  # noqa: E402
from gongzhi.geo import streets as geo_streets  # noqa: E402
from gongzhi.geo.levels import Level  # noqa: E402
from gongzhi.geo.models import Node  # noqa: E402
from gongzhi.orgs import access  # noqa: E402

# who does what in the mix (the demo's logins, gongzhi demo_logins); a district's demo names its
# streets' logins apart: list them in LOADTEST_STAFF / LOADTEST_LEADERS (comma-separated)
STAFF = os.environ.get("LOADTEST_STAFF", "committee,grid,property,chengguan").split(",")  # their cases
LEADERS = os.environ.get("LOADTEST_LEADERS", "street_cadre,block_cadre,secretary").split(",")  # 指挥中心
API_USER = os.environ.get("LOADTEST_API_USER", "street_cadre")  # the 12345 bridge's token
PLACES = 400
TEXTS = 2000
DOORS = 2000


def main(out: Path) -> None:
    rng = random.Random(2026)
    users = get_user_model().objects.filter(username__in=[*STAFF, *LEADERS, API_USER])
    found = {u.username for u in users}
    missing = sorted({*STAFF, *LEADERS, API_USER} - found)
    if missing:
        sys.exit(
            f"prepare: the demo logins {missing} are missing: run `gongzhi demo` and `gongzhi demo_logins`"
        )
    api_user = users.get(username=API_USER)
    _token, api_key = api_services.token_create(user=api_user, name="loadtest hotline bridge")
    _row, open311_key = keys.key_create(name="loadtest")

    # in a district each place names its street's Open311 jurisdiction_id (required when the
    # deployment serves several streets: docs/tenancy.md); "" for a deployment of one street
    streets = geo_streets.streets()
    jurisdiction = {s.path: s.jurisdiction_id for s in streets} if len(streets) > 1 else {}
    estates = list(Node.objects.filter(level=Level.ESTATE).values_list("code", "path"))
    buildings = list(Node.objects.filter(level=Level.BUILDING).values_list("code", "path"))
    places = []
    for code, path in rng.sample(buildings, min(PLACES, len(buildings))):
        estate = next((e for e, p in estates if path.startswith(p)), None)
        if estate:
            places.append(
                {
                    "estate": estate,
                    "building": code,
                    "jurisdiction": jurisdiction.get(geo_streets.street_path(path), ""),
                    # the 12345 bridge reports only where its login may (VIEW_CASES there)
                    "hotline": access.can_under(api_user, access.VIEW_CASES, path),
                }
            )
    street = simulate.load(silent=0, rng=rng)
    doors = [
        d.serial for d in street.devices if d.kind == DeviceKind.DOOR and d.subject_id not in street.away
    ]
    corpus = sample_corpus(2026, 30)
    fixture = {
        "password": DEMO_PASSWORD,
        "staff": STAFF,
        "leaders": LEADERS,
        "api_token": api_key,
        "open311_key": open311_key,
        "gateway_token": DEMO_GATEWAY_TOKEN,
        "services": list(open311_selectors.service_categories().values_list("code", flat=True)),
        "places": places,
        # the public board of a district asks which street (?street=CODE); [] for one street
        "public_streets": [s.code for s in streets] if len(streets) > 1 else [],
        "doors": rng.sample(doors, min(DOORS, len(doors))),
        "texts": [text for _code, text in rng.sample(corpus, min(TEXTS, len(corpus)))],
    }
    out.write_text(json.dumps(fixture, ensure_ascii=False), encoding="utf-8")
    if not any(p["hotline"] for p in places):
        sys.exit(f"prepare: {API_USER} may report at none of the places: set LOADTEST_API_USER")
    print(
        f"prepare: {len(places)} places ({sum(p['hotline'] for p in places)} in the hotline's scope), {len(fixture['doors'])} door sensors, "
        f"{len(fixture['services'])} services, {len(fixture['texts'])} texts -> {out}"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))

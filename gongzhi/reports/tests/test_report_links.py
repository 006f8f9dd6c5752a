"""The 日报/周报 files one tap away: the list and the report page link the Word and Excel files,
and each link answers its file."""

import re

import pytest
from django.test import Client

from gongzhi.core import clock
from gongzhi.reports import documents, services
from gongzhi.reports.models import ReportKind
from gongzhi.reports.tests import test_kpis
from gongzhi.reports.tests.conftest import DAY1

scenario = test_kpis.scenario  # the hand-built street of the KPI tests
pytestmark = pytest.mark.django_db
FILE_LINK = re.compile(r'href="(/reports/\d+\.(?:docx|xlsx))"')
TYPES = {"docx": documents.DOCX_TYPE, "xlsx": documents.XLSX_TYPE}


def test_the_report_pages_link_their_files(scenario):
    with clock.freeze(test_kpis.NOW):
        report = services.report_generate(kind=ReportKind.DAILY, node=scenario.tree.r1, start=DAY1).report
        client = Client()
        client.force_login(scenario.dispatcher)
        expected = [f"/reports/{report.pk}.docx", f"/reports/{report.pk}.xlsx"]
        for page in ("/reports/", f"/reports/{report.pk}/"):
            links = sorted(set(FILE_LINK.findall(client.get(page).content.decode())))
            assert links == expected, page
            for url in links:
                response = client.get(url)
                assert response.status_code == 200, url
                assert response["Content-Type"] == TYPES[url.rsplit(".", 1)[1]], url
                assert response["Content-Disposition"].startswith("attachment;"), url
                assert response.content[:2] == b"PK"  # a real Office (zip) file

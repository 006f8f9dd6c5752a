"""The personal-data access log for the street auditor: filter, page through, export to Excel.

The log holds names and masked labels only (core.models.PiiAccessLog), so neither the page
nor the export can carry a clear number.
"""

from io import BytesIO
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from gongzhi.core import clock
from gongzhi.core.exports import xlsx_row
from gongzhi.core.models import PiiAccessLog
from gongzhi.orgs import access, selectors
from gongzhi.web.http import page, require_power
from gongzhi.web.templatetags.web import field_label

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000  # rows in one spreadsheet; narrow the dates for more


class LogFilter(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("起始日期"), required=False)
    date_to = forms.DateField(label=gettext_lazy("截止日期"), required=False)
    actor = forms.CharField(label=gettext_lazy("查看人账号"), required=False, max_length=150)
    subject = forms.CharField(label=gettext_lazy("对象姓名"), required=False, max_length=120)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("date_from", "date_to"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})
            self.fields[name].error_messages["invalid"] = _("日期格式应为 2026-01-31")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data


def filtered(request: HttpRequest, form: LogFilter) -> QuerySet[PiiAccessLog]:
    data = form.cleaned_data
    qs = selectors.pii_access_log_list(
        user=request.user,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        actor=(data.get("actor") or "").strip(),
    )
    if data.get("subject"):
        qs = qs.filter(subject_label__contains=data["subject"].strip())
    return qs


@page
def audit_pii(request: HttpRequest) -> HttpResponse:
    require_power(request, access.AUDIT)
    form = LogFilter(request.GET)
    if not form.is_valid():
        return render(request, "web/common/audit_pii.html", {"form": form, "rows": None}, status=400)
    rows = Paginator(filtered(request, form), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "web/common/audit_pii.html", {"form": form, "rows": rows, "query": query.urlencode()}
    )


@page
def audit_pii_export(request: HttpRequest) -> HttpResponse:
    require_power(request, access.AUDIT)
    form = LogFilter(request.GET)
    if not form.is_valid():
        return render(request, "web/common/audit_pii.html", {"form": form, "rows": None}, status=400)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("个人信息查看记录"))
    sheet.append([_("时间"), _("查看人"), _("对象"), _("字段"), _("用途")])
    for row in filtered(request, form)[:EXPORT_LIMIT]:
        at = timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S")
        sheet.append(
            xlsx_row([at, row.actor.username, row.subject_label, field_label(row.field), row.purpose])
        )
    out = BytesIO()
    book.save(out)
    stamp = clock.today().strftime("%Y%m%d")
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="pii-access-log-{stamp}.xlsx"'
    return response

"""12345 热线转办 bulk import: upload an .xlsx or .csv export of the hotline system, see every
bad row (row, column, reason) or how many cases were new and how many were imported before.

The street's dispatchers receive hotline transfers, so the page needs DISPATCH over a street
node (or a superuser). The import itself is cases.hotline (the same code as the
`import_hotline` command): nothing is written if any row is bad, and rows are keyed by the
hotline's 工单编号, so importing a file twice creates nothing twice.
"""

from io import BytesIO
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from gongzhi.cases import hotline
from gongzhi.core.actors import Actor
from gongzhi.core.exports import xlsx_row
from gongzhi.geo.levels import Level
from gongzhi.orgs import access
from gongzhi.orgs.imports.report import ImportReport
from gongzhi.orgs.imports.run import size_error
from gongzhi.web.http import page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUFFIXES = (".xlsx", ".csv")
ZIP_MAGIC = b"PK\x03\x04"  # every .xlsx is a zip archive
SNIFF = 8192  # bytes of a CSV looked at for binary content
NOTES_SHEET = "填写说明"  # sheet names are part of the file format, like the headers


def column_notes() -> list[tuple[str, bool, str]]:
    """(header, required, note) for the template's notes sheet and the page."""
    return [
        ("工单编号", True, _("热线系统的工单编号；同一编号只导入一次")),
        ("诉求内容", True, _("市民反映的问题，不超过4000字")),
        ("发生地址", False, _("本街道内的地址；没有经纬度时按地址定位")),
        ("经度", False, _("数字，如 121.43；与纬度同时填写")),
        ("纬度", False, _("数字，如 31.19")),
        ("联系人", False, _("市民姓名或称呼")),
        ("联系电话", False, _("11位手机号；系统只显示打码后的号码")),
        ("分类", False, _("小类编码或名称，如 LD01 或 楼道堆物；不填则由派遣员立案时选择")),
        ("受理时间", False, _("热线受理的时间，仅供参考")),
    ]


def may_import(user: Actor) -> bool:
    """A dispatcher at street level: DISPATCH over a node at the street level (or a superuser)."""
    scope = access.scope(user)
    if scope.superuser:
        return True
    # Decided from the cached scope's levels, with no query (the menu asks on every page): a
    # street's post, or a district's above it (geo.levels).
    return any(access.DISPATCH in g.powers and g.level <= Level.STREET for g in scope.grants)


def require_street_dispatcher(request: HttpRequest) -> None:
    if not may_import(request.user):
        raise PermissionDenied


class HotlineUploadForm(forms.Form):
    file = forms.FileField(
        label=_lazy("热线工单文件（.xlsx 或 .csv）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"required": _lazy("请选择要上传的文件"), "empty": _lazy("上传的文件是空的")},
    )
    dry_run = forms.BooleanField(label=_lazy("只检查，不写入"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(SUFFIXES):
            raise forms.ValidationError(_("只能上传 .xlsx 或 .csv 文件（Excel 请另存为 .xlsx）"))
        too_big = size_error(upload.size or 0)  # refused before a byte of it is read
        if too_big:
            raise forms.ValidationError(too_big)
        head = upload.read(SNIFF)
        upload.seek(0)
        if name.endswith(".xlsx") and not head.startswith(ZIP_MAGIC):
            raise forms.ValidationError(_("文件不是有效的 Excel（.xlsx）文件"))
        if name.endswith(".csv") and b"\x00" in head:
            raise forms.ValidationError(_("文件不是文本格式的 CSV 文件"))
        return upload


def _page(request: HttpRequest, form: HotlineUploadForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "columns": column_notes(),
        "max_mb": settings.IMPORT_MAX_BYTES / 1048576,
    }
    return render(request, "web/cases/hotline/index.html", context, status=status)


def _status(report: ImportReport) -> int:
    if report.ok:
        return 200
    # A problem with the whole file (unreadable, wrong encoding) is a bad request; bad rows are
    # a validation report.
    return 400 if any(e.row is None for e in report.errors) else 422


@page
@require_http_methods(["GET", "POST"])
def hotline_import(request: HttpRequest) -> HttpResponse:
    require_street_dispatcher(request)
    if request.method == "GET":
        return _page(request, HotlineUploadForm())
    form = HotlineUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    upload, dry_run = form.cleaned_data["file"], form.cleaned_data["dry_run"]
    report = hotline.import_hotline(
        actor=request.user, data=upload.read(), filename=upload.name, dry_run=dry_run
    )
    empty = report.ok and report.total == 0 and not dry_run
    if empty:
        report.add(hotline.SHEET, None, "", _("表中没有数据行"))
    context = {"report": report, "file_name": upload.name}
    return render(request, "web/cases/hotline/report.html", context, status=_status(report))


@page
@require_GET
def hotline_template(request: HttpRequest) -> HttpResponse:
    require_street_dispatcher(request)
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = hotline.SHEET
    sheet.append(xlsx_row(hotline.COLUMNS))
    sheet.freeze_panes = "A2"
    bold, required = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    for cell in sheet[1]:
        cell.font = bold
        if cell.value in hotline.REQUIRED:
            cell.fill = required
        sheet.column_dimensions[cell.column_letter].width = 40 if cell.value == "诉求内容" else 16
    notes = wb.create_sheet(NOTES_SHEET)
    notes.append([_("列"), _("必填"), _("说明")])
    for header, must, note in column_notes():
        notes.append(xlsx_row([header, "✓" if must else "", note]))
    notes.column_dimensions["C"].width = 60
    out = BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="gongzhi-hotline-template.xlsx"'
    return response

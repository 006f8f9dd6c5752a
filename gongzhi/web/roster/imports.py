"""Excel import and export pages: pick a kind, download its empty template, upload a filled one,
see every bad row or the counts; export what the user may export in the same template.

An upload needs the IMPORT power and every row inside the user's MANAGE_TREE / MANAGE_ROSTER
scope (checked row by row by the import); an export needs EXPORT and is scoped by orgs.access.
"""

from io import BytesIO

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core import clock
from gongzhi.orgs import access
from gongzhi.orgs.imports.export import export
from gongzhi.orgs.imports.report import ImportReport
from gongzhi.orgs.imports.run import run_import, size_error
from gongzhi.orgs.imports.templates import TEMPLATES
from gongzhi.orgs.imports.workbook import workbook_bytes
from gongzhi.web.http import not_found, page, require_power

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_LABELS = {
    "tree": _("辖区"),
    "units": _("单位"),
    "people": _("人员"),
    "posts": _("三定岗位"),
    "calendar": _("工作日历"),
}


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入类型"), choices=list(KIND_LABELS.items()))
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        error_messages={"required": _("请选择要上传的文件")},
    )
    dry_run = forms.BooleanField(label=_("只检查，不写入"), required=False)


def _index(request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
    user = request.user
    context = {
        "form": form,
        "kinds": list(KIND_LABELS.items()),
        "can_import": access.has_power(user, access.IMPORT),
        "can_export": access.has_power(user, access.EXPORT),
        "max_mb": settings.IMPORT_MAX_BYTES / 1048576,
    }
    return render(request, "web/roster/imports/index.html", context, status=status)


@page
@require_GET
def imports(request: HttpRequest) -> HttpResponse:
    if not (access.has_power(request.user, access.IMPORT) or access.has_power(request.user, access.EXPORT)):
        raise PermissionDenied
    return _index(request, UploadForm())


@page
@require_POST
def import_upload(request: HttpRequest) -> HttpResponse:
    require_power(request, access.IMPORT)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _index(request, form, status=400)
    kind, upload = form.cleaned_data["kind"], form.cleaned_data["file"]
    report = ImportReport(kind=kind, dry_run=form.cleaned_data["dry_run"])
    too_big = size_error(upload.size or 0)  # refused before a byte of it is read
    if too_big:
        report.add("", None, "", too_big)
    else:
        report = run_import(
            kind=kind, data=upload.read(), actor=request.user, scope_user=request.user, dry_run=report.dry_run
        )
    context = {"report": report, "kind_label": KIND_LABELS[kind], "file_name": upload.name}
    return render(request, "web/roster/imports/report.html", context, status=200 if report.ok else 422)


@page
@require_GET
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    require_power(request, access.IMPORT)
    if kind not in TEMPLATES:
        raise not_found()
    return _xlsx(workbook_bytes(TEMPLATES[kind]), f"gongzhi-{kind}-template.xlsx")


@page
@require_GET
def import_export(request: HttpRequest, kind: str) -> HttpResponse:
    require_power(request, access.EXPORT)
    if kind not in TEMPLATES:
        raise not_found()
    out = BytesIO()
    export(kind, request.user, out)
    return _xlsx(out.getvalue(), f"gongzhi-{kind}-{clock.today():%Y%m%d}.xlsx")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

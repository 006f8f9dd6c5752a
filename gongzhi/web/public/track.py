"""The tracking page (进度查询, no login): a reporter follows their case by its number and the
code the thank-you page showed them, or by the signed link an SMS carried (docs/tracking.md).

The number and code are posted, never put in a URL; the answer is rendered in place (and not
cached). Each wrong pair spends the address's and the case number's budget ("track-ip",
"track-number"): past either, the page answers 429 until it recovers, so a code cannot be
guessed from one address, nor one case's code from many. What shows is `cases.progress`:
public steps, scrubbed texts, photos after handling through short-lived signed links.
"""

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.cases import callback, progress, tracking
from gongzhi.cases.models import Case
from gongzhi.core import limits
from gongzhi.web.cases.files import file_response
from gongzhi.web.http import not_found
from gongzhi.web.public.cases import area_names, photo_links


class TrackForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("工单编号"),
        max_length=30,
        error_messages={"required": gettext_lazy("请填写工单编号")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    code = forms.CharField(
        label=gettext_lazy("查询码"),
        max_length=20,
        error_messages={"required": gettext_lazy("请填写查询码")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


def _subjects(request: HttpRequest, number: str) -> list[tuple[str, str]]:
    return [("track-ip", limits.client_ip(request)), ("track-number", number)]


def _wait_minutes(request: HttpRequest, number: str) -> int:
    """Minutes until every budget allows another try; 0 when none is spent."""
    verdicts = [limits.peek(name, subject) for name, subject in _subjects(request, number)]
    waits = [v.retry_after for v in verdicts if not v.allowed]
    return max(1, -(-max(waits) // 60)) if waits else 0


def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    status, wait = 200, 0
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["number"].strip()
        wait = _wait_minutes(request, number)
        case = None if wait else tracking.find(number, form.cleaned_data["code"])
        if case is not None:
            return progress_response(request, case)
        if wait:
            status = 429
        else:
            for name, subject in _subjects(request, number):
                limits.hit(name, subject)
            form.add_error(None, _("工单编号或查询码不对，请核对后再试"))
            status = 400
    elif request.method == "POST":
        status = 400
    response = render(request, "web/public/track.html", {"form": form, "wait": wait}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def track_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the reporter's SMS: signed, expiring, no code needed."""
    case = tracking.case_for_link(token)
    if case is None:
        context = {"form": TrackForm(), "link_invalid": True}
        return render(request, "web/public/track.html", context, status=404)
    return progress_response(request, case)


def progress_response(request: HttpRequest, case: Case) -> HttpResponse:
    response = render(request, "web/public/track.html", {"form": None, **progress_context(case)})
    response["Cache-Control"] = "no-store"
    return response


def progress_context(case: Case) -> dict[str, Any]:
    found = progress.progress_of(case)
    rate_url = reverse("web:callback", args=[callback.callback_token(case)]) if found.rateable else ""
    return {
        "progress": found,
        "area": area_names([case.node_path])[case.node_path],
        "photos": photo_links(found.photos),
        "rate_url": rate_url,
    }


def track_photo(request: HttpRequest, token: str) -> HttpResponseBase:
    """A photo after handling, through the signed link a tracking or rating page gave out
    (a day long); only its thumbnail, as on the public board."""
    found = tracking.attachment_for_photo(token)
    if found is None:
        raise not_found()
    return file_response(found, thumb=True)

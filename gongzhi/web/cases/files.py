"""A case's photos as files: the scoped download for staff, and the one file answer the public
pages (the closed-case list, tracking) share."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponseBase,
)

from gongzhi.cases import selectors as case_selectors
from gongzhi.web.http import not_found, valid_id


@login_required  # a file, not a page: no domain errors to turn into pages
def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A case photo for someone who may see its case; ?thumb=1 for the small JPEG."""
    found = case_selectors.attachment_get(user=request.user, pk=pk) if valid_id(pk) else None
    if found is None:
        raise not_found()
    return file_response(found, thumb=request.GET.get("thumb") == "1")


def file_response(found: Any, *, thumb: bool) -> HttpResponseBase:
    stored = found.thumbnail if thumb and found.thumbnail else found.file
    content_type = "image/jpeg" if stored is found.thumbnail else found.content_type
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError):
        raise not_found() from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response

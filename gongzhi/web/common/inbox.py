"""站内消息: the user's inbox. Each message opens the record it is about and is then read.

The outbox delivers into `notify.InboxItem` (docs/notifications.md); these pages only read and
mark the user's own items, through the notify selectors and services.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gongzhi.notify import selectors, services
from gongzhi.web.http import not_found

PAGE_SIZE = 20


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    items = selectors.inbox(user=request.user, unread_only=unread_only)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/common/inbox.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": selectors.inbox_unread_count(user=request.user),
            "extra": "unread=1" if unread_only else "",
        },
    )


@login_required
def inbox_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a message's record and mark it read (only the user's own: another's id is a 404)."""
    item = selectors.inbox(user=request.user).filter(pk=pk).first()
    if item is None:
        raise not_found()
    services.inbox_mark_read(user=request.user, ids=[item.pk])
    # Links are written by our own services, but never follow one off the site.
    if item.link and url_has_allowed_host_and_scheme(item.link, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(item.link)
    return redirect("web:inbox")


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    services.inbox_mark_read(user=request.user)
    return redirect("web:inbox")

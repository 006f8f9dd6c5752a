from django.urls import path

from gongzhi.web.common import audit, auth, home, inbox

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/<int:pk>/", inbox.inbox_open, name="inbox_open"),
    path("inbox/read-all/", inbox.inbox_read_all, name="inbox_read_all"),
    path("audit/pii/", audit.audit_pii, name="audit_pii"),
    path("audit/pii/export.xlsx", audit.audit_pii_export, name="audit_pii_export"),
]

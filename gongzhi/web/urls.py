from django.urls import path

from gongzhi.web import (
    audit,
    auth,
    case_actions,
    case_map,
    cases_views,
    imports,
    people,
    public,
    report,
    reveal,
    roster,
    tree,
    views,
)

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
    path("tree/", tree.tree, name="tree"),
    path("tree/<str:code>/", tree.tree_node, name="tree_node"),
    path("tree/<str:code>/children/", tree.tree_children, name="tree_children"),
    path("tree/<str:code>/geojson", tree.tree_geojson, name="tree_geojson"),
    path("roster/<str:code>/", roster.roster, name="roster"),
    path("people/", people.people, name="people"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/reveal/", reveal.reveal, name="person_reveal"),
    path("audit/pii/", audit.audit_pii, name="audit_pii"),
    path("audit/pii/export.xlsx", audit.audit_pii_export, name="audit_pii_export"),
    path("imports/", imports.imports, name="imports"),
    path("imports/upload/", imports.import_upload, name="import_upload"),
    path("imports/<str:kind>/template.xlsx", imports.import_template, name="import_template"),
    path("imports/<str:kind>/export.xlsx", imports.import_export, name="import_export"),
    # cases (工单): intake
    path("report/", report.report, name="report"),
    path("report/done/", report.report_done, name="report_done"),
    path("report/buildings/", report.report_buildings, name="report_buildings"),
    path("report/places.geojson", report.report_places, name="report_places"),
    path("patrol/", report.patrol, name="patrol"),
    # cases: lists, detail, actions, map
    path("cases/", cases_views.case_list, name="case_list"),
    path("cases/queue/", cases_views.queue, name="case_queue"),
    path("cases/queue/count/", cases_views.queue_count, name="case_queue_count"),
    path("cases/mine/", cases_views.mine, name="case_mine"),
    path("cases/overdue/", cases_views.overdue, name="case_overdue"),
    path("cases/map/", case_map.case_map, name="case_map"),
    path("cases/map/data.json", case_map.case_map_data, name="case_map_data"),
    path("cases/attachments/<int:pk>/", cases_views.attachment, name="case_attachment"),
    path("cases/<int:pk>/", case_actions.case_detail, name="case_detail"),
    path("cases/<int:pk>/act/", case_actions.case_act, name="case_act"),
    # without login: the callback link and the public board
    path("callback/<str:token>/", public.callback_page, name="callback"),
    path("public/cases/", public.public_cases, name="public_cases"),
    path("public/cases/photos/<int:pk>/", public.public_photo, name="public_photo"),
]

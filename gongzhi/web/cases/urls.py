from django.urls import path

from gongzhi.web.cases import act, contact, detail, exports, files, hotline, lists, map, report, suggest

urlpatterns = [
    # intake
    path("report/", report.report, name="report"),
    path("report/done/", report.report_done, name="report_done"),
    path("report/buildings/", report.report_buildings, name="report_buildings"),
    path("report/suggest/", suggest.report_suggest, name="report_suggest"),
    path("report/places.geojson", report.report_places, name="report_places"),
    path("patrol/", report.patrol, name="patrol"),
    # lists, detail, actions, map
    path("cases/", lists.case_list, name="case_list"),
    path("cases/queue/", lists.queue, name="case_queue"),
    path("cases/queue/count/", lists.queue_count, name="case_queue_count"),
    path("cases/mine/", lists.mine, name="case_mine"),
    path("cases/overdue/", lists.overdue, name="case_overdue"),
    path("cases/map/", map.case_map, name="case_map"),
    path("cases/map/data.json", map.case_map_data, name="case_map_data"),
    # 12345 hotline bulk import (street dispatchers)
    path("cases/hotline/", hotline.hotline_import, name="hotline_import"),
    path("cases/hotline/template.xlsx", hotline.hotline_template, name="hotline_template"),
    path("cases/attachments/<int:pk>/", files.attachment, name="case_attachment"),
    path("cases/<int:pk>/", detail.case_detail, name="case_detail"),
    path("cases/<int:pk>/act/", act.case_act, name="case_act"),
    path("cases/<int:pk>/contact/", contact.case_contact, name="case_contact_reveal"),
    # exports of the lists (docs/exports.md): <fmt> is csv (streamed) or xlsx (capped)
    path("cases/export.<str:fmt>", exports.case_list_export, name="case_list_export"),
    path("cases/queue/export.<str:fmt>", exports.queue_export, name="case_queue_export"),
    path("cases/mine/export.<str:fmt>", exports.mine_export, name="case_mine_export"),
    path("cases/overdue/export.<str:fmt>", exports.overdue_export, name="case_overdue_export"),
]

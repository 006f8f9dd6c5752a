from django.urls import path

from gongzhi.web.roster import exports, imports, people, reveal, roster, routing, tree

urlpatterns = [
    path("tree/", tree.tree, name="tree"),
    path("tree/<str:code>/", tree.tree_node, name="tree_node"),
    path("tree/<str:code>/children/", tree.tree_children, name="tree_children"),
    path("tree/<str:code>/geojson", tree.tree_geojson, name="tree_geojson"),
    path("roster/<str:code>/", roster.roster, name="roster"),
    path("routing/", routing.routing_coverage, name="routing_coverage"),
    path("people/", people.people, name="people"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/reveal/", reveal.reveal, name="person_reveal"),
    path("imports/", imports.imports, name="imports"),
    path("imports/upload/", imports.import_upload, name="import_upload"),
    path("imports/<str:kind>/template.xlsx", imports.import_template, name="import_template"),
    path("imports/<str:kind>/export.xlsx", imports.import_export, name="import_export"),
    path("people/export.<str:fmt>", exports.people_export, name="people_export"),
    path("roster/<str:code>/export.<str:fmt>", exports.roster_export, name="roster_export"),
]

from django.urls import path

from gongzhi.web.community import lists, projects

# 共建 (docs/community.md): the three lists, projects and pledges, 定点联系
urlpatterns = [
    path("community/", lists.home, name="community_home"),
    path("community/needs/new/", lists.need_new, name="community_need_new"),
    path("community/needs/<int:pk>/", lists.need_detail, name="community_need"),
    path("community/needs/<int:pk>/match/", lists.need_match, name="community_need_match"),
    path("community/resources/new/", lists.resource_new, name="community_resource_new"),
    path("community/projects/new/", projects.project_new, name="community_project_new"),
    path("community/projects/<int:pk>/", projects.project_detail, name="community_project"),
    path("community/projects/<int:pk>/act/", projects.project_act, name="community_project_act"),
    path("community/contacts/", projects.contact_pairs, name="community_contacts"),
    path("community/<str:kind>/export.<str:fmt>", lists.export, name="community_export"),
    path("community/import/", lists.import_upload, name="community_import"),
    path("community/import/<str:kind>/template.xlsx", lists.import_template, name="community_template"),
]

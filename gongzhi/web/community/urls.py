from django.urls import path

from gongzhi.web.community import ledger, lists, projects, registrations, rules, volunteers

# 共建 (docs/community.md): the three lists, projects and pledges, 定点联系
urlpatterns = [
    path("community/", lists.home, name="community_home"),
    # 双报到 and the points ledger
    path("community/ledger/", ledger.community_home, name="community_ledger"),
    path("community/apply/", registrations.community_apply, name="community_apply"),
    path("community/queue/", registrations.community_queue, name="community_queue"),
    path("community/registrations/<int:pk>/decide/", registrations.community_decide, name="community_decide"),
    path("community/members/<int:pk>/", ledger.community_member, name="community_member"),
    path("community/members/<int:pk>/claim/", ledger.community_claim, name="community_claim"),
    path("community/members/<int:pk>/letter.docx", ledger.community_letter, name="community_letter"),
    path("community/branch/", ledger.community_branch, name="community_branch"),
    path("community/approvals/", ledger.community_approvals, name="community_approvals"),
    path("community/claims/<int:pk>/decide/", ledger.community_claim_decide, name="community_claim_decide"),
    path("community/entries/<int:pk>/appeal/", ledger.community_appeal, name="community_appeal"),
    path(
        "community/appeals/<int:pk>/decide/", ledger.community_appeal_decide, name="community_appeal_decide"
    ),
    # volunteers: register, my time bank, the open tasks to accept (docs/mobilisation.md)
    path("community/volunteer/", volunteers.community_volunteer, name="community_volunteer"),
    path("community/volunteer/edit/", volunteers.community_volunteer_edit, name="community_volunteer_edit"),
    path(
        "community/volunteer/tasks/<int:pk>/accept/",
        volunteers.community_task_accept,
        name="community_task_accept",
    ),
    # the street's points rules in Excel (before the lists' <kind>/export pattern)
    path("community/rules/", rules.rules_page, name="community_rules"),
    path("community/rules/export.xlsx", rules.rules_export, name="community_rules_export"),
    path("community/rules/template.xlsx", rules.rules_template, name="community_rules_template"),
    # the three lists, projects and pledges, 定点联系
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

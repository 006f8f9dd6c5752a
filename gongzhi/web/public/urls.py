from django.urls import path

from gongzhi.web.public import board, callback, cases, community, decisions, exports, track

# without login: the callback link, tracking and the public board
urlpatterns = [
    path("public/decisions/", decisions.public_decisions, name="public_decisions"),
    path("callback/<str:token>/", callback.callback_page, name="callback"),
    path("track/", track.track, name="track"),
    path("track/t/<str:token>/", track.track_link, name="track_link"),
    path("track/photos/<str:token>/", track.track_photo, name="track_photo"),
    path("public/", board.board, name="public_board"),
    path("public/community/", community.board, name="public_community"),
    path("public/community/projects/<int:pk>/", community.project_page, name="public_community_project"),
    path(
        "public/community/projects/<int:pk>/evaluate/",
        community.project_evaluate,
        name="public_community_evaluate",
    ),
    path("public/disclosures/", board.disclosures, name="public_disclosures"),
    path("public/cases/", cases.public_cases, name="public_cases"),
    path("public/cases/photos/<int:pk>/", cases.public_photo, name="public_photo"),
    path("public/cases/export.<str:fmt>", exports.public_cases_export, name="public_cases_export"),
]

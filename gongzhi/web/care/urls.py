from django.urls import path

from gongzhi.web.care import board, subjects, views

urlpatterns = [
    path("care/", views.care_home, name="care_home"),
    path("care/subjects/<int:pk>/", views.care_subject, name="care_subject"),
    path("care/subjects/<int:pk>/visit/", views.care_visit, name="care_visit"),
    path("care/alerts/<int:pk>/ack/", views.care_ack, name="care_ack"),
    path("care/alerts/<int:pk>/outcome/", views.care_outcome, name="care_outcome"),
    path("care/board/", board.care_board, name="care_board"),
    path("care/board/map.json", board.care_board_map, name="care_board_map"),
    path("care/enrol/", subjects.care_enrol, name="care_enrol"),
    path("care/enrol/<int:pk>/", subjects.care_enrol_person, name="care_enrol_person"),
    path("care/subjects/<int:pk>/consent/", subjects.care_consent, name="care_consent"),
    path(
        "care/subjects/<int:pk>/consent/withdraw/",
        subjects.care_consent_withdraw,
        name="care_consent_withdraw",
    ),
    path("care/consents/<int:pk>/form/", subjects.care_consent_form, name="care_consent_form"),
    path("care/subjects/<int:pk>/devices/", subjects.care_device_bind, name="care_device_bind"),
    path("care/subjects/<int:pk>/away/", subjects.care_away, name="care_away"),
    path("care/away/<int:pk>/end/", subjects.care_away_end, name="care_away_end"),
    path("care/subjects/<int:pk>/contacts/", subjects.care_contacts, name="care_contacts"),
    path("care/contacts/<int:pk>/reveal/", subjects.care_contact_reveal, name="care_contact_reveal"),
]

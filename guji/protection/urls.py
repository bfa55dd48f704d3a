from django.urls import path

from guji.protection import views

app_name = "protection"

urlpatterns = [
    path("holdings/<int:pk>/grade/", views.holding_grade, name="holding_grade"),
    path("holdings/<int:pk>/apply/", views.application_create, name="application_create"),
    path("proposals/", views.proposal_list, name="proposal_list"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("institutions/<int:pk>/grades/", views.bulk_grades, name="bulk_grades"),
    path("lists/", views.list_index, name="list_index"),
    path("lists/<int:pk>/", views.list_detail, name="list_detail"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/dossier.pdf", views.application_pdf, name="application_pdf"),
    path("applications/photos/<int:pk>/", views.application_photo, name="application_photo"),
    path("key-units/", views.keyunit_list, name="keyunit_list"),
    path("key-units/new/", views.keyunit_create, name="keyunit_create"),
    path("key-units/<int:pk>/", views.keyunit_detail, name="keyunit_detail"),
    path("key-units/evidence/<int:pk>/", views.keyunit_evidence, name="keyunit_evidence"),
    path("statistics/", views.statistics_view, name="statistics"),
    path("statistics.xlsx", views.statistics_export, name="statistics_export"),
]

from django.urls import path

from conservation import views

app_name = "conservation"
urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("queue/", views.queue_page, name="queue"),
    path("holdings/<int:pk>/request/", views.request_repair, name="request_repair"),
    path("holdings/<int:pk>/assess/", views.assess, name="assess"),
    path("holdings/<int:pk>/plan/", views.plan_create, name="plan_create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="plan_approve"),
    path("plans/<int:pk>/log/", views.log_add, name="log_add"),
    path("plans/<int:pk>/finish/", views.plan_finish, name="plan_finish"),
    path("plans/<int:pk>/accept/", views.accept, name="accept"),
    path("materials/", views.batch_list, name="batch_list"),
    path("materials/new/", views.batch_edit, name="batch_create"),
    path("materials/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("materials/<int:pk>/edit/", views.batch_edit, name="batch_edit"),
    path("workload/", views.workload_page, name="workload"),
    path("workload.xlsx", views.workload_xlsx, name="workload_xlsx"),
]
urlpatterns += [
    path("plans/<int:pk>/photographs/", views.image_upload, name="image_upload"),
    path("plans/<int:pk>/compare/", views.compare, name="compare"),
    path("plans/<int:pk>/archive/", views.archive, name="archive"),
    path("photographs/<int:pk>/<str:variant>/", views.image_file, name="image"),
    path("archives/<int:pk>/status/", views.archive_status, name="archive_status"),
    path("archives/<int:pk>/download/", views.archive_download, name="archive_download"),
]

from django.urls import path

from guji.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/status/", views.report_status, name="status"),
    path("<int:pk>/compile/", views.report_compile, name="compile"),
    path("<int:pk>/submit/", views.report_submit, name="submit"),
    path("<int:pk>/report.pdf", views.report_file, {"kind": "pdf"}, name="pdf"),
    path("<int:pk>/report.xlsx", views.report_file, {"kind": "xlsx"}, name="xlsx"),
]

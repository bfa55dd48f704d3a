from django.urls import path

from census import views_imports as views

urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/template.xlsx", views.import_template, name="import_template"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/status/", views.import_status, name="import_status"),
    path("imports/<int:pk>/run/", views.import_run, name="import_run"),
]

from django.urls import path

from census import views_exports as views

urlpatterns = [
    path("holdings/<int:pk>/photos/", views.photo_upload, name="photo_upload"),
    path("photos/<int:pk>/delete/", views.photo_delete, name="photo_delete"),
    path("photos/<int:pk>/<slug:variant>/", views.photo, name="photo"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<int:pk>/", views.catalogue_job, name="catalogue_job"),
    path("catalogue/<int:pk>/download/", views.catalogue_download, name="catalogue_download"),
]

from django.urls import path

from guji.exchange import views

app_name = "exchange"
urlpatterns = [
    path("oai/", views.oai_pmh, name="oai"),
    path("holdings/export/<str:fmt>/", views.list_export, name="list_export"),
    path("holdings/<int:pk>/export/<str:fmt>/", views.holding_export, name="holding_export"),
    path("holdings/<int:pk>/iiif/<slug:key>/manifest.json", views.manifest, name="manifest"),
    path("holdings/<int:pk>/viewer/", views.viewer, name="viewer"),
]

from django.urls import path

from environment import api, views

app_name = "environment"
urlpatterns = [
    path("rooms/", views.room_list, name="room_list"),
    path("rooms/new/", views.room_create, name="room_create"),
    path("rooms/<int:pk>/", views.room_detail, name="room_detail"),
    path("rooms/<int:pk>/sensors/new/", views.sensor_create, name="sensor_create"),
    path("rooms/<int:pk>/data/", views.room_data, name="room_data"),
    path("rooms/<int:pk>/excursions/", views.room_excursions, name="room_excursions"),
    path("rooms/<int:pk>/thresholds/", views.room_thresholds, name="room_thresholds"),
    path("rooms/<int:pk>/assign/", views.room_assign, name="room_assign"),
    path("excursions/", views.excursion_list, name="excursion_list"),
    path(
        "excursions/<int:pk>/acknowledge/",
        views.excursion_acknowledge,
        name="excursion_acknowledge",
    ),
    path("compliance/", views.compliance, name="compliance"),
    path("shanben-at-risk/", views.shanben_at_risk, name="shanben_at_risk"),
    path("sensors/<int:pk>/upload/", views.sensor_upload, name="sensor_upload"),
    path("sensors/<int:pk>/token/", views.sensor_token, name="sensor_token"),
    path("uploads/<int:pk>/", views.upload_detail, name="upload_detail"),
    path("uploads/<int:pk>/status/", views.upload_status, name="upload_status"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("api/sensors/<slug:code>/readings/", api.ingest_readings, name="api_ingest"),
]

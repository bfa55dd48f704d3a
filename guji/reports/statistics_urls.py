from django.urls import path

from guji.reports import statistics

app_name = "statistics"
urlpatterns = [
    path("", statistics.statistics_index, name="index"),
]

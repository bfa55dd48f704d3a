from django.urls import path

from environment.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("new/", views.inspection_create, name="inspection_create"),
    path("<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("actions/<int:pk>/close/", views.action_close, name="action_close"),
    path("photos/<int:pk>/", views.inspection_photo, name="inspection_photo"),
]

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from guji import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution_detail"),
    path("holdings/", views.holding_list, name="holding_list"),
    path("holdings/new/", views.holding_create, name="holding_create"),
    path("holdings/<int:pk>/", views.holding_detail, name="holding_detail"),
    path("holdings/<int:pk>/edit/", views.holding_edit, name="holding_edit"),
    path("holdings/<int:pk>/timeline/", views.holding_timeline, name="holding_timeline"),
    path("census/", include("census.urls")),
    path("admin/", admin.site.urls),
]


from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from guji import accounts, registry, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("lockouts/", accounts.lockout_list, name="lockout_list"),
    path("lockouts/lift/", accounts.lockout_lift, name="lockout_lift"),
    # The login page offers the language switch, so strangers must be able to use it.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution_detail"),
    path("holdings/", views.holding_list, name="holding_list"),
    path("holdings/new/", views.holding_create, name="holding_create"),
    path("holdings/<int:pk>/", views.holding_detail, name="holding_detail"),
    path("holdings/<int:pk>/edit/", views.holding_edit, name="holding_edit"),
    path("holdings/<int:pk>/timeline/", views.holding_timeline, name="holding_timeline"),
    path("admin/", admin.site.urls),
    # Each app's pages, mounted where it asked in AppConfig.ready() (guji.registry).
    *[path(prefix, include(module)) for prefix, module in registry.url_includes()],
]

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from guji import accounts, institution_views, list_views, registry, views
from guji.api import urls as api_urls

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
    path("help/", views.help_page, name="help"),
    path("inbox/", list_views.inbox, name="inbox"),
    path("inbox/read/", list_views.inbox_read, name="inbox_read"),
    path("inbox/<int:pk>/", list_views.inbox_open, name="inbox_open"),
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution_detail"),
    path(
        "institutions/<int:pk>/edit/", institution_views.institution_edit, name="institution_edit"
    ),
    path(
        "institutions/<int:pk>/cataloguers/",
        institution_views.cataloguer_grant,
        name="cataloguer_grant",
    ),
    path(
        "institutions/<int:pk>/cataloguers/<int:assignment>/revoke/",
        institution_views.cataloguer_revoke,
        name="cataloguer_revoke",
    ),
    path("holdings/", views.holding_list, name="holding_list"),
    path("holdings/new/", views.holding_create, name="holding_create"),
    path("holdings/bulk/", list_views.holding_bulk, name="holding_bulk"),
    path("holdings/export/", list_views.holding_export, name="holding_export"),
    path("holdings/exports/<int:pk>/", list_views.holding_export_job, name="holding_export_job"),
    path(
        "holdings/exports/<int:pk>/download/",
        list_views.holding_export_download,
        name="holding_export_download",
    ),
    path(
        "holdings/exports/<int:pk>/retry/",
        list_views.holding_export_retry,
        name="holding_export_retry",
    ),
    path("searches/", list_views.saved_search_create, name="saved_search_create"),
    path("searches/<int:pk>/delete/", list_views.saved_search_delete, name="saved_search_delete"),
    path("holdings/<int:pk>/", views.holding_detail, name="holding_detail"),
    path("holdings/<int:pk>/edit/", views.holding_edit, name="holding_edit"),
    path("holdings/<int:pk>/timeline/", views.holding_timeline, name="holding_timeline"),
    path("holdings/<int:pk>/print/", views.holding_print, name="holding_print"),
    path("holdings/<int:pk>/delete/", views.holding_delete, name="holding_delete"),
    path("holdings/deleted/", views.deleted_list, name="deleted_list"),
    path(
        "holdings/deleted/<int:history_id>/restore/",
        views.holding_restore,
        name="holding_restore",
    ),
    path("admin/", admin.site.urls),
    # The read API (token or session) and the page where users manage their API tokens.
    path("api/v1/", include((api_urls.api_patterns, "api"))),
    path("api/tokens/", include((api_urls.token_patterns, "guji_api"))),
    # Each app's pages, mounted where it asked in AppConfig.ready() (guji.registry).
    *[path(prefix, include(module)) for prefix, module in registry.url_includes()],
]

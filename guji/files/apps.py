from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    """Installed so that Django finds this package's own translation catalogue (locale/)."""

    name = "guji.files"
    label = "guji_files"
    verbose_name = _("Files and background jobs")

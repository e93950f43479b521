from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = _("Goals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from goals import integrity, quality  # noqa: F401  (registers the goals app's own quality checks)

        integrity.register()

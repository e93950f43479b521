from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = _("Goals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from goals import integrity, merging, quality  # noqa: F401  (quality registers the goals app's own checks)

        integrity.register()
        merging.register()  # one current strategy per term when organisations merge

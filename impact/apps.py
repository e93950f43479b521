from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    name = "impact"
    verbose_name = _("International activity")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from impact import merging
        from impact.goal_panels import register

        register()

        from impact import integrity

        integrity.register()
        merging.register()  # the successor keeps its follow-up rule when organisations merge

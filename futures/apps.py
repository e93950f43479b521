from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FuturesConfig(AppConfig):
    name = "futures"
    verbose_name = _("Futures")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from futures.goal_panels import register

        register()

        from futures import integrity

        integrity.register()

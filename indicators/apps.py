from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from indicators import integrity

        integrity.register()
        from indicators import merging

        merging.register()  # keeps duplicate indicators apart when organisations merge

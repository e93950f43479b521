from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from organisations import signals  # noqa: F401  (connects the sign-in receivers)
        from organisations.archive import Part, register_part
        from organisations.models import Membership

        register_part(
            Part("members", lambda org: Membership.objects.filter(organisation=org).order_by("pk"), 10)
        )

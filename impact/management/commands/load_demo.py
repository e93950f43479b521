"""Load the fictional demo (Kaarnala, Naapurila, Järvi-Pohjola). Never in production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from organisations.demo import DEMO_PASSWORD, load_demo_organisations
from organisations.registry import load_registry


class Command(BaseCommand):
    help = "Load the fictional demo organisations and sign-ins (refuses unless DEMO_DATA_ALLOWED)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is not allowed here (set DEMO_DATA_ALLOWED=1 outside production).")
        load_registry()
        usernames = load_demo_organisations()
        self.stdout.write(f"Demo sign-ins (password {DEMO_PASSWORD}):")
        for username in usernames:
            self.stdout.write(f"  {username}")

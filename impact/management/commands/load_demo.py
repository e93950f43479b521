"""Load the fictional demo (Kaarnala, Naapurila, the peers 990-997, Järvi-Pohjola). Never in production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from futures.demo import load_demo_futures
from futures.seed import load_megatrends
from goals.demo import load_demo_goals
from impact.demo import load_demo_activities
from indicators.demo import load_demo_indicators
from indicators.library import load_indicator_library
from indicators.national_demo import load_demo_national
from organisations.demo import DEMO_PASSWORD, load_demo_organisations
from organisations.registry import load_registry


class Command(BaseCommand):
    help = "Load the fictional demo organisations, sign-ins and data (refuses unless DEMO_DATA_ALLOWED)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is not allowed here (set DEMO_DATA_ALLOWED=1 outside production).")
        with transaction.atomic():
            # Shared libraries first, then each layer's demo on top of the one below (all idempotent).
            load_registry()
            load_indicator_library()
            load_megatrends()
            usernames = load_demo_organisations()
            load_demo_indicators()
            load_demo_national()
            load_demo_goals()
            load_demo_activities()
            load_demo_futures()
        self.stdout.write(f"Demo sign-ins (password {DEMO_PASSWORD}):")
        for username in usernames:
            self.stdout.write(f"  {username}")

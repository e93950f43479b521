"""manage.py erase_person <username|email>: anonymise a person (GDPR), keeping the audit history whole."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from organisations.gdpr import erase_person, find_person


class Command(BaseCommand):
    help = "Erase a person: replace their name, email and username, remove their memberships, end sessions."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("identifier", help="username or email address")

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_person(options["identifier"])
        if user is None:
            raise CommandError("no such person")
        erase_person(user)
        self.stdout.write(f"erased user {user.pk}")

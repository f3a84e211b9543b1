"""Invite someone: create the account, add organizations and roles, email a set-password link.

python manage.py invite_user ana@example.org --organization mfa-asia --role reporter [--language fr]
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from recommendations import services
from recommendations.models import Actor


class Command(BaseCommand):
    help = "Invite a user by email (there is no open sign-up)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument("--organization", action="append", default=[], help="Organization code (repeatable).")
        parser.add_argument("--role", action="append", default=[], choices=sorted(services.ROLES))
        parser.add_argument("--base-url", default=None, help="Address of the site, for the link (default SITE_URL).")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="The invitee's language: the email's and the set-password page's (default English).",
        )

    def handle(self, *args, email, name, organization, role, base_url, language, **options):
        organizations, missing = Actor.objects.organizations().with_codes(organization)
        if missing:
            raise CommandError(f"No organization with code {missing[0]!r}. Create it in the admin first.")
        try:
            user, link = services.invite_user(
                email=email,
                name=name,
                organizations=organizations,
                roles=role,
                base_url=base_url,
                language=language,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Invited {user.email}; the set-password link was emailed:\n{link}")
        if base_url is None:
            self.stdout.write(
                f"The link starts with SITE_URL ({settings.SITE_URL}); if the tracker is served at another address, "
                "set SITE_URL (or pass --base-url) and invite again."
            )

"""Create the first administrator with a generated password, once.

`make run` calls this on every start. The first time it creates the user
and prints the password (the only time it is ever shown: only its hash is
stored); afterwards it just says the administrator exists.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create an administrator with a generated password if there is none, and print the login details."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@localhost")
        parser.add_argument("--url", default="http://127.0.0.1:8000/admin/", help="Where to log in (printed).")

    def handle(self, *args, username, email, url, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            names = ", ".join(User.objects.filter(is_superuser=True).values_list("username", flat=True)[:3])
            self.stdout.write(
                f"Administrator already exists ({names}). Log in at {url} — "
                f"forgot the password? `python manage.py changepassword {names.split(',')[0]}`"
            )
            return
        password = secrets.token_urlsafe(15)
        User.objects.create_superuser(username=username, email=email, password=password)
        bar = "=" * 64
        self.stdout.write(
            f"\n{bar}\nFirst run: an administrator was created.\n"
            f"  Log in at: {url}\n  Username:  {username}\n  Password:  {password}\n"
            f"Write the password down now: it is not stored anywhere and will not be shown again.\n{bar}\n"
        )

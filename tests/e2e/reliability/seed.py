"""Create the reliability database: tables, users and starting rows (``python -m``).

Prints the ids the tests need as JSON on stdout.
"""

from __future__ import annotations

import json
import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.e2e.reliability.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Permission, User
    from django.core.management import call_command

    from tests.e2e.reliability.relapp.models import Category, Item, Note

    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    admin = User.objects.create_superuser("admin", "a@example.com", "pw", is_staff=True)
    alice = User.objects.create_user("alice", password="pw")
    bob = User.objects.create_user("bob", password="pw")
    writer = User.objects.create_user("writer", password="pw")
    writer.user_permissions.add(Permission.objects.get(codename="add_item"))
    inactive = User.objects.create_user("ghost", password="pw", is_active=False)
    doomed = User.objects.create_user("doomed", password="pw")
    fading = User.objects.create_user("fading", password="pw")
    category = Category.objects.create(name="tools")
    item = Item.objects.create(name="hammer", qty=0, category=category)
    note = Note.objects.create(owner=bob, text="bob's secret note")
    print(
        json.dumps(
            {
                "admin": admin.pk,
                "alice": alice.pk,
                "bob": bob.pk,
                "writer": writer.pk,
                "inactive": inactive.pk,
                "doomed": doomed.pk,
                "fading": fading.pk,
                "category": category.pk,
                "item": item.pk,
                "bob_note": note.pk,
            }
        )
    )


if __name__ == "__main__":
    main()

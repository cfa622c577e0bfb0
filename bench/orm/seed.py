"""Create the ORM section's SQLite database with ``ROWS`` articles (run in a subprocess)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

ROWS = 20


def title(pk: int) -> str:
    return f"Article {pk}"


def expected_detail(pk: int) -> Any:
    """A check of the detail answer that holds for every framework's datetime format."""
    return lambda body: (
        isinstance(body, dict) and body.get("id") == pk and body.get("title") == title(pk)
    )


def expected_list(body: Any) -> bool:
    return isinstance(body, list) and len(body) == ROWS and body[0].get("title") == title(1)


def seed() -> None:
    from bench.runner import ROOT, base_env

    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    env = base_env({"DJANGO_SETTINGS_MODULE": "bench.orm.settings"})
    subprocess.run([sys.executable, "-m", "bench.orm.seed"], cwd=ROOT, env=env, check=True)


def _main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from bench.orm.models import Article

    call_command("migrate", run_syncdb=True, verbosity=0)
    Article.objects.all().delete()
    Article.objects.bulk_create(
        Article(
            id=pk,
            title=title(pk),
            content="Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 4,
            author=f"author{pk % 5}",
        )
        for pk in range(1, ROWS + 1)
    )


if __name__ == "__main__":
    _main()

"""django-bolt's ``Serializer`` on the serializers bench's body, timed in its own interpreter.

django-bolt needs Python >= 3.12 and Bolt's virtualenv is 3.11, so ``bench/serializers.py``
starts this script with the interpreter given to ``bench/run.py --django-bolt-python`` and
keeps it running for the whole section: the script builds the case, checks its answer, prints
one JSON line (``{"ready": ..., "version": ...}``), then for each line it reads (a number of
seconds) runs the body that long and prints ``{"us": <µs per body>}``. So django-bolt takes
its turn in the same rotating rounds as the in-process libraries, and the pipe costs nothing
inside the timed loop.

The work mirrors what a django-bolt endpoint ``def create(data: list[Book]) -> list[Book]``
does with the body: decode and validate it with the cached ``msgspec.json.Decoder`` the
request path uses (``get_msgspec_decoder``; the field validator runs in ``__post_init__``),
then ``Book.dump_many`` (the documented batch dump, which adds the computed field and is a
little faster than the route's ``[item.dump() for item in items]``) and django-bolt's
``_json.encode``.
"""

# No ``from __future__ import annotations``: msgspec resolves the nested classes' annotations.
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import msgspec

from bench.serializers import _check, _clean_title, body


def django_bolt_case() -> Callable[[bytes], bytes]:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(INSTALLED_APPS=[], USE_TZ=True)
        django.setup()
    from django_bolt import _json
    from django_bolt._kwargs.extractors import get_msgspec_decoder
    from django_bolt.serializers import Serializer, computed_field, field_validator

    class Author(Serializer):
        name: str
        email: str

    class Book(Serializer):
        id: int
        title: Annotated[str, msgspec.Meta(max_length=100)]
        price: Annotated[float, msgspec.Meta(ge=0)]
        in_stock: bool
        tags: list[str]
        author: Author

        @field_validator("title")
        def clean_title(cls, value: str) -> str:
            return _clean_title(value)

        @computed_field
        def display(self) -> str:
            return f"{self.title} by {self.author.name}"

    decoder = get_msgspec_decoder(list[Book])  # what a `data: list[Book]` body uses
    dump_many = Book.dump_many
    encode = _json.encode

    def run(raw: bytes) -> bytes:
        return encode(dump_many(decoder.decode(raw)))

    return run


def main() -> int:
    from importlib.metadata import version

    raw = body()
    run = django_bolt_case()
    _check("django-bolt", run(raw))
    ready = {"ready": True, "version": version("django-bolt"), "python": sys.version.split()[0]}
    print(json.dumps(ready), flush=True)
    for line in sys.stdin:
        seconds = float(line)
        count, started = 0, time.perf_counter()
        while True:
            run(raw)
            count += 1
            elapsed = time.perf_counter() - started
            if elapsed >= seconds:
                break
        print(json.dumps({"us": elapsed / count * 1e6}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Serializer throughput without a server: decode + validate + encode of one request body.

    python bench/serializers.py              # or: python bench/run.py --serializers --no-core

The body is a JSON list of 100 books, each with 6 fields (one a nested author), one field
validator (the title) and one computed field (``display``) in the answer. Each library
decodes and validates the whole body, then encodes its answer, the way a create-many
endpoint does: Bolt's ``Serializer`` (the kernel's ``BodyDecoder`` and the read variant a
route answers with), pydantic v2 (``TypeAdapter.validate_json``/``dump_json``) and DRF
(``json.loads``, ``Serializer(data=..., many=True).is_valid()``, ``.data``, ``json.dumps``).
A library that is not installed is left out. Each is timed in rounds (the order rotating);
the table shows the median µs per body and the ratio of each peer to Bolt.
"""

# No ``from __future__ import annotations``: the cases define their classes in functions,
# and msgspec and pydantic resolve string annotations in the module only.
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import msgspec

ITEMS = 100
TARGETS = {"drf": 5.0, "pydantic": 2.0}


def body() -> bytes:
    books = [
        {
            "id": i,
            "title": f"  Book number {i} ",
            "price": 10.5 + i,
            "in_stock": i % 2 == 0,
            "tags": ["fiction", f"t{i % 7}"],
            "author": {"name": f"Author {i % 13}", "email": f"a{i}@example.org"},
        }
        for i in range(ITEMS)
    ]
    return json.dumps(books).encode()


def _clean_title(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("blank")
    return value


def bolt_case() -> Callable[[bytes], bytes]:
    from bolt.serializers import BodyDecoder, Serializer, computed_field, field_validator

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

    from bolt.defaults import validating_shape

    decoder = BodyDecoder(list[Book.write_type()])  # what a `data: list[Book]` body uses
    answer = validating_shape(None, list[Book])  # what `-> list[Book]` answers with
    encode = msgspec.json.Encoder().encode

    def run(raw: bytes) -> bytes:
        return encode(answer(decoder.decode(raw)))

    return run


def pydantic_case() -> Callable[[bytes], bytes]:
    from pydantic import BaseModel, Field, TypeAdapter, computed_field, field_validator

    class Author(BaseModel):
        name: str
        email: str

    class Book(BaseModel):
        id: int
        title: str = Field(max_length=100)
        price: float = Field(ge=0)
        in_stock: bool
        tags: list[str]
        author: Author

        @field_validator("title")
        @classmethod
        def clean_title(cls, value: str) -> str:
            return _clean_title(value)

        @computed_field  # type: ignore[prop-decorator]
        @property
        def display(self) -> str:
            return f"{self.title} by {self.author.name}"

    adapter = TypeAdapter(list[Book])

    def run(raw: bytes) -> bytes:
        return adapter.dump_json(adapter.validate_json(raw))

    return run


def drf_case() -> Callable[[bytes], bytes]:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(INSTALLED_APPS=["rest_framework"], USE_TZ=True)
        django.setup()
    from rest_framework import serializers

    class Author(serializers.Serializer):
        name = serializers.CharField()
        email = serializers.CharField()

    class Book(serializers.Serializer):
        id = serializers.IntegerField()
        title = serializers.CharField(max_length=100, trim_whitespace=False)
        price = serializers.FloatField(min_value=0)
        in_stock = serializers.BooleanField()
        tags = serializers.ListField(child=serializers.CharField())
        author = Author()
        display = serializers.SerializerMethodField()

        def validate_title(self, value: str) -> str:
            try:
                return _clean_title(value)
            except ValueError as exc:
                raise serializers.ValidationError(str(exc)) from None

        def get_display(self, obj: Any) -> str:
            return f"{obj['title']} by {obj['author']['name']}"

    def run(raw: bytes) -> bytes:
        serializer = Book(data=json.loads(raw), many=True)
        serializer.is_valid(raise_exception=True)
        return json.dumps(serializer.data).encode()

    return run


CASES: dict[str, Callable[[], Callable[[bytes], bytes]]] = {
    "bolt": bolt_case,
    "pydantic": pydantic_case,
    "drf": drf_case,
}


def _check(name: str, out: bytes) -> None:
    books = json.loads(out)
    first = books[0]
    assert len(books) == ITEMS, name
    assert first["title"] == "Book number 0", (name, first)
    assert first["display"] == "Book number 0 by Author 0", (name, first)
    assert first["author"]["email"] == "a0@example.org", (name, first)


def measure(rounds: int = 7, seconds: float = 0.5) -> dict[str, Any]:
    """Median µs per body for each installed library (and the peers' ratios to Bolt)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "")
    raw = body()
    runs: dict[str, Callable[[bytes], bytes]] = {}
    skipped: dict[str, str] = {}
    for name, make in CASES.items():
        try:
            runs[name] = make()
        except ImportError as exc:
            skipped[name] = str(exc)
            continue
        _check(name, runs[name](raw))
    samples: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for round_no in range(rounds):
        shift = round_no % len(names)
        for name in names[shift:] + names[:shift]:
            run = runs[name]
            count, started = 0, time.perf_counter()
            while True:
                run(raw)
                count += 1
                elapsed = time.perf_counter() - started
                if elapsed >= seconds:
                    break
            samples[name].append(elapsed / count * 1e6)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    ratios = (
        {name: medians[name] / medians["bolt"] for name in medians if name != "bolt"}
        if "bolt" in medians
        else {}
    )
    return {"medians_us": medians, "samples_us": samples, "ratios": ratios, "skipped": skipped}


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"### Serializers: decode + validate + encode of {ITEMS} nested items "
        "(in-process, µs per body)",
        "",
        "| library | µs / body | Bolt is faster by | target |",
        "|---|---:|---:|---|",
    ]
    for name, value in result["medians_us"].items():
        ratio = result["ratios"].get(name)
        target = TARGETS.get(name)
        verdict = ""
        if ratio is not None and target is not None:
            verdict = f"≥ {target:g}x: {'met' if ratio >= target else 'NOT met'}"
        shown = "—" if ratio is None else f"{ratio:.1f}x"
        lines.append(f"| {name} | {value:,.0f} | {shown} | {verdict} |")
    for name, why in result["skipped"].items():
        lines.append(f"\n{name} was left out: {why}")
    return "\n".join(lines) + "\n"


def main() -> int:
    result = measure()
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Serializer throughput without a server: decode + validate + encode of one request body.

    python bench/serializers.py              # or: python bench/run.py --serializers --no-core

The body is a JSON list of 100 books, each with 6 fields (one a nested author), one field
validator (the title) and one computed field (``display``) in the answer. Each library
decodes and validates the whole body, then encodes its answer, the way a create-many
endpoint does: Bolt's ``Serializer`` (the kernel's ``BodyDecoder`` and the read variant a
route answers with), pydantic v2 (``TypeAdapter.validate_json``/``dump_json``) and DRF
(``json.loads``, ``Serializer(data=..., many=True).is_valid()``, ``.data``, ``json.dumps``).
With a Python >= 3.12 that has django-bolt installed (``run.py --django-bolt-python PY``, or
the ``BENCH_DJANGO_BOLT_PYTHON`` environment variable), django-bolt's ``Serializer`` does the
same work in that interpreter (``bench/serializers_djb.py``), taking its turn in each round.
A library that is not installed is left out. Each is timed in rounds (the order rotating);
the table shows the median µs per body and the ratio of each peer to Bolt.
"""

# No ``from __future__ import annotations``: the cases define their classes in functions,
# and msgspec and pydantic resolve string annotations in the module only.
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import msgspec

ITEMS = 100
TARGETS = {"django-bolt": 1.0, "drf": 5.0, "pydantic": 2.0}
DJB_ENV = "BENCH_DJANGO_BOLT_PYTHON"  # the same variable as bench/sections.py
DJB_SCRIPT = Path(__file__).resolve().with_name("serializers_djb.py")


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


class Remote:
    """A library timed in another interpreter (``bench/serializers_djb.py``).

    The script builds and checks its case once, then answers each request for a timed run
    with the µs per body it measured itself, so the pipe stays outside the timed loop.
    """

    def __init__(self, python: str, script: Path) -> None:
        root = str(script.parent.parent)
        self.proc = subprocess.Popen(
            [python, str(script)],
            cwd=root,
            env={**os.environ, "PYTHONPATH": root, "DJANGO_SETTINGS_MODULE": ""},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        ready = self._answer()
        self.version = f"{ready['version']} on Python {ready['python']}"

    def _answer(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read() if self.proc.stderr else ""
            self.close()
            lines = [x for x in err.strip().splitlines() if x.strip()]
            raise ImportError(lines[-1] if lines else f"exit status {self.proc.returncode}")
        return json.loads(line)

    def time(self, seconds: float) -> float:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{seconds}\n")
        self.proc.stdin.flush()
        return float(self._answer()["us"])

    def close(self) -> None:
        if self.proc.stdin and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


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
    remotes: dict[str, Remote] = {}
    versions = _versions(runs)
    djb_python = os.environ.get(DJB_ENV)
    if djb_python:
        try:
            remotes["django-bolt"] = Remote(djb_python, DJB_SCRIPT)
            versions["django-bolt"] = remotes["django-bolt"].version
        except (ImportError, OSError) as exc:
            skipped["django-bolt"] = f"{djb_python}: {exc}"
    else:
        skipped["django-bolt"] = f"needs Python >= 3.12 (--django-bolt-python or {DJB_ENV})"
    samples: dict[str, list[float]] = {name: [] for name in [*runs, *remotes]}
    names = list(samples)
    try:
        _rounds(rounds, seconds, raw, names, runs, remotes, samples)
    finally:
        for remote in remotes.values():
            remote.close()
    medians = {name: statistics.median(values) for name, values in samples.items()}
    ratios = (
        {name: medians[name] / medians["bolt"] for name in medians if name != "bolt"}
        if "bolt" in medians
        else {}
    )
    # Each round's own ratio (both libraries timed seconds apart) cancels the load that
    # differs between rounds; the verdict stays on the ratio of medians.
    paired = {
        name: statistics.median(
            peer / own for peer, own in zip(samples[name], samples["bolt"], strict=True)
        )
        for name in ratios
    }
    return {
        "medians_us": medians,
        "samples_us": samples,
        "ratios": ratios,
        "paired_ratios": paired,
        "skipped": skipped,
        "versions": versions,
        "loadavg": os.getloadavg(),
        "seconds": seconds,
    }


def _versions(runs: dict[str, Callable[[bytes], bytes]]) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    python = f"Python {sys.version.split()[0]}"
    found = {"bolt": python}
    for name, dist in (("pydantic", "pydantic"), ("drf", "djangorestframework")):
        if name in runs:
            try:
                found[name] = f"{version(dist)} on {python}"
            except PackageNotFoundError:
                found[name] = python
    return found


def _rounds(
    rounds: int,
    seconds: float,
    raw: bytes,
    names: list[str],
    runs: dict[str, Callable[[bytes], bytes]],
    remotes: dict[str, Remote],
    samples: dict[str, list[float]],
) -> None:
    """Each round times every library once, the order rotating from round to round."""
    for round_no in range(rounds):
        shift = round_no % len(names)
        for name in names[shift:] + names[:shift]:
            if name in remotes:
                samples[name].append(remotes[name].time(seconds))
                continue
            run = runs[name]
            count, started = 0, time.perf_counter()
            while True:
                run(raw)
                count += 1
                elapsed = time.perf_counter() - started
                if elapsed >= seconds:
                    break
            samples[name].append(elapsed / count * 1e6)


def markdown(result: dict[str, Any], git: str = "") -> str:
    rounds = len(next(iter(result["samples_us"].values()), []))
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        f"### Serializers: decode + validate + encode of {ITEMS} nested items "
        "(no server, µs per body)",
        "",
        f"_Measured {when}" + (f" at commit `{git}`" if git else "") + "._",
        "",
        "| library | µs / body (median) | rounds min-max | Bolt is faster by "
        "| rounds' own ratios (median) | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, value in result["medians_us"].items():
        ratio = result["ratios"].get(name)
        target = TARGETS.get(name)
        verdict = ""
        if ratio is not None and target is not None:
            verdict = f"≥ {target:g}x: {'met' if ratio >= target else 'NOT met'}"
        shown = "—" if ratio is None else f"{ratio:.2f}x"
        own = result.get("paired_ratios", {}).get(name)
        own_shown = "—" if own is None else f"{own:.2f}x"
        spread = result["samples_us"][name]
        label = name
        if name in result.get("versions", {}):
            label = f"{name} ({result['versions'][name]})"
        lines.append(
            f"| {label} | {value:,.0f} | {min(spread):,.0f}-{max(spread):,.0f} | {shown} "
            f"| {own_shown} | {verdict} |"
        )
    if "loadavg" in result:
        lines.append(
            f"\n{rounds} rounds, order rotating, each library's time taken over at least "
            f"{result.get('seconds', 0.5):g} s per round; load average at the end "
            f"{result['loadavg'][0]:.2f} ({os.cpu_count()} CPUs)."
        )
    for name, why in result["skipped"].items():
        lines.append(f"\n{name} was left out: {why}")
    return "\n".join(lines) + "\n"


def main() -> int:
    result = measure()
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

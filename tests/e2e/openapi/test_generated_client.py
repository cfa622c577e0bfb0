"""A client generated from the served schema (openapi-python-client) calls the quick start.

Frontend and service teams generate clients from the document; this is the proof that the
one Bolt serves is good enough for that: the generator accepts it, the generated package
imports, and its typed calls reach a real Granian server and decode the answers, including
a 422 in Bolt's validation-error shape and a 404 in its error shape.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.e2e]


def test_generated_client_calls_the_quickstart(start_server: Any, tmp_path: Path) -> None:
    server = start_server("granian-cli")
    schema = tmp_path / "openapi.json"
    schema.write_bytes(httpx.get(f"{server.base_url}/api/openapi.json", timeout=10).content)
    bindir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    generated = subprocess.run(
        [
            str(bindir / "openapi-python-client"),
            "generate",
            "--path",
            str(schema),
            "--output-path",
            str(tmp_path / "quickstart_client"),
            "--meta",
            "none",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        client_mod = importlib.import_module("quickstart_client")
        create = importlib.import_module("quickstart_client.api.default.create_item")
        read = importlib.import_module("quickstart_client.api.default.read_item")
        listing = importlib.import_module("quickstart_client.api.default.list_items")
        models = importlib.import_module("quickstart_client.models")
        client = client_mod.Client(base_url=server.base_url)
        with client:
            made = create.sync(client=client, body=models.ItemInWrite(name="Lamp", price="12.50"))
            assert isinstance(made, models.ItemOut), made
            assert (made.name, made.price) == ("Lamp", 12.5)
            items = listing.sync(client=client, limit=10)
            assert any(i.id == made.id for i in items)
            bad = create.sync(client=client, body=models.ItemInWrite(name="", price="1"))
            assert isinstance(bad, models.ValidationError), bad
            assert bad.detail[0].loc == ["body", "name"]
            missing = read.sync_detailed(client=client, item_id=10**9)
            assert missing.status_code == 404
            assert isinstance(missing.parsed, models.Error)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.split(".")[0] == "quickstart_client"]:
            del sys.modules[name]

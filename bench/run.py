"""Bolt's benchmark: one command, Granian servers one after another, wrk on the other core.

    python bench/run.py                      # core section: bare ASGI, Bolt, Starlette, Litestar
    python bench/run.py --all                # plus every plugin section
    python bench/run.py --auth --orm --no-core -d 3 -r 5

Each round starts every app of a section once (the order rotates from round to round, so a
noisy neighbour hurts all apps alike), warms each endpoint up, then measures it with wrk.
Reported numbers are medians over the rounds. Results go to ``bench/results/`` (JSON with every
round, plus a markdown summary). Nothing here runs under pytest: no timed tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import report
from bench.runner import (
    ROOT,
    App,
    Server,
    ServerError,
    Settings,
    base_env,
    check,
    combine,
    wrk,
)
from bench.sections import DJB_ENV, SECTIONS, Section

RESULTS = ROOT / "bench" / "results"
IMPORT_CHECK = """
import importlib, os
if os.environ.get("DJANGO_SETTINGS_MODULE"):
    import django
    django.setup()
importlib.import_module("{module}")
"""
PLUGIN_SECTIONS = ("viewsets", "auth", "middleware", "orm", "serializers")
#: Sections measured in this process, without a server (libraries, not HTTP stacks).
IN_PROCESS = ("serializers",)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("-d", "--duration", type=float, default=5.0, help="seconds per measurement")
    p.add_argument(
        "--slice",
        type=int,
        default=1,
        help="whole seconds per slice: an app's endpoints take turns in slices this long, "
        "-d rounded to whole slices (0: each endpoint measured in one piece)",
    )
    p.add_argument("-w", "--warmup", type=float, default=1.0, help="warm-up seconds (0: none)")
    p.add_argument("-r", "--rounds", type=int, default=3, help="interleaved rounds (median)")
    p.add_argument("-c", "--connections", type=int, default=64, help="wrk connections")
    p.add_argument("-t", "--threads", type=int, default=1, help="wrk threads")
    p.add_argument("--server-cpu", default="0", help="taskset CPU list for Granian")
    p.add_argument("--client-cpu", default="1", help="taskset CPU list for wrk")
    p.add_argument(
        "--sched",
        choices=("batch", "normal"),
        default="batch",
        help="scheduling policy of the server (batch: SCHED_BATCH, no wake-up preemption "
        "between Granian's threads on the pinned core; see docs/performance.md)",
    )
    p.add_argument("--no-core", action="store_true", help="skip the core section")
    for name in PLUGIN_SECTIONS:
        p.add_argument(f"--{name}", action="store_true", help=f"run the {name} section")
    p.add_argument("--all", action="store_true", help="run every section")
    p.add_argument("--only", default="", help="comma-separated app names to keep")
    p.add_argument("--tag", default="", help="suffix for the result file names")
    p.add_argument(
        "--docs",
        metavar="FILE",
        help="also write each section's summary between its <!-- bench:NAME --> markers in "
        "FILE (docs/performance.md)",
    )
    p.add_argument(
        "--django-bolt-python",
        default=os.environ.get(DJB_ENV, ""),
        help=f"a Python >= 3.12 with django-bolt installed: adds django-bolt's own server to "
        f"the core and ORM sections, and its Serializer to the serializers section "
        f"(env {DJB_ENV})",
    )
    return p.parse_args(argv)


def preflight(settings: Settings) -> None:
    tools = ("wrk", "taskset", "chrt") if settings.sched == "batch" else ("wrk", "taskset")
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        sys.exit(f"missing {', '.join(missing)}: apt-get update && apt-get install -y wrk")
    if (os.cpu_count() or 1) < 2 and settings.server_cpu == settings.client_cpu:
        print("warning: one CPU; server and wrk share it", file=sys.stderr)


def importable(app: App) -> str | None:
    """``None`` when the app's module imports in a fresh interpreter, else the error line."""
    module = app.target.split(":", 1)[0]
    out = subprocess.run(
        [app.python, "-c", IMPORT_CHECK.format(module=module)],
        cwd=ROOT,
        env=base_env(app.env),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if out.returncode == 0:
        return None
    lines = [line for line in out.stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else f"exit status {out.returncode}"


def usable_apps(section: Section, only: set[str]) -> list[App] | None:
    """The section's apps that can run; ``None`` (skip the section) when a Bolt app cannot."""
    apps = []
    for app in section.apps:
        if only and app.name not in only:
            continue
        error = importable(app)
        if error is None:
            apps.append(app)
        elif app.name.startswith("bolt"):
            print(f"[{section.name}] skipped: {app.name} cannot be imported: {error}")
            return None
        else:
            print(f"[{section.name}] {app.name} left out: {error}")
    return apps


def measure_app(
    app: App, section: Section, settings: Settings, runs: dict[str, Any], round_no: int
) -> None:
    eps = [section.endpoints[k] for k in app.endpoints]
    server = Server(app, settings)
    try:
        server.start(eps[0])
        for ep in eps:
            check(server.port, ep)
            if settings.warmup > 0:
                wrk(server.port, ep, settings.warmup, settings)
        # The endpoints take turns in short slices (forwards, then backwards), so a
        # neighbour's burst of load falls on all of them alike instead of on whichever
        # endpoint happened to be measured then.
        # wrk measures whole seconds, so a slice is too: ``-d`` is rounded to whole slices.
        if settings.slice > 0:
            count = max(1, round(settings.duration / settings.slice))
            seconds: float = settings.slice
        else:
            count, seconds = 1, settings.duration
        parts: dict[str, list[dict[str, Any]]] = {ep.key: [] for ep in eps}
        for turn in range(count):
            for ep in eps if (turn + round_no) % 2 else eps[::-1]:
                parts[ep.key].append(wrk(server.port, ep, seconds, settings, server.pgid))
        for ep in eps:
            result = combine(parts[ep.key])
            result["round"] = round_no
            result["loadavg"] = os.getloadavg()[0]
            bad = result["non2xx"] + result["socket_errors"]
            if result["non2xx"]:
                raise ServerError(f"{app.name} {ep.label}: {result['non2xx']} non-2xx answers")
            runs[app.name].setdefault(ep.key, []).append(result)
            flag = f"  ({bad} socket errors)" if bad else ""
            print(
                f"  r{round_no} {app.name:<16} {ep.label:<24} {result['rps']:>10,.0f} req/s"
                f"  cpu {result['cpu_us'] or 0:6.1f} µs/req  p99 {result['p99_ms'] or 0:6.2f} ms"
                f"  cs/req {result['switches_per_request'] or 0:.2f}"
                f"  load {result['loadavg']:.2f}{flag}",
                flush=True,
            )
    finally:
        server.stop()


def run_section(
    section: Section, settings: Settings, only: set[str], git_rev: str
) -> dict[str, Any] | None:
    apps = usable_apps(section, only)
    if not apps:
        return None
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_start = os.getloadavg()[0]
    if section.setup is not None:
        section.setup()
    runs: dict[str, Any] = {app.name: {} for app in apps}
    failed: dict[str, str] = {}
    print(f"\n[{section.name}] {section.title}", flush=True)
    for round_no in range(1, settings.rounds + 1):
        shift = (round_no - 1) % len(apps)
        for app in apps[shift:] + apps[:shift]:
            if app.name in failed:
                continue
            try:
                measure_app(app, section, settings, runs, round_no)
            except (ServerError, OSError, subprocess.TimeoutExpired) as exc:
                failed[app.name] = str(exc)
                print(f"  {app.name} FAILED: {exc}", flush=True)
    for name, why in failed.items():
        runs.pop(name, None)
        section.notes.append(f"{name} was left out: {why.splitlines()[0]}")
    section.apps = [a for a in section.apps if a.name in runs]
    med = report.medians(runs)
    result_ratios = [r for r in report.ratios(section, runs) if r["value"] is not None]
    reference = "bare" if section.name == "core" else None
    loads = [r["loadavg"] for eps in runs.values() for rs in eps.values() for r in rs]
    context = (
        f"_Measured {started} at commit `{git_rev}`: {settings.rounds} rounds of "
        f"{settings.duration:g} s per endpoint, server scheduling `{settings.sched}`; "
        f"load average {load_start:.1f} at the start, "
        f"median {statistics.median(loads) if loads else 0:.1f} during the measurements._"
    )
    print(report.console_table(section, runs))
    for r in result_ratios:
        value = f"{r['value']:.2f}"
        target = ""
        if r["target"] is not None:
            verdict = report._verdict(r["met"], r["met_cpu"]).replace("**", "")
            target = f"  (target ≥ {r['target']:.2f}: {verdict})"
        cpu = "n/a" if r["cpu_value"] is None else f"{r['cpu_value']:.2f}"
        paired = "n/a" if r["paired"] is None else f"{r['paired']:.2f}"
        print(f"  {r['label']:<44} {value}  (CPU/request: {cpu}; rounds: {paired}){target}")
    return {
        "title": section.title,
        "runs": runs,
        "medians": med,
        "cpu_us_medians": report.medians(runs, "cpu_us"),
        "switches_per_request_medians": report.medians(runs, "switches_per_request"),
        "ratios": result_ratios,
        "failed": failed,
        "markdown": report.section_markdown(section, runs, result_ratios, reference, context),
    }


def run_in_process(name: str, settings: Settings, git: str = "") -> dict[str, Any]:
    """A section without a server (``bench/serializers.py``): every library timed in this
    interpreter (django-bolt in its own, see ``bench/serializers_djb.py``),
    ``settings.rounds`` rounds (at least 5) with the order rotating."""
    from bench import serializers

    print(f"\n[{name}] decode + validate + encode, in process", flush=True)
    result = serializers.measure(rounds=max(5, settings.rounds))
    markdown = serializers.markdown(result, git)
    print(markdown)
    return {"title": name, **result, "markdown": markdown}


def environment(settings: Settings) -> dict[str, Any]:
    def version(cmd: list[str]) -> str:
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=30)
        except OSError:
            return "?"
        return (
            (out.stdout or out.stderr).strip().splitlines()[0]
            if (out.stdout or out.stderr)
            else "?"
        )

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    rev = version(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "git": rev,
        "python": platform.python_version(),
        "granian": version([str(Path(sys.executable).with_name("granian")), "--version"]),
        "wrk": version(["wrk", "-v"]),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "loadavg_start": os.getloadavg(),
        "settings": vars(settings),
    }


def summary_markdown(env: dict[str, Any], sections: dict[str, Any]) -> str:
    s = env["settings"]
    head = [
        f"Measured {env['date']} at commit `{env['git']}` on {env['cpus']} x {env['cpu']}; "
        f"Python {env['python']}, {env['granian']}, {env['wrk']}.",
        f"Granian: 1 worker, pinned with `taskset -c {s['server_cpu']}`; wrk `-t{s['threads']} "
        f"-c{s['connections']}` pinned to `{s['client_cpu']}`, loopback. {s['rounds']} "
        f"interleaved rounds of {s['duration']:g} s per endpoint after a "
        f"{s['warmup']:g} s warm-up"
        + (
            f", each endpoint's time taken in {s['slice']:g} s slices, the app's endpoints "
            "taking turns; "
            if s.get("slice")
            else "; "
        )
        + "the table shows medians in requests/second (ratio to the reference in brackets), and "
        "below them each round's min-max and the server's median CPU time per request "
        "(user+system of the Granian processes during the measurement, which a busy "
        "neighbour does not inflate the way it deflates requests/second).",
        f"Load average at start: {env['loadavg_start'][0]:.2f} (the machine is shared).",
        "",
    ]
    return "\n".join(head) + "\n" + "\n".join(sec["markdown"] for sec in sections.values())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = Settings(
        duration=args.duration,
        warmup=args.warmup,
        rounds=args.rounds,
        connections=args.connections,
        threads=args.threads,
        server_cpu=args.server_cpu,
        client_cpu=args.client_cpu,
        sched=args.sched,
        slice=args.slice,
    )
    if not all(n in IN_PROCESS for n in PLUGIN_SECTIONS if args.all or getattr(args, n)) or (
        not args.no_core
    ):
        preflight(settings)
    if args.django_bolt_python:
        os.environ[DJB_ENV] = args.django_bolt_python
    names = [] if args.no_core else ["core"]
    names += [n for n in PLUGIN_SECTIONS if args.all or getattr(args, n)]
    if not names:
        sys.exit("nothing to run: drop --no-core or name a section")
    only = {n.strip() for n in args.only.split(",") if n.strip()}
    env = environment(settings)
    started = time.monotonic()
    results: dict[str, Any] = {}
    for name in names:
        if name in IN_PROCESS:
            results[name] = run_in_process(name, settings, env["git"])
            continue
        try:
            section = SECTIONS[name]()
        except ImportError as exc:
            print(f"[{name}] skipped: {exc}")
            continue
        result = run_section(section, settings, only, env["git"])
        if result is not None:
            results[name] = result
    env["elapsed_s"] = round(time.monotonic() - started, 1)
    if not results:
        print("no section ran")
        return 1
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    base = RESULTS / f"{stamp}-{'-'.join(results)}{'-' + args.tag if args.tag else ''}"
    markdown = summary_markdown(env, results)
    base.with_suffix(".json").write_text(
        json.dumps({"environment": env, "sections": results}, indent=2, default=str)
    )
    base.with_suffix(".md").write_text(markdown)
    (RESULTS / "latest.md").write_text(markdown)
    print(f"\nwrote {base}.json and .md ({env['elapsed_s']:.0f} s)")
    if args.docs:
        page = Path(args.docs)
        text, missing = report.replace_blocks(
            page.read_text(), {name: sec["markdown"] for name, sec in results.items()}
        )
        page.write_text(text)
        print(f"updated {page}" + (f"; no markers for {', '.join(missing)}" if missing else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Medians, ratios and the markdown summary of one benchmark run."""

from __future__ import annotations

import statistics
from typing import Any

from bench.sections import Section


def medians(
    runs: dict[str, dict[str, list[dict[str, Any]]]], metric: str = "rps"
) -> dict[str, dict[str, float]]:
    """app → endpoint → median of ``metric`` (requests/second, or ``cpu_us``: server CPU
    microseconds per request) over the rounds that succeeded."""
    out: dict[str, dict[str, float]] = {}
    for app, eps in runs.items():
        out[app] = {}
        for key, rs in eps.items():
            values = [r[metric] for r in rs if r.get(metric) is not None]
            if values:
                out[app][key] = statistics.median(values)
    return out


def ratios(
    section: Section, runs: dict[str, dict[str, list[dict[str, Any]]]]
) -> list[dict[str, Any]]:
    """Each ratio twice: of median requests/second (what the targets are judged on) and of
    median server CPU per request (inverted, so both read "higher is better")."""
    med, cpu = medians(runs), medians(runs, "cpu_us")
    out = []
    for ratio in section.ratios:
        num = med.get(ratio.num[0], {}).get(ratio.num[1])
        den = med.get(ratio.den[0], {}).get(ratio.den[1])
        value = num / den if num and den else None
        num_cpu = cpu.get(ratio.num[0], {}).get(ratio.num[1])
        den_cpu = cpu.get(ratio.den[0], {}).get(ratio.den[1])
        cpu_value = den_cpu / num_cpu if num_cpu and den_cpu else None
        paired = _paired(runs, ratio.num, ratio.den)
        # Judged as reported: on the ratio rounded to two decimals.
        met = None if value is None or ratio.target is None else round(value, 2) >= ratio.target
        met_cpu = None
        if cpu_value is not None and ratio.target is not None:
            met_cpu = round(cpu_value, 2) >= ratio.target
        out.append(
            {
                "label": ratio.label,
                "value": value,
                "cpu_value": cpu_value,
                "target": ratio.target,
                "met": met,
                "met_cpu": met_cpu,
                "paired": paired,
            }
        )
    return out


def _paired(
    runs: dict[str, dict[str, list[dict[str, Any]]]],
    num: tuple[str, str],
    den: tuple[str, str],
) -> float | None:
    """The median over rounds of each round's own ratio: shown beside the ratio of medians
    because it cancels what differs between rounds (a fresh server process, a neighbour's
    load that minute)."""
    num_rounds = {r["round"]: r["rps"] for r in runs.get(num[0], {}).get(num[1], [])}
    den_rounds = {r["round"]: r["rps"] for r in runs.get(den[0], {}).get(den[1], [])}
    values = [num_rounds[k] / den_rounds[k] for k in num_rounds if den_rounds.get(k)]
    return statistics.median(values) if values else None


def _verdict(met: bool | None, met_cpu: bool | None) -> str:
    if met_cpu is None or met_cpu == met:
        return "met" if met else "**not met**"
    return "met by req/s, **not** by CPU" if met else "met by CPU, **not** by req/s"


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def section_markdown(
    section: Section,
    runs: dict[str, dict[str, list[dict[str, Any]]]],
    result_ratios: list[dict[str, Any]],
    reference: str | None,
    context: str = "",
) -> str:
    """A table of median requests/second (rounds' min-max below) and the ratio list."""
    med = medians(runs)
    cpu_med = medians(runs, "cpu_us")
    apps = [a.name for a in section.apps if a.name in runs]
    lines = [f"### {section.title}", ""]
    if context:
        lines += [context, ""]
    lines.append("| endpoint | " + " | ".join(apps) + " |")
    lines.append("|---|" + "---:|" * len(apps))
    for key, ep in section.endpoints.items():
        if not any(key in runs[a] for a in apps):
            continue
        cells = []
        for app in apps:
            rs = runs[app].get(key)
            if not rs:
                cells.append("")
                continue
            value = med[app][key]
            cell = _fmt(value)
            ref = med.get(reference or "", {}).get(key) if reference else None
            if ref and app != reference:
                cell += f" ({value / ref:.2f})"
            low, high = min(r["rps"] for r in rs), max(r["rps"] for r in rs)
            cpu = cpu_med.get(app, {}).get(key)
            cell += f"<br><sub>{low:,.0f}-{high:,.0f}"
            cell += f"; {cpu:.1f} µs CPU</sub>" if cpu is not None else "</sub>"
            cells.append(cell)
        lines.append(f"| `{ep.label}` | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| ratio | req/s ratio | CPU-per-request ratio | rounds' own ratios, median | target |",
        "|---|---:|---:|---:|---|",
    ]
    for r in result_ratios:
        value = "—" if r["value"] is None else f"{r['value']:.2f}"
        value += " | " + ("—" if r["cpu_value"] is None else f"{r['cpu_value']:.2f}")
        value += " | " + ("—" if r.get("paired") is None else f"{r['paired']:.2f}")
        if r["target"] is None:
            target = ""
        else:
            target = f"≥ {r['target']:.2f}: " + _verdict(r["met"], r["met_cpu"])
        lines.append(f"| {r['label']} | {value} | {target} |")
    for note in section.notes:
        lines += ["", note]
    return "\n".join(lines) + "\n"


def console_table(section: Section, runs: dict[str, dict[str, list[dict[str, Any]]]]) -> str:
    med = medians(runs)
    apps = [a.name for a in section.apps if a.name in runs]
    width = max(len(ep.label) for ep in section.endpoints.values()) + 2
    out = [f"\n== {section.name}: {section.title}", " " * width + "".join(f"{a:>17}" for a in apps)]
    for key, ep in section.endpoints.items():
        row = ep.label.ljust(width)
        for app in apps:
            value = med[app].get(key)
            row += f"{'' if value is None else f'{value:,.0f}':>17}"
        out.append(row)
    return "\n".join(out)


def replace_blocks(text: str, blocks: dict[str, str]) -> tuple[str, list[str]]:
    """Put each section's markdown between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``
    in ``text``; returns the new text and the names that had no markers."""
    missing = []
    for name, body in blocks.items():
        start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
        i, j = text.find(start), text.find(end)
        if i < 0 or j < i:
            missing.append(name)
            continue
        text = text[: i + len(start)] + "\n" + body.rstrip() + "\n" + text[j:]
    return text, missing

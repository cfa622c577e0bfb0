"""Medians, ratios and the markdown summary of one benchmark run."""

from __future__ import annotations

import statistics
from typing import Any

from bench.sections import Section


def medians(runs: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, dict[str, float]]:
    """app → endpoint → median requests/second over the rounds that succeeded."""
    return {
        app: {key: statistics.median(r["rps"] for r in rs) for key, rs in eps.items() if rs}
        for app, eps in runs.items()
    }


def ratios(section: Section, med: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    out = []
    for ratio in section.ratios:
        num = med.get(ratio.num[0], {}).get(ratio.num[1])
        den = med.get(ratio.den[0], {}).get(ratio.den[1])
        value = num / den if num and den else None
        met = None if value is None or ratio.target is None else value >= ratio.target
        out.append({"label": ratio.label, "value": value, "target": ratio.target, "met": met})
    return out


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def section_markdown(
    section: Section,
    runs: dict[str, dict[str, list[dict[str, Any]]]],
    result_ratios: list[dict[str, Any]],
    reference: str | None,
) -> str:
    """A table of median requests/second (rounds' min-max below) and the ratio list."""
    med = medians(runs)
    apps = [a.name for a in section.apps if a.name in runs]
    lines = [f"### {section.title}", ""]
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
            cell += f"<br><sub>{low:,.0f}-{high:,.0f}</sub>"
            cells.append(cell)
        lines.append(f"| `{ep.label}` | " + " | ".join(cells) + " |")
    lines += ["", "| ratio | measured | target |", "|---|---:|---|"]
    for r in result_ratios:
        value = "—" if r["value"] is None else f"{r['value']:.2f}"
        if r["target"] is None:
            target = ""
        else:
            target = f"≥ {r['target']:.2f} " + ("met" if r["met"] else "**not met**")
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

"""Small SVG charts rendered on the server (no script, no external asset)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT, PAD = 560, 200, 32


def histogram(
    values: Sequence[float], *, bins: int = 20, label: str = "", fmt: str = "{:.1f}"
) -> str:
    """An SVG histogram of the values, with the lowest and highest value marked on the axis."""
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - low) / span * bins))] += 1
    top = max(counts)
    bar_w = (WIDTH - 2 * PAD) / bins
    scale = (HEIGHT - 2 * PAD) / top
    bars = "".join(
        f'<rect x="{PAD + i * bar_w:.1f}" y="{HEIGHT - PAD - c * scale:.1f}" '
        f'width="{bar_w - 2:.1f}" height="{c * scale:.1f}" fill="#b71c1c"><title>{c}</title></rect>'
        for i, c in enumerate(counts)
        if c
    )
    base = HEIGHT - PAD
    axis = (
        f'<line x1="{PAD}" y1="{base}" x2="{WIDTH - PAD}" y2="{base}" stroke="#6c757d"/>'
        + _text(PAD, HEIGHT - 10, fmt.format(low), "start")
        + _text(WIDTH - PAD, HEIGHT - 10, fmt.format(high), "end")
        + _text(WIDTH / 2, HEIGHT - 10, label, "middle")
        + _text(PAD - 4, PAD, str(top), "end")
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="chart" aria-label="{escape(label)}">{bars}{axis}</svg>'
    )


def _text(x: float, y: float, content: str, anchor: str) -> str:
    return (
        f'<text x="{x}" y="{y}" font-size="12" fill="#495057" text-anchor="{anchor}">'
        f"{escape(content)}</text>"
    )


ROW_H = 26


def bars(
    rows: Sequence[tuple[str, Sequence[float]]],
    *,
    legend: Sequence[str] = (),
    label: str = "",
    colours: Sequence[str] = ("#b71c1c", "#adb5bd", "#f0ad4e"),
) -> str:
    """Horizontal bars, one row per (label, values); several values stack left to right
    (named by ``legend``). Each segment carries its value as a tooltip and the row its total."""
    if not rows:
        return ""
    label_w, right = 150, 48
    top = max(sum(values) for _, values in rows) or 1
    height = PAD + len(rows) * ROW_H + (ROW_H if legend else 0)
    scale = (WIDTH - label_w - right) / top
    parts = []
    for i, (name, values) in enumerate(rows):
        y = PAD / 2 + i * ROW_H
        parts.append(_text(label_w - 6, y + 16, name, "end"))
        x = float(label_w)
        for k, value in enumerate(values):
            if value:
                w = value * scale
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{ROW_H - 8}" '
                    f'fill="{colours[k % len(colours)]}"><title>{escape(str(value))}</title></rect>'
                )
                x += w
        parts.append(_text(x + 4, y + 16, f"{sum(values):g}", "start"))
    for k, name in enumerate(legend):
        x, y = label_w + k * 120, height - 12
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" '
                     f'fill="{colours[k % len(colours)]}"/>')  # fmt: skip
        parts.append(_text(x + 16, y, name, "start"))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'class="chart" aria-label="{escape(label)}">{"".join(parts)}</svg>'
    )


def share_bars(
    groups: Sequence[tuple[str, int, int]], *, label: str = "", chart_id: str = ""
) -> str:
    """Horizontal bars of (name, met, total): the share of each group that met a target, with
    "met/total" and the percentage written beside each bar."""
    shown = [g for g in groups if g[2] > 0]
    if not shown:
        return ""
    row_h, left, right = 26, 150, 110
    height = PAD + row_h * len(shown) + 8
    span = WIDTH - left - right
    parts = []
    for i, (name, met, total) in enumerate(shown):
        y = PAD + i * row_h
        share = met / total
        name = name if len(name) <= 11 else name[:10] + "…"
        parts.append(_text(left - 6, y + 15, name, "end"))
        parts.append(
            f'<rect x="{left}" y="{y + 3}" width="{span}" height="{row_h - 8}" fill="#e9ecef"/>'
        )
        if met:
            colour = "#2e7d32" if share >= 1 else "#b71c1c"
            parts.append(
                f'<rect x="{left}" y="{y + 3}" width="{span * share:.1f}" height="{row_h - 8}" '
                f'fill="{colour}"><title>{met}/{total}</title></rect>'
            )
        parts.append(_text(left + span + 6, y + 15, f"{met}/{total} · {share:.0%}", "start"))
    parts.append(_text(left, PAD - 12, label, "start"))
    identity = f' id="{escape(chart_id)}"' if chart_id else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'class="chart w-100"{identity} aria-label="{escape(label)}">{"".join(parts)}</svg>'
    )

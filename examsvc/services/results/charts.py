"""The score histogram of a sitting as SVG drawn on the server (no script, no CDN)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT, PAD = 600, 220, 36


def score_histogram(
    values: Sequence[float], max_score: float, pass_mark: float, *, label: str = "",
    pass_label: str = "",
) -> str:  # fmt: skip
    """Bars of candidates per tenth of the full score, failing bars grey, the pass mark marked."""
    if not values or max_score <= 0:
        return ""
    bins = 10
    counts = [0] * bins
    for v in values:
        counts[max(0, min(bins - 1, int(v / max_score * bins)))] += 1
    top = max(counts)
    bar_w = (WIDTH - 2 * PAD) / bins
    scale = (HEIGHT - 2 * PAD) / top
    base = HEIGHT - PAD
    parts = []
    for i, c in enumerate(counts):
        low = max_score * i / bins
        colour = "#b71c1c" if low + max_score / bins > pass_mark else "#adb5bd"
        x = PAD + i * bar_w
        parts.append(
            f'<rect x="{x:.1f}" y="{base - c * scale:.1f}" width="{bar_w - 2:.1f}" '
            f'height="{c * scale:.1f}" fill="{colour}"><title>{c}</title></rect>'
        )
        if c:
            parts.append(_text(x + bar_w / 2, base - c * scale - 4, str(c), "middle"))
        parts.append(_text(x, HEIGHT - 18, f"{low:g}", "middle"))
    parts.append(_text(WIDTH - PAD, HEIGHT - 18, f"{max_score:g}", "middle"))
    mark_x = PAD + (WIDTH - 2 * PAD) * min(1.0, pass_mark / max_score)
    parts.append(
        f'<line x1="{mark_x:.1f}" y1="{PAD - 10}" x2="{mark_x:.1f}" y2="{base}" '
        'stroke="#0d6efd" stroke-dasharray="4 3"/>'
    )
    parts.append(_text(mark_x + 4, PAD - 12, f"{pass_label} {pass_mark:g}".strip(), "start"))
    parts.append(f'<line x1="{PAD}" y1="{base}" x2="{WIDTH - PAD}" y2="{base}" stroke="#6c757d"/>')
    parts.append(_text(WIDTH / 2, HEIGHT - 2, label, "middle"))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="chart" id="score-histogram" aria-label="{escape(label)}">{"".join(parts)}</svg>'
    )


def _text(x: float, y: float, content: str, anchor: str) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="12" fill="#495057" text-anchor="{anchor}">'
        f"{escape(content)}</text>"
    )

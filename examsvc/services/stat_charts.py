"""SVG charts of item analysis, drawn on the server (no script, no external asset)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

W, H, PAD = 560, 240, 36
#: Colours of option curves; the key is drawn thick and dark red.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf")
KEY_COLOUR = "#b71c1c"


def _svg(body: str, label: str, width: int = W, height: int = H) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart w-100" aria-label="{escape(label)}"><title>{escape(label)}</title>'
        f"{body}</svg>"
    )


def _text(x: float, y: float, content: str, anchor: str = "middle", size: int = 12) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="#495057" '
        f'text-anchor="{anchor}">{escape(content)}</text>'
    )


def _rect(x: float, y: float, w: float, h: float, style: str) -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" {style}/>'


def _spread(ys: Sequence[float], gap: float, highest: float) -> list[float]:
    """Label positions near ``ys`` at least ``gap`` apart and not below ``highest`` (the end
    labels of lines that finish close together)."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    placed = list(ys)
    for before, after in zip(order, order[1:], strict=False):
        placed[after] = max(placed[after], placed[before] + gap)
    if order and placed[order[-1]] > highest:  # pushed off the bottom: stack up from it
        placed[order[-1]] = highest
        for after, before in zip(order[::-1], order[-2::-1], strict=False):
            placed[before] = min(placed[before], placed[after] - gap)
    return placed


def histogram(
    low: float,
    high: float,
    counts: Sequence[int],
    label: str,
    mark: float | None = None,
    mark_label: str = "",
) -> Markup:
    """Bars of ``counts`` over equal bins from ``low`` to ``high``; ``mark`` a vertical line
    (the pass mark)."""
    if not counts or not sum(counts):
        return Markup("")
    top = max(counts)
    span = (high - low) or 1.0
    bar_w = (W - 2 * PAD) / len(counts)
    scale = (H - 2 * PAD) / top
    bars = "".join(
        f'<rect x="{PAD + i * bar_w:.1f}" y="{H - PAD - c * scale:.1f}" width="{bar_w - 2:.1f}" '
        f'height="{c * scale:.1f}" fill="#c62828"><title>{c}</title></rect>'
        for i, c in enumerate(counts)
        if c
    )
    line = ""
    if mark is not None and low <= mark <= high:
        x = PAD + (mark - low) / span * (W - 2 * PAD)
        line = (
            f'<line x1="{x:.1f}" y1="{PAD - 8}" x2="{x:.1f}" y2="{H - PAD}" stroke="#0d47a1" '
            f'stroke-dasharray="4 3"/>' + _text(x, PAD - 12, mark_label)
        )
    axis = (
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#6c757d"/>'
        + _text(PAD, H - 12, f"{low:g}", "start")
        + _text(W - PAD, H - 12, f"{high:g}", "end")
        + _text(PAD - 6, PAD + 4, str(top), "end")
    )
    return _svg(bars + line + axis, label)


def scatter(
    points: Sequence[tuple[float, float, str, bool]], label: str, x_label: str, y_label: str
) -> Markup:
    """Facility (x, 0–1) against discrimination (y, −1–1); flagged points drawn red. Bands
    mark the too-hard and too-easy facilities and r = 0."""
    x0, x1, y0, y1 = PAD + 10, W - PAD, PAD - 16, H - PAD

    def px(f: float) -> float:
        return x0 + f * (x1 - x0)

    def py(r: float) -> float:
        return y0 + (1 - (max(-1.0, min(1.0, r)) + 1) / 2) * (y1 - y0)

    mid = (y0 + y1) / 2
    frame = (
        _rect(x0, y0, px(0.2) - x0, y1 - y0, 'fill="#fdecea"')
        + _rect(px(0.95), y0, x1 - px(0.95), y1 - y0, 'fill="#fdecea"')
        + f'<line x1="{x0}" y1="{py(0):.1f}" x2="{x1}" y2="{py(0):.1f}" stroke="#adb5bd" '
        'stroke-dasharray="4 3"/>'
        + _rect(x0, y0, x1 - x0, y1 - y0, 'fill="none" stroke="#6c757d"')
        + _text(x0, y1 + 14, "0", "start")
        + _text(x1, y1 + 14, "1", "end")
        + _text((x0 + x1) / 2, H - 4, x_label)
        + _text(x0 - 4, y0 + 10, "1", "end")
        + _text(x0 - 4, y1, "-1", "end")
        + _text(x0 - 4, py(0) + 4, "0", "end")
        + f'<text x="12" y="{mid:.1f}" font-size="12" fill="#495057" text-anchor="middle" '
        f'transform="rotate(-90 12 {mid:.1f})">{escape(y_label)}</text>'
    )
    dots = "".join(
        f'<circle cx="{px(f):.1f}" cy="{py(r):.1f}" r="4" '
        f'fill="{KEY_COLOUR if bad else "#1565c0"}" '
        f'fill-opacity="0.75"><title>{escape(name)}</title></circle>'
        for f, r, name, bad in points
    )
    return _svg(frame + dots, label)


def option_curves(
    groups: Sequence[dict],
    labels: Sequence[str],
    keys: Sequence[str],
    label: str,
    x_label: str,
    facility_label: str,
) -> Markup:
    """For each score group (lowest to highest), the share choosing each option; the key thick.
    Items without options show the group's facility instead."""
    if not groups:
        return Markup("")
    n = len(groups)
    x0, x1, y0, y1 = PAD + 8, W - PAD - 60, PAD - 20, H - PAD

    def px(i: int) -> float:
        return x0 + (i / (n - 1 if n > 1 else 1)) * (x1 - x0)

    def py(v: float) -> float:
        return y1 - v * (y1 - y0)

    series = [(lab, [g["options"][b] for g in groups], lab in keys) for b, lab in enumerate(labels)]
    if not series:
        series = [(facility_label, [g["facility"] for g in groups], True)]
    lines = ""
    label_y = _spread([py(v[-1]) + 4 for _n, v, _k in series], gap=13, highest=y1 + 4)
    for b, (name, values, is_key) in enumerate(series):
        colour = KEY_COLOUR if is_key else PALETTE[b % len(PALETTE)]
        width = 3 if is_key else 1.5
        path = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(values))
        lines += (
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="{width}"/>'
            + f'<text x="{x1 + 8:.1f}" y="{label_y[b]:.1f}" font-size="12" fill="{colour}" '
            f'text-anchor="start">{escape(name)}</text>'
        )
    frame = (
        _rect(x0, y0, x1 - x0, y1 - y0, 'fill="none" stroke="#6c757d"')
        + _text(x0 - 4, y0 + 10, "100%", "end")
        + _text(x0 - 4, y1, "0", "end")
        + "".join(_text(px(i), y1 + 14, str(i + 1)) for i in range(n))
        + _text((x0 + x1) / 2, H - 4, x_label)
    )
    return _svg(frame + lines, label)

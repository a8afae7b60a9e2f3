"""Pictures of attributions: a heat strip under a series, a map over an image, marked words.

SVG and HTML are inline text for explanations.html; image overlays are PNG files (Pillow).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import numpy as np

#: Positive attribution (pushes towards the output) is red, negative blue.
_POSITIVE = (220, 38, 38)
_NEGATIVE = (37, 99, 235)


def _colour(weight: float) -> str:
    """Returns a CSS colour for a weight in -1..1: red for positive, blue for negative."""
    base = _POSITIVE if weight >= 0 else _NEGATIVE
    alpha = min(1.0, abs(float(weight)))
    return f"rgba({base[0]},{base[1]},{base[2]},{alpha:.2f})"


def _scaled(values: np.ndarray) -> np.ndarray:
    """Returns `values` divided by their largest magnitude (zeros stay zeros)."""
    values = np.nan_to_num(np.asarray(values, dtype=np.float64))
    peak = np.abs(values).max(initial=0.0)
    return values / peak if peak > 0 else values


def heat_strip_svg(title: str, series: np.ndarray, attribution: np.ndarray) -> str:
    """Returns an SVG of a series' first channel drawn over its per-step attribution strip."""
    steps = len(attribution)
    width, plot, strip = 640, 120, 18
    step_width = (width - 20) / max(steps, 1)
    values = np.asarray(series, dtype=np.float64).reshape(steps, -1)[:, 0]
    finite = np.isfinite(values)
    low, high = (values[finite].min(), values[finite].max()) if finite.any() else (0.0, 1.0)
    span = (high - low) or 1.0
    weights = _scaled(attribution)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{plot + strip + 34}" '
        f'role="img" aria-label="{escape(title)}">',
        f'<text x="10" y="16" font-weight="600">{escape(title)}</text>',
    ]
    for s in range(steps):
        # fill-opacity rather than rgba(): SVG viewers outside browsers read only the former.
        base = _POSITIVE if weights[s] >= 0 else _NEGATIVE
        parts.append(
            f'<rect x="{10 + s * step_width:.1f}" y="{plot + 26}" width="{step_width + 0.3:.1f}" '
            f'height="{strip}" fill="rgb{base}" fill-opacity="{min(1.0, abs(weights[s])):.2f}"/>'
        )
    points = " ".join(
        f"{10 + (s + 0.5) * step_width:.1f},{24 + plot - (values[s] - low) / span * plot:.1f}"
        for s in range(steps)
        if finite[s]
    )
    parts.append(f'<polyline points="{points}" fill="none" stroke="#334155" stroke-width="1.5"/>')
    parts.append("</svg>")
    return "".join(parts)


def overlay_png(image: np.ndarray, attribution: np.ndarray, path: Path, size: int = 160) -> None:
    """Writes `image` (0..255, [height, width, channels]) with its attribution map in red."""
    from PIL import Image

    pixels = np.asarray(image, dtype=np.float32)
    if pixels.shape[-1] == 1:
        pixels = np.repeat(pixels, 3, axis=-1)
    weights = np.clip(_scaled(attribution), 0.0, 1.0)[..., None]
    red = np.asarray(_POSITIVE, dtype=np.float32)
    mixed = pixels[..., :3] * (1 - 0.6 * weights) + red * 0.6 * weights
    picture = Image.fromarray(np.clip(mixed, 0, 255).astype(np.uint8))
    scale = max(1, size // max(picture.size))
    picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST).save(path)


def map_png(attribution: np.ndarray, path: Path, size: int = 160) -> None:
    """Writes an attribution map alone as a grey PNG (white = most attributed)."""
    from PIL import Image

    weights = np.clip(_scaled(attribution), 0.0, 1.0)
    picture = Image.fromarray((weights * 255).astype(np.uint8))
    scale = max(1, size // max(picture.size))
    picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST).save(path)


def marked_words_html(tokens: list[str], weights: np.ndarray) -> str:
    """Returns the text with each word's background coloured by its attribution."""
    scaled = _scaled(weights)
    return (
        "<p>"
        + " ".join(
            f'<span style="background:{_colour(w)};padding:1px 2px" title="{float(v):.4g}">'
            f"{escape(t)}</span>"
            for t, w, v in zip(tokens, scaled, weights, strict=True)
        )
        + "</p>"
    )

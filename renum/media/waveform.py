"""A picture of a video's sound, drawn on the server as SVG, with the silences to be cut shaded.

The drawing has no text (the page labels it) and nothing that comes from a user, so nothing needs
escaping; the same envelope and cut always give the same bytes, so it can be cached. Colours
come from classes the page can style, with inline fallbacks: the waveform follows
``currentColor`` and silences are a translucent red.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from renum.i18n import N_
from renum.media.audio import LoudnessEnvelope
from renum.media.ffmpeg import InvalidMediaParameter
from renum.media.silences import SilenceCut

__all__ = ["column_peaks", "waveform_svg"]

# Even a silent column shows a hairline, so the strip never looks empty.
_MIN_HALF_HEIGHT = 0.5


def column_peaks(envelope: LoudnessEnvelope, columns: int) -> npt.NDArray[np.float32]:
    """The loudest peak within each of ``columns`` equal slices of the envelope (0 to 1)."""
    peaks = envelope.peaks
    if len(peaks) == 0:
        return np.zeros(columns, dtype=np.float32)
    if len(peaks) < columns:
        # Fewer windows than pixels: each column shows the window under it.
        return peaks[(np.arange(columns) * len(peaks)) // columns]
    bounds = (np.arange(columns) * len(peaks)) // columns
    return np.maximum.reduceat(peaks, bounds).astype(np.float32)


def waveform_svg(
    envelope: LoudnessEnvelope, cut: SilenceCut | None = None, *, width: int = 960, height: int = 96
) -> str:
    """An SVG drawing of ``envelope`` ``width`` × ``height`` pixels, shading ``cut``'s silences.

    Each pixel column shows the loudest peak under it, mirrored about the middle line. The SVG
    scales to its container (``preserveAspectRatio="none"``); it is ``aria-hidden`` because the
    page describes it in words.
    """
    if not (16 <= width <= 8192):
        raise InvalidMediaParameter("width", N_("The waveform width must be between 16 and 8192 pixels."))
    if not (8 <= height <= 2048):
        raise InvalidMediaParameter("height", N_("The waveform height must be between 8 and 2048 pixels."))

    middle = height / 2
    half = np.maximum(column_peaks(envelope, width) * (middle - 1), _MIN_HALF_HEIGHT)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="waveform" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" preserveAspectRatio="none" aria-hidden="true" focusable="false">'
    ]
    if cut is not None and cut.duration > 0:
        scale = width / cut.duration
        for silence in cut.silences:
            left = silence.start * scale
            parts.append(
                f'<rect class="waveform-silence" x="{left:.2f}" y="0" width="{silence.length * scale:.2f}" '
                f'height="{height}" fill="#d0342c" fill-opacity="0.22"/>'
            )
    parts.append(f'<path class="waveform-peaks" fill="currentColor" d="{_outline(half, middle)}"/>')
    parts.append("</svg>")
    return "".join(parts)


def _outline(half: npt.NDArray[np.floating], middle: float) -> str:
    """A closed path through the column tops, left to right, and back through their bottoms."""
    centres = np.arange(len(half)) + 0.5
    top = " ".join(f"{x:g} {middle - h:.1f}" for x, h in zip(centres, half, strict=True))
    bottom = " ".join(f"{x:g} {middle + h:.1f}" for x, h in zip(centres[::-1], half[::-1], strict=True))
    return f"M{top} L{bottom} Z"

"""The waveform picture: a drawing of the sound with the silences to be cut shaded."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from renum.media import InvalidMediaParameter, LoudnessEnvelope, SilenceCut, waveform_svg
from renum.media.waveform import column_peaks

SVG = "{http://www.w3.org/2000/svg}"


def test_each_silence_to_cut_is_shaded_where_it_is(
    speech_envelope: LoudnessEnvelope,
    speech_cut: SilenceCut,
) -> None:
    svg = ET.fromstring(waveform_svg(speech_envelope, speech_cut, width=800, height=100))

    shaded = svg.findall(f"{SVG}rect")
    assert len(shaded) == len(speech_cut.silences) == 4
    pixels_per_second = 800 / speech_cut.duration
    for rect, silence in zip(shaded, speech_cut.silences, strict=True):
        assert float(rect.get("x", "")) == pytest.approx(silence.start * pixels_per_second, abs=0.01)
        assert float(rect.get("width", "")) == pytest.approx(silence.length * pixels_per_second, abs=0.01)
        assert rect.get("height") == "100"


def test_the_picture_has_its_size_and_no_text(
    speech_envelope: LoudnessEnvelope,
    speech_cut: SilenceCut,
) -> None:
    text = waveform_svg(speech_envelope, speech_cut, width=640, height=80)
    svg = ET.fromstring(text)

    assert svg.tag == f"{SVG}svg"
    assert (svg.get("width"), svg.get("height"), svg.get("viewBox")) == ("640", "80", "0 0 640 80")
    assert svg.findall(f".//{SVG}text") == []
    assert "<script" not in text
    assert len(svg.findall(f"{SVG}path")) == 1


def test_the_same_sound_always_gives_the_same_picture(
    speech_envelope: LoudnessEnvelope, speech_cut: SilenceCut
) -> None:
    assert waveform_svg(speech_envelope, speech_cut) == waveform_svg(speech_envelope, speech_cut)


def test_columns_over_speech_are_taller_than_columns_over_silence(speech_envelope: LoudnessEnvelope) -> None:
    columns = column_peaks(speech_envelope, 800)  # 100 columns a second

    assert columns[60:140].min() > 0.2  # 0.6–1.4 s, inside the first burst
    assert columns[380:470].max() < 0.02  # 3.8–4.7 s, the long pause


def test_without_a_cut_nothing_is_shaded(speech_envelope: LoudnessEnvelope) -> None:
    assert ET.fromstring(waveform_svg(speech_envelope)).findall(f"{SVG}rect") == []


def test_short_and_empty_recordings_still_draw() -> None:
    tiny = LoudnessEnvelope(peaks=np.array([0.5, 0.0, 1.0], dtype=np.float32), window=0.01, duration=0.03)
    empty = LoudnessEnvelope(peaks=np.zeros(0, dtype=np.float32), window=0.01, duration=0.0)

    assert len(column_peaks(tiny, 300)) == 300
    assert ET.fromstring(waveform_svg(tiny, width=300)).tag == f"{SVG}svg"
    assert ET.fromstring(waveform_svg(empty)).tag == f"{SVG}svg"


@pytest.mark.parametrize(("width", "height"), [(4, 100), (10_000, 100), (800, 2), (800, 5000)])
def test_unreasonable_sizes_are_refused(speech_envelope: LoudnessEnvelope, width: int, height: int) -> None:
    with pytest.raises(InvalidMediaParameter):
        waveform_svg(speech_envelope, width=width, height=height)


def test_a_full_clip_waveform_stays_small(speech_envelope: LoudnessEnvelope, speech_cut: SilenceCut) -> None:
    # Inlined in the review page, so its size matters.
    assert len(waveform_svg(speech_envelope, speech_cut, width=960).encode()) < 30_000

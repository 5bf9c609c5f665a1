"""RENUM's media layer: read a video, find its silences, draw its sound, render the cut.

Library code only, with no web or job wiring. The pieces, in the order a silence cut uses them:

- :func:`probe_video` checks an upload and says what it holds (:class:`MediaInfo`);
- :func:`read_envelope` decodes only the sound, chunk by chunk, into a :class:`LoudnessEnvelope`;
- :func:`find_silences` turns the envelope (and any word timestamps) into a :class:`SilenceCut`;
- :func:`waveform_svg` draws the envelope with the silences shaded, for the review page;
- :func:`render_video` writes the cut video, with captions and a new aspect ratio if asked.

Probing and decoding block (run them in a thread from async code, or use :func:`probe_video_async`);
:func:`render_video` is a coroutine. Every failure is a :class:`MediaError` with a message for creators.
"""

from renum.media.audio import LoudnessEnvelope, decode_audio, envelope_from_samples, iter_audio, read_envelope
from renum.media.ffmpeg import (
    CaptionsUnsupported,
    EmptyFile,
    FFmpegNotFound,
    InvalidMediaParameter,
    MediaError,
    MediaTimeout,
    NoAudio,
    NotAVideo,
    NoVideoStream,
    RenderFailed,
    TruncatedVideo,
    ffmpeg_path,
)
from renum.media.probe import MediaInfo, probe_video, probe_video_async
from renum.media.render import (
    Cue,
    RenderOptions,
    RenderResult,
    remap_to_cut,
    render_video,
    srt_text,
    vtt_text,
)
from renum.media.silences import SilenceCut, SilenceSettings, Span, analyse_silences, find_silences
from renum.media.waveform import waveform_svg

__all__ = [
    "CaptionsUnsupported",
    "Cue",
    "EmptyFile",
    "FFmpegNotFound",
    "InvalidMediaParameter",
    "LoudnessEnvelope",
    "MediaError",
    "MediaInfo",
    "MediaTimeout",
    "NoAudio",
    "NoVideoStream",
    "NotAVideo",
    "RenderFailed",
    "RenderOptions",
    "RenderResult",
    "SilenceCut",
    "SilenceSettings",
    "Span",
    "TruncatedVideo",
    "analyse_silences",
    "decode_audio",
    "envelope_from_samples",
    "ffmpeg_path",
    "find_silences",
    "iter_audio",
    "probe_video",
    "probe_video_async",
    "read_envelope",
    "remap_to_cut",
    "render_video",
    "srt_text",
    "vtt_text",
    "waveform_svg",
]

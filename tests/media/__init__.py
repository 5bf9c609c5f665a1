"""Tests of the media layer, on clips made with the bundled ffmpeg."""

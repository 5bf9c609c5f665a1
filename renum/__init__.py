"""RENUM: a studio that takes a video creator from an idea to a scheduled post."""

__version__ = "0.1.0"

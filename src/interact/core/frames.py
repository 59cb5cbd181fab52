"""Parsing of client websocket frames, shared by every socket so they refuse bad input alike."""

from __future__ import annotations

import json


class BadFrame(Exception):
    """``code`` is ``frame_too_large`` or ``bad_frame``; the socket answers it and stays open."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def parse_frame(text_data: str | None, max_bytes: int) -> dict:
    """A JSON object with a string ``type``, or :class:`BadFrame`. Binary frames count as bad."""
    if text_data is None:
        raise BadFrame("bad_frame")
    if len(text_data.encode()) > max_bytes:
        raise BadFrame("frame_too_large")
    try:
        frame = json.loads(text_data)
    except ValueError:
        raise BadFrame("bad_frame") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise BadFrame("bad_frame")
    return frame

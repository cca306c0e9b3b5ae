"""Exports of an audit session: finding lists, audit reports, API response packs and the importable JSON."""

from assistant.exports.registry import FORMATS, default_filename, export_session

__all__ = ["FORMATS", "default_filename", "export_session"]

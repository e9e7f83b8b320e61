"""Each picture is drawn once per version of its figures, then read from a cache folder.

The key is a hash of everything the picture shows and of the code that draws it, so any
changed figure misses, a new version of the drawing (a line moved, a label reworded) draws
anew, and a stale picture can never be served.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bot.charts.data import ResultChart, ThermometerChart
from bot.charts.render import Picture

Chart = ResultChart | ThermometerChart


_DRAWN_BY: str | None = None


def drawing_code() -> str:
    """A fingerprint of what draws and words a picture: this package's code, the wording of
    its percentages (:mod:`bot.percentages`) and the matplotlib version."""
    global _DRAWN_BY
    if _DRAWN_BY is None:
        digest = hashlib.sha256(importlib.metadata.version("matplotlib").encode())
        folder = Path(__file__).parent
        for source in [*sorted(folder.glob("*.py")), folder.parent / "percentages.py"]:
            digest.update(source.name.encode() + source.read_bytes())
        _DRAWN_BY = digest.hexdigest()
    return _DRAWN_BY


def chart_key(chart: Chart) -> str:
    """A name for the picture that changes whenever anything it shows, or the code that
    draws it (:func:`drawing_code`), changes."""
    return hashlib.sha256((drawing_code() + repr(chart)).encode("utf-8")).hexdigest()[:32]


class PictureCache:
    """PNG files and what they show, in ``folder``; the oldest go beyond ``max_files``."""

    def __init__(self, folder: Path, max_files: int = 500) -> None:
        self.folder = folder
        self.max_files = max_files

    def get_or_render(self, chart: Chart, render: Callable[[Chart], Picture]) -> Picture:
        key = chart_key(chart)
        png_path = self.folder / f"{key}.png"
        meta_path = self.folder / f"{key}.json"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            return Picture(png_path.read_bytes(), meta["alt_text"], meta["drawn"], str(png_path))
        except (OSError, ValueError, KeyError):
            pass
        picture = render(chart)
        self.folder.mkdir(parents=True, exist_ok=True)
        meta = {"alt_text": picture.alt_text, "drawn": picture.drawn}
        _write_atomically(png_path, picture.png)
        _write_atomically(meta_path, json.dumps(meta).encode("utf-8"))
        self._evict()
        return replace(picture, path=str(png_path))

    def _evict(self) -> None:
        pictures = sorted(self.folder.glob("*.png"), key=lambda p: p.stat().st_mtime)
        for old in pictures[: max(0, len(pictures) - self.max_files)]:
            old.unlink(missing_ok=True)
            old.with_suffix(".json").unlink(missing_ok=True)


def _write_atomically(path: Path, data: bytes) -> None:
    """Readers see the old file or the whole new one, never half of it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

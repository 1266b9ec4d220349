"""Per-op progress: a callable, or a bar for progress=True (tqdm when it is installed)."""

import sys


class _Bar:
    """Draws (done, total, label) events; tqdm when present, else one line redrawn on stderr."""

    def __init__(self):
        try:
            import tqdm  # python3-tqdm, optional
            self._tqdm = tqdm.tqdm
        except ImportError:
            self._tqdm = None
        self._bar = None
        self._total = 0

    def __call__(self, done, total, label):
        self._total = total
        if self._tqdm is not None:
            if self._bar is None:
                self._bar = self._tqdm(total=total, desc="secure inference", unit="op", leave=False)
            self._bar.update(done - self._bar.n)
            self._bar.set_postfix_str(label, refresh=True)
        elif sys.stderr.isatty():
            width = 30
            filled = width * done // max(total, 1)
            sys.stderr.write("\rsecure inference [%s%s] %d/%d %s\x1b[K" % (
                "#" * filled, "." * (width - filled), done, total, label[:40]))
            sys.stderr.flush()

    def close(self):
        if self._bar is not None:
            self._bar.update(self._total - self._bar.n)
            self._bar.close()
            self._bar = None
        elif self._tqdm is None and self._total and sys.stderr.isatty():
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def progress_arg(progress):
    """(callback for _twain or None, object to close() afterwards or None)."""
    if progress is None or progress is False:
        return None, None
    if progress is True:
        bar = _Bar()
        return bar, bar
    if callable(progress):
        return progress, None
    raise TypeError("progress must be None, a bool or a callable (done, total, label)")

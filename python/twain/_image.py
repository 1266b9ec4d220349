"""The client's image as the C++ side takes it: a file, encoded bytes, pixels or a normalised array."""

import os
import sys

from . import _twain

# PIL modes kept as they are; any other is converted to RGB (or gray for 1-bit images) first.
_PIL_MODES = {"L", "LA", "RGB", "RGBA"}


def image_arg(image):
    """(kind, value) for _twain: paths and encoded PNG/JPEG bytes are decoded there, PIL images
    and HWC uint8 arrays become pixels (the model card's preprocessing applies to all three), and
    float arrays (C x H x W, or 1 x C x H x W) are taken as normalised already."""
    if isinstance(image, (str, os.PathLike)):
        return ("path", os.fspath(image))
    if isinstance(image, (bytes, bytearray, memoryview)):
        return ("encoded", bytes(image))
    pil = sys.modules.get("PIL.Image")
    if pil is not None and isinstance(image, pil.Image):
        if image.mode not in _PIL_MODES:
            image = image.convert("L" if image.mode == "1" else "RGB")
        import numpy
        return ("pixels", numpy.asarray(image))
    if hasattr(image, "__array__") or hasattr(image, "__array_interface__"):
        import numpy
        array = numpy.asarray(image)
        if array.dtype == numpy.uint8:
            return ("pixels", array)
        if numpy.issubdtype(array.dtype, numpy.floating):
            return ("normalised", array)
        raise _twain.InvalidArgument(
            "image: an array must be uint8 (H x W x C pixels) or floating point (C x H x W, normalised), got %s"
            % array.dtype)
    raise _twain.InvalidArgument(
        "image: expected a path, PNG/JPEG bytes, a PIL image or a NumPy array, got %r" % type(image).__name__)

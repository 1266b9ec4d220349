#!/usr/bin/env python3
"""The client's image decoding refuses what it must, with a message that names the file and why:
not PNG or JPEG by signature (a GIF that stb would decode), a PNG whose header declares more pixels
than kMaxImagePixels (refused before stb allocates them), a truncated PNG, an empty file; and a
real PNG still gives the fixed-point prediction.

usage: image_input_test.py TWAIN MODEL IMAGE
"""
import os
import struct
import subprocess
import sys
import tempfile
import zlib


def png_header(width, height):
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk +
            struct.pack(">I", zlib.crc32(chunk) & 0xffffffff))


def plain(twain, model, image):
    return subprocess.run([twain, "plain", "--model", model, "--image", image, "--topk", "1"], capture_output=True,
                          text=True, timeout=60)


def main():
    twain, model, image = sys.argv[1:4]
    tmp = tempfile.mkdtemp()
    real = open(image, "rb").read()
    cases = {
        "gif.png": (b"GIF89a" + b"\x01\x00\x01\x00\x00\x00\x00;", "neither PNG nor JPEG"),
        "empty.png": (b"", "neither PNG nor JPEG"),
        "huge.png": (png_header(8192, 8192) + b"\x00" * 64, "over the limit of"),
        "wide.png": (png_header(20000, 2), "over the limit of"),
        "truncated.png": (real[: len(real) // 2], "cannot decode the image"),
    }
    failures = []
    for name, (data, expected) in cases.items():
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        out = plain(twain, model, path)
        if out.returncode == 0 or expected not in out.stderr or name not in out.stderr:
            failures.append(f"{name}: exit {out.returncode}, stderr: {out.stderr.strip()!r} (expected {expected!r})")
        else:
            print(f"{name}: refused: {out.stderr.strip()}")
    good = plain(twain, model, image)
    if good.returncode != 0 or "fixed point" not in good.stdout:
        failures.append(f"the real image failed: {good.stderr}")
    if failures:
        sys.exit("\n".join(failures))
    print("image input: every bad file refused with its reason; the real image decodes")


if __name__ == "__main__":
    main()

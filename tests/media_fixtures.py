"""Real image files made in the test: a PNG written with zlib and struct, a JPEG by Pillow."""

from __future__ import annotations

import io
import struct
import zlib


def png(width: int = 16, height: int = 8, seed: int = 0) -> bytes:
    """A valid RGB PNG: a diagonal gradient whose colours depend on `seed`."""
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            row += bytes(((x * 16 + seed * 40) % 256, (y * 32) % 256, (x + y + seed) * 8 % 256))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def jpeg(width: int = 24, height: int = 16) -> bytes:
    """A valid JPEG (Pillow's encoder) of a two-colour picture."""
    from PIL import Image

    img = Image.new("RGB", (width, height), (20, 60, 200))
    img.paste((230, 230, 40), (0, 0, width // 2, height))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()

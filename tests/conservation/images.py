"""Photographs for tests, drawn with Pillow."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw


def leaf_photo(name="leaf.jpg", *, size=(800, 600), damaged=True, fmt="JPEG", seed=0):
    """A paper-coloured leaf with text columns; ``damaged`` adds holes and a stain."""
    image = Image.new("RGB", size, (222, 205, 170))
    draw = ImageDraw.Draw(image)
    w, h = size
    for i in range(8):
        x = w * (i + 1) // 10
        draw.line([(x, h // 10), (x, h * 9 // 10)], fill=(60, 50, 40), width=max(1, w // 200))
    if damaged:
        for k in range(6):
            cx, cy = (w * (2 + k + seed) // 10) % w, (h * (3 + 2 * k) // 17) % h
            r = max(3, w // 40)
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(40, 30, 20))
        draw.ellipse([w // 5, h // 2, w // 2, h * 4 // 5], fill=(170, 140, 90))
    out = io.BytesIO()
    image.save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue())


def png_claiming(width: int, height: int, name="huge.png") -> SimpleUploadedFile:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels."""
    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    ihdr = bytes(data[12:29])  # b"IHDR" + 13 bytes
    fields = struct.pack(">II", width, height) + ihdr[12:]
    chunk = b"IHDR" + fields
    data[12:29] = chunk
    data[29:33] = struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
    return SimpleUploadedFile(name, bytes(data))


def multipage_tiff(name="scan.tif") -> SimpleUploadedFile:
    out = io.BytesIO()
    pages = [Image.new("RGB", (200, 300), c) for c in ((200, 190, 160), (180, 170, 140))]
    pages[0].save(out, "TIFF", save_all=True, append_images=pages[1:])
    return SimpleUploadedFile(name, out.getvalue())


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<rect width="10" height="10"/></svg>'
)

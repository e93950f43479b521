"""The one kind of error importers raise: bad input, with a message a person can act on."""

from __future__ import annotations


class ImportDataError(ValueError):
    """The input cannot be imported; the message says why (already translated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NumberError(ImportDataError):
    """A text is not a number in a format we read."""


class UploadRefused(ImportDataError):
    """A file was refused before anything parsed it (size, type, zip inflation, macros, XML entities)."""


class DecodeError(ImportDataError):
    """A file's content does not follow its format (JSON-stat, Sotkanet, a table)."""

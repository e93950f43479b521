"""Importers of indicator values (CSV/XLSX tables, Statistics Finland JSON-stat, THL Sotkanet) and exports.

Every importer turns a file into candidate values and a report; `apply.write_values` writes them in
one transaction. Readers never crash on bad input: they raise `ImportDataError` with a message.
"""

from __future__ import annotations

from indicators.importers.errors import ImportDataError

__all__ = ["ImportDataError"]

"""An organisation's data version: how many statements have changed its data (organisations.DataChange).

Database triggers (statement level, so a bulk import of 100,000 values adds one row per statement, not per
value) record every INSERT, UPDATE and DELETE on the tables that hold an organisation's data, whichever code
path wrote them: forms, `update()`, imports, the worker, `psql`. `changes_sql` writes the triggers of one
table for its app's migration; `tests/organisations/test_data_version.py` checks that every table with a
path to an organisation has them.

Reading the version is one index-only count. Anything kept under (organisation, version) is fresh: a
committed change makes the count larger, and rows are never removed, so an old count never comes back.
"""

from __future__ import annotations

from typing import Any

FUNCTION = "vaikuttava_data_changed"

CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- TG_ARGV[0] selects the organisation ids of the rows in the transition table "changed".
    EXECUTE 'INSERT INTO organisations_datachange (organisation_id) SELECT DISTINCT o FROM ('
        || TG_ARGV[0] || ') AS ids(o) WHERE o IS NOT NULL';
    RETURN NULL;
END
$$;
"""  # noqa: S608  (fixed text: the function name is a constant)
DROP_FUNCTION = f"DROP FUNCTION IF EXISTS {FUNCTION}();"

# (trigger name suffix, event, transition table): an UPDATE counts for the organisation of the rows before
# and after it (a merge moves rows from one organisation to another; both have changed).
OPERATIONS = [
    ("insert", "INSERT", "NEW"),
    ("update", "UPDATE", "NEW"),
    ("update_old", "UPDATE", "OLD"),
    ("delete", "DELETE", "OLD"),
]


def trigger_name(operation: str) -> str:
    return f"data_changed_{operation}"


def changes_sql(table: str, organisation_ids: str) -> tuple[list[str], list[str]]:
    """SQL for a migration's RunSQL: record every change of `table` for the organisations it touches.

    `organisation_ids` is a SELECT of one column over the transition table `changed` (the new rows of an
    INSERT or UPDATE, the old rows of an UPDATE or DELETE), e.g. "SELECT organisation_id FROM changed" or
    "SELECT i.organisation_id FROM changed c JOIN indicators_indicator i ON i.id = c.indicator_id".
    """
    argument = organisation_ids.replace("'", "''")
    forward = [
        f"CREATE TRIGGER {trigger_name(name)} AFTER {event} ON {table} "
        f"REFERENCING {rows} TABLE AS changed FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {FUNCTION}('{argument}');"
        for name, event, rows in OPERATIONS
    ]
    backward = [f"DROP TRIGGER IF EXISTS {trigger_name(name)} ON {table};" for name, *_rest in OPERATIONS]
    return forward, backward


def migration_operations(tables: list[tuple[str, str]]) -> list[Any]:
    """RunSQL operations adding the triggers of each (table, organisation ids SELECT) pair."""
    from django.db import migrations

    operations = []
    for table, ids in tables:
        forward, backward = changes_sql(table, ids)
        operations.append(migrations.RunSQL(list[Any](forward), list[Any](backward)))
    return operations


def data_version(organisation_id: int) -> int:
    """The organisation's data version (one index-only count)."""
    from organisations.models import DataChange

    return DataChange.objects.filter(organisation_id=organisation_id).count()


def versioned_key(kind: str, organisation_id: int, *parts: object) -> str:
    """A cache key for something computed from the organisation's data: its kind, the organisation, its
    data version, the caller's parts (filters, day) and the active language."""
    from django.utils import translation

    version = data_version(organisation_id)
    language = translation.get_language() or ""
    return ":".join([kind, str(organisation_id), str(version), *map(str, parts), language])

"""Record every change of the organisation's data in organisations.DataChange (see organisations.data_version)."""

from django.db import migrations

from organisations.data_version import changes_sql

TABLES = [
    ("indicators_indicator", "SELECT organisation_id FROM changed"),
    (
        "indicators_observation",
        "SELECT i.organisation_id FROM changed c JOIN indicators_indicator i ON i.id = c.indicator_id",
    ),
    (
        "indicators_target",
        "SELECT i.organisation_id FROM changed c JOIN indicators_indicator i ON i.id = c.indicator_id",
    ),
]


def operations() -> list[migrations.RunSQL]:
    return [migrations.RunSQL(*changes_sql(table, ids)) for table, ids in TABLES]


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0003_soft_delete"),
        ("organisations", "0004_data_change"),
    ]

    operations = operations()

"""Record every change of the organisation's data in organisations.DataChange (see organisations.data_version)."""

from django.db import migrations

from organisations.data_version import migration_operations

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


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0003_soft_delete"),
        ("organisations", "0004_data_change"),
    ]

    operations = migration_operations(TABLES)

"""Record every change of the organisation's data in organisations.DataChange (see organisations.data_version)."""

from django.db import migrations

from organisations.data_version import migration_operations

TABLES = [
    ("impact_activity", "SELECT organisation_id FROM changed"),
    ("impact_activitysettings", "SELECT organisation_id FROM changed"),
    (
        "impact_partner",
        "SELECT a.organisation_id FROM changed c JOIN impact_activity a ON a.id = c.activity_id",
    ),
    (
        "impact_partnershipreview",
        "SELECT a.organisation_id FROM changed c JOIN impact_activity a ON a.id = c.activity_id",
    ),
    (
        "impact_chainstep",
        "SELECT a.organisation_id FROM changed c JOIN impact_activity a ON a.id = c.activity_id",
    ),
    (
        "impact_contribution",
        "SELECT a.organisation_id FROM changed c JOIN impact_activity a ON a.id = c.activity_id",
    ),
    (
        "impact_progressreport",
        "SELECT a.organisation_id FROM changed c JOIN impact_activity a ON a.id = c.activity_id",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("impact", "0004_field_labels"),
        ("organisations", "0004_data_change"),
    ]

    operations = migration_operations(TABLES)

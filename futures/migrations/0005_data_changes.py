"""Record every change of the organisation's data in organisations.DataChange (see organisations.data_version)."""

from django.db import migrations

from organisations.data_version import migration_operations

TABLES = [
    ("futures_driver", "SELECT organisation_id FROM changed"),
    ("futures_weaksignal", "SELECT organisation_id FROM changed"),
    (
        "futures_weaksignal_drivers",
        "SELECT w.organisation_id FROM changed c JOIN futures_weaksignal w ON w.id = c.weaksignal_id",
    ),
    ("futures_futurestable", "SELECT organisation_id FROM changed"),
    (
        "futures_variable",
        "SELECT t.organisation_id FROM changed c JOIN futures_futurestable t ON t.id = c.table_id",
    ),
    (
        "futures_variablevalue",
        "SELECT t.organisation_id FROM changed c JOIN futures_variable v ON v.id = c.variable_id JOIN futures_futurestable t ON t.id = v.table_id",
    ),
    (
        "futures_incompatiblepair",
        "SELECT t.organisation_id FROM changed c JOIN futures_futurestable t ON t.id = c.table_id",
    ),
    ("futures_futurestory", "SELECT organisation_id FROM changed"),
    (
        "futures_futurestory_picks",
        "SELECT s.organisation_id FROM changed c JOIN futures_futurestory s ON s.id = c.futurestory_id",
    ),
    (
        "futures_futurestory_megatrends",
        "SELECT s.organisation_id FROM changed c JOIN futures_futurestory s ON s.id = c.futurestory_id",
    ),
    (
        "futures_storydriver",
        "SELECT s.organisation_id FROM changed c JOIN futures_futurestory s ON s.id = c.story_id",
    ),
    (
        "futures_signpost",
        "SELECT s.organisation_id FROM changed c JOIN futures_futurestory s ON s.id = c.story_id",
    ),
    (
        "futures_milestone",
        "SELECT s.organisation_id FROM changed c JOIN futures_futurestory s ON s.id = c.story_id",
    ),
    (
        "futures_implication",
        "SELECT s.organisation_id FROM changed c JOIN futures_futurestory s ON s.id = c.story_id",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("futures", "0004_variables_tracked"),
        ("organisations", "0004_data_change"),
    ]

    operations = migration_operations(TABLES)

"""Record every change of the organisation's data in organisations.DataChange (see organisations.data_version)."""

from django.db import migrations

from organisations.data_version import migration_operations

TABLES = [
    ("goals_strategy", "SELECT organisation_id FROM changed"),
    ("goals_goal", "SELECT s.organisation_id FROM changed c JOIN goals_strategy s ON s.id = c.strategy_id"),
    (
        "goals_goalindicator",
        "SELECT i.organisation_id FROM changed c JOIN indicators_indicator i ON i.id = c.indicator_id",
    ),
    (
        "goals_goal_sdg_targets",
        "SELECT s.organisation_id FROM changed c JOIN goals_goal g ON g.id = c.goal_id JOIN goals_strategy s ON s.id = g.strategy_id",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0002_soft_delete"),
        ("organisations", "0004_data_change"),
    ]

    operations = migration_operations(TABLES)

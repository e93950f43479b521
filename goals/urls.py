"""URLs of the goals app, mounted at /o/<org_slug>/goals/."""

from django.urls import path

from goals import views

app_name = "goals"

urlpatterns = [
    path("", views.strategy_list, name="strategy_list"),
    path("strategies/<int:strategy_pk>/", views.strategy_detail, name="strategy_detail"),
    path("strategies/<int:strategy_pk>/edit/", views.strategy_edit, name="strategy_edit"),
    path("strategies/<int:strategy_pk>/next-term/", views.strategy_next_term, name="strategy_next_term"),
    path("strategies/<int:strategy_pk>/export/", views.strategy_export, name="strategy_export"),
    path("strategies/<int:strategy_pk>/goals/new/", views.goal_create, name="goal_create"),
    path("<int:goal_pk>/", views.goal_detail, name="goal_detail"),
    path("<int:goal_pk>/edit/", views.goal_edit, name="goal_edit"),
    path("<int:goal_pk>/move/", views.goal_move, name="goal_move"),
    path("<int:goal_pk>/delete/", views.goal_delete, name="goal_delete"),
    path("<int:goal_pk>/indicators/", views.goal_indicators, name="goal_indicators"),
    path("<int:goal_pk>/sdg-targets/", views.goal_sdg_targets, name="goal_sdg_targets"),
]

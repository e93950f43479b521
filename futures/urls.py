"""URLs of the foresight pages of an organisation, under /o/<org_slug>/futures/."""

from django.urls import URLPattern, path

from futures import views

app_name = "futures"

urlpatterns: list[URLPattern] = [
    path("", views.story_list, name="index"),
    path("stories/new/", views.story_create, name="story_create"),
    path("stories/<int:story_pk>/", views.story_detail, name="story_detail"),
    path("stories/<int:story_pk>/edit/", views.story_edit, name="story_edit"),
    path("stories/<int:story_pk>/delete/", views.story_delete, name="story_delete"),
    path("stories/<int:story_pk>/picks/", views.story_picks, name="story_picks"),
    path("stories/<int:story_pk>/drivers/", views.story_driver_add, name="story_driver_add"),
    path(
        "stories/<int:story_pk>/drivers/<int:driver_pk>/remove/",
        views.story_driver_remove,
        name="story_driver_remove",
    ),
    path("stories/<int:story_pk>/signposts/", views.signpost_add, name="signpost_add"),
    path(
        "stories/<int:story_pk>/signposts/<int:signpost_pk>/delete/",
        views.signpost_delete,
        name="signpost_delete",
    ),
    path("stories/<int:story_pk>/milestones/", views.milestone_add, name="milestone_add"),
    path(
        "stories/<int:story_pk>/milestones/<int:milestone_pk>/delete/",
        views.milestone_delete,
        name="milestone_delete",
    ),
    path("stories/<int:story_pk>/implications/", views.implication_add, name="implication_add"),
    path(
        "stories/<int:story_pk>/implications/<int:implication_pk>/",
        views.implication_edit,
        name="implication_edit",
    ),
    path(
        "stories/<int:story_pk>/implications/<int:implication_pk>/delete/",
        views.implication_delete,
        name="implication_delete",
    ),
    path("drivers/", views.driver_list, name="driver_list"),
    path("drivers/<int:driver_pk>/", views.driver_edit, name="driver_edit"),
    path("drivers/<int:driver_pk>/delete/", views.driver_delete, name="driver_delete"),
    path("signals/", views.signal_list, name="signal_list"),
    path("signals/<int:signal_pk>/", views.signal_edit, name="signal_edit"),
    path("signals/<int:signal_pk>/delete/", views.signal_delete, name="signal_delete"),
    path("tables/", views.table_list, name="table_list"),
    path("tables/<int:table_pk>/", views.table_detail, name="table_detail"),
    path("tables/<int:table_pk>/edit/", views.table_edit, name="table_edit"),
    path("tables/<int:table_pk>/delete/", views.table_delete, name="table_delete"),
    path("tables/<int:table_pk>/variables/add/", views.variable_add, name="variable_add"),
    path("tables/<int:table_pk>/variables/change/", views.variable_change, name="variable_change"),
    path("tables/<int:table_pk>/variables/remove/", views.variable_remove, name="variable_remove"),
    path("tables/<int:table_pk>/values/add/", views.value_add, name="value_add"),
    path("tables/<int:table_pk>/values/change/", views.value_change, name="value_change"),
    path("tables/<int:table_pk>/values/remove/", views.value_remove, name="value_remove"),
    path("tables/<int:table_pk>/pairs/add/", views.pair_add, name="pair_add"),
    path("tables/<int:table_pk>/pairs/remove/", views.pair_remove, name="pair_remove"),
    path("robustness/", views.robustness, name="robustness"),
    path("signposts/", views.signpost_board, name="signposts"),
]

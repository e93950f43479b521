"""URLs of the shared foresight library: /library/megatrends/ and /library/stories/."""

from django.urls import URLPattern, path

from futures import library_views as views

app_name = "futures_library"

urlpatterns: list[URLPattern] = [
    path("megatrends/", views.megatrend_list, name="megatrends"),
    path("megatrends/new/", views.megatrend_create, name="megatrend_create"),
    path("megatrends/current/", views.megatrend_current, name="megatrend_current"),
    path("megatrends/<int:megatrend_pk>/", views.megatrend_edit, name="megatrend_edit"),
    path("megatrends/<int:megatrend_pk>/delete/", views.megatrend_delete, name="megatrend_delete"),
    path("stories/", views.national_story_list, name="stories"),
    path("stories/<int:story_pk>/", views.national_story_detail, name="story_detail"),
    path("stories/<int:story_pk>/copy/", views.national_story_copy, name="story_copy"),
    path("stories/<int:story_pk>/publish/", views.national_story_publish, name="story_publish"),
]

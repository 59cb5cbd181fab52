from django.urls import path

from . import views

app_name = "admin_portal"

urlpatterns = [
    path("skills/", views.skill_list, name="skills"),
    path("skills/new/", views.skill_create, name="skill_create"),
    path("skills/<int:skill_id>/", views.skill_edit, name="skill_edit"),
    path("skills/<int:skill_id>/delete/", views.skill_delete, name="skill_delete"),
    path("topics/", views.topic_list, name="topics"),
    path("topics/new/", views.topic_create, name="topic_create"),
    path("topics/<int:topic_id>/", views.topic_edit, name="topic_edit"),
    path("topics/<int:topic_id>/delete/", views.topic_delete, name="topic_delete"),
    path("settings/", views.general_settings, name="settings"),
    path("settings/languages/", views.language_add, name="language_add"),
    path("settings/languages/<str:code>/remove/", views.language_remove, name="language_remove"),
    path("office-hours/", views.office_hours, name="office_hours"),
    path("office-hours/periods/", views.period_add, name="period_add"),
    path("office-hours/periods/<int:period_id>/delete/", views.period_delete, name="period_delete"),
    path("office-hours/closures/", views.closure_add, name="closure_add"),
    path("office-hours/closures/<int:closure_id>/delete/", views.closure_delete, name="closure_delete"),
    path("office-hours/closures/import-holidays/", views.holidays_import, name="holidays_import"),
    path("faq/", views.faq_page, name="faq"),
]

from django.urls import path

from . import operator_views, views
from .models import Realm

app_name = "operator"

urlpatterns = [
    path("login/", views.login_view, {"realm": Realm.OPERATOR}, name="login"),
    path("", operator_views.organisations, name="organisations"),
    path("organisations/new/", operator_views.order_form, name="order_form"),
    path("organisations/<int:org_id>/", operator_views.organisation, name="organisation"),
    path("organisations/<int:org_id>/activate/", operator_views.activate, name="activate"),
]

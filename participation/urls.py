from django.urls import path

from . import views

app_name = "participation"

urlpatterns = [
    path("take-part/", views.take_part, name="take_part"),
]

from django.urls import path

from . import views

app_name = "recommendations"

urlpatterns = [
    path("", views.home, name="home"),
    path("recommendations/", views.recommendation_list, name="list"),
    path("recommendations/export.csv", views.recommendation_export_csv, name="export_csv"),
    path("recommendations/<str:code>/", views.recommendation_detail, name="detail"),
    path("source/", views.source_document, name="source"),
]

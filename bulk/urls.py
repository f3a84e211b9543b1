from django.urls import path

from . import views

app_name = "bulk"

urlpatterns = [
    path("review/bulk/", views.bulk_review, name="review"),
    path("review/bulk/<uuid:token>/", views.review_job, name="review_job"),
]

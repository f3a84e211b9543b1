from django.urls import path

from . import views

app_name = "import_jobs"

urlpatterns = [
    path("progress/imports/", views.my_imports, name="mine"),
    path("progress/imports/<uuid:pk>/", views.job_page, name="job"),
    path("progress/imports/<uuid:pk>/retry/", views.retry, name="retry"),
]

from django.urls import path

from . import views

app_name = "recommendations"

urlpatterns = [
    path("", views.home, name="home"),
    # The calls to action.
    path("recommendations/", views.recommendation_list, name="list"),
    path("recommendations/export.csv", views.recommendation_export_csv, name="export_csv"),
    path("recommendations/export.json", views.recommendation_export_json, name="export_json"),
    path("recommendations/<str:code>/", views.recommendation_detail, name="detail"),
    path("source/", views.source_document, name="source"),
    path("statuses/", views.glossary_page, name="glossary"),
    # Countries and organizations.
    path("actors/", views.actor_list, name="actors"),
    path("actors/search.json", views.actor_search, name="actor_search"),
    path("actors/<str:code>/", views.actor_detail, name="actor"),
    path("actors/<str:code>/<str:item_code>/", views.timeline, name="timeline"),
    # Status reports and their exports.
    path("reports/", views.report_summary, name="report_summary"),
    path("reports/matrix/", views.report_matrix, name="report_matrix"),
    path("reports/table/", views.report_table, name="report_table"),
    path("reports/status.csv", views.status_csv, name="status_csv"),
    path("reports/status.xlsx", views.status_xlsx, name="status_xlsx"),
    path("reports/status.json", views.status_json, name="status_json"),
    path("reports/history.csv", views.history_csv, name="history_csv"),
    path("reports/chart.svg", views.chart_svg, name="chart_svg"),
    path("reports/chart.png", views.chart_png, name="chart_png"),
    # Logging and reviewing progress.
    path("progress/new/", views.progress_new, name="progress_new"),
    path("progress/import/", views.progress_import, name="progress_import"),
    path("progress/import/template.csv", views.import_template_csv, name="import_template_csv"),
    path("progress/import/template.xlsx", views.import_template_xlsx, name="import_template_xlsx"),
    path("updates/<int:pk>/", views.update_detail, name="update"),
    path("updates/<int:pk>/edit/", views.update_edit, name="update_edit"),
    path("updates/<int:pk>/withdraw/", views.update_withdraw, name="update_withdraw"),
    path("updates/<int:pk>/review/", views.update_review, name="update_review"),
    path("updates/<int:pk>/evidence/", views.evidence_download, name="evidence"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/imports/<uuid:pk>/", views.import_review, name="import_review"),
    path("my/updates/", views.my_updates, name="my_updates"),
    path("audit/", views.audit_log, name="audit"),
]

"""The annual report under /o/<org_slug>/report/."""

from django.urls import path

from impact import report_views

app_name = "report"

urlpatterns = [
    path("", report_views.annual_report, name="annual"),
    path("xlsx/", report_views.report_xlsx, name="xlsx"),
    path("pdf/", report_views.report_pdf_start, name="pdf_start"),
    path("pdf/<int:report_run_pk>/", report_views.report_run, name="run"),
    path("pdf/<int:report_run_pk>/download/", report_views.report_download, name="download"),
]

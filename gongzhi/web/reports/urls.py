from django.urls import path

from gongzhi.web.reports import dashboard, kpis, periodic

# docs/kpis.md, docs/reports.md
urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/data.json", dashboard.dashboard_data, name="dashboard_data"),
    path("reports/kpis/", kpis.kpi_page, name="kpis"),
    path("reports/kpis/<str:key>/cases/", kpis.kpi_cases, name="kpis_cases"),
    path("reports/rankings/", kpis.ranking_page, name="kpis_rankings"),
    path("reports/figures/<str:measure>/cases/", kpis.figure_cases, name="figure_cases"),
    path("reports/", periodic.report_list, name="reports"),
    path("reports/<int:pk>/", periodic.report_detail, name="reports_detail"),
    path("reports/<int:pk>/notes/", periodic.report_note, name="reports_note"),
    path("reports/<int:pk>.docx", periodic.report_docx, name="reports_docx"),
    path("reports/<int:pk>.xlsx", periodic.report_xlsx, name="reports_xlsx"),
]

"""Reports of a run directory: terminal, CSV, workbook and the HTML report with its charts.

Reporting reads run directories and imports nothing from the application layer (`runs`).
"""

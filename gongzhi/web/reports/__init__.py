"""统计 pages: the KPIs with their drill-down and rankings, the 日报 / 周报, the command centre."""

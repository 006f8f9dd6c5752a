"""The city view across districts (docs/scaling.md "City view", docs/adr/0037-city-view-logical-replication.md).

Each district keeps its own database and publishes its KPI day totals (reports.DayTotal, counts
only) and the names of its streets (reports.CityNode) by PostgreSQL logical replication; the
city reporting database (the "city" alias, CITY_DATABASE_URL) subscribes to every district, and
the city dashboard ranks districts and streets from it. Nothing personal leaves a district.
"""

"""关爱 pages (docs/care.md): my visits due and the open alerts, a subject's page, the visit and
outcome forms."""

"""工单 pages: reporting (resident, patrol, 12345 hotline import, category suggestions), the lists,
a case's page and its actions, the map, the contact phone revealed, the photos."""

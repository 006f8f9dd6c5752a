"""The street's structure and people: the tree, the 三定 roster of an area, routing coverage,
people search and a person's page (numbers revealed with a purpose), and the Excel imports."""

"""Excel import and export of the tree, units, people and the 三定 roster.

templates.py holds the column definitions every other module reads; run.run_import validates
every row before anything is written and writes all or nothing through the services;
export.export writes the same templates back out.
"""

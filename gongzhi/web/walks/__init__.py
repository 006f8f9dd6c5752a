"""Walks: whole scenarios driven through the real pages in a browser, shared by the browser
tests (against live_server) and the runnable walks (against a running `make demo`)."""

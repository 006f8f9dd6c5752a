"""One module per benchmark suite; each has NAME and run(results, options). See bench/run.py."""

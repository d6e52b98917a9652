"""The commands, one module per family; ``cli.py`` parses the command line and hands each
to its function here, and turns every refusal into its exit code."""

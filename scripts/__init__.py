"""The commands behind the Makefile: python -m scripts.<name>, and shell scripts."""

"""The command line (`ipsmap ...`): one module per family of commands, wired in commands.py."""

from ipsmap.cli.commands import build_parser, main

__all__ = ["build_parser", "main"]

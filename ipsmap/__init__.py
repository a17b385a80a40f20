"""ipsmap: participatory systems mapping for coproduction workshops and realist evaluation."""

__version__ = "0.2.0"

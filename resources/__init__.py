"""Data files shipped with ipsmap: the demo project source, icons, stylesheet."""

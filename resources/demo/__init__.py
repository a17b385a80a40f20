"""The demo project: one ipsmap-map JSON file per map."""

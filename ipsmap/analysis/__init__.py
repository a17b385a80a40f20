"""Analysis of maps as networkx graphs. No Qt."""

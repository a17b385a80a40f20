"""Evaluation tools: CMO configurations, comparison and aggregation, snapshots."""

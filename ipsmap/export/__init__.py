"""Evaluator outputs (PDF, HTML, tables). Heavy libraries are imported lazily."""

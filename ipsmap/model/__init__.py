"""The domain model and project store: no Qt, no pandas."""

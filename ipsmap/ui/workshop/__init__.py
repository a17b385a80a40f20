"""The workshop tools: participants and sessions, marks, balance of voices."""

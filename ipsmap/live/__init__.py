"""Live sessions: several laptops and phones working on the same maps over the room's network."""

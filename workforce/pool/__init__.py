"""The emergency social-worker pool: workers, councils' requests, the matcher, offers and
placements."""

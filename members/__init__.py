"""Group membership: joining, leaving, listing, bans, and who may take part in what."""

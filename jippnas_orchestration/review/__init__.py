"""The review queue: what the agency resolver and the matcher could not decide, and people's decisions."""

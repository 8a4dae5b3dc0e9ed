from .portal import portal_candidate, portal_innovations

__all__ = ["portal_candidate", "portal_innovations"]

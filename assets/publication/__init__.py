from .checks import HARMONIZED_GATE, PORTAL_GATE
from .portal import portal_candidate, portal_innovations

__all__ = ["HARMONIZED_GATE", "PORTAL_GATE", "portal_candidate", "portal_innovations"]

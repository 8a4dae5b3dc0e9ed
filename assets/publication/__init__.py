from .checks import harmonized_innovations_gate, portal_candidate_gate
from .portal import portal_candidate, portal_innovations

__all__ = ["harmonized_innovations_gate", "portal_candidate", "portal_candidate_gate", "portal_innovations"]

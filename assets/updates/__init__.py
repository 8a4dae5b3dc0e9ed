from .innovation_change_log import innovation_change_log, innovation_submissions

__all__ = ["innovation_change_log", "innovation_submissions"]

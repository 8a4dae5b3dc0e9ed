from .innovation_updates import innovation_updates

__all__ = ["innovation_updates"]

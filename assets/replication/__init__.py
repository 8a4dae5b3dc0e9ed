from .replication import affair_coverage, innovation_replications, replication_opportunities

__all__ = ["affair_coverage", "innovation_replications", "replication_opportunities"]

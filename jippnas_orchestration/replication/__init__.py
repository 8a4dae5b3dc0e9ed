"""Replication: where each innovation has spread (innovation_replications), which regional
governments have an active innovation in each government affair (affair_coverage, with each
innovation's affair in innovation_affairs) and the best innovations of others to replicate where
they have none (replication_opportunities, published as portal/opportunities.{csv,json})."""

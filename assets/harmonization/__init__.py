from .agencies import agencies
from .checks import entity_resolution_quality
from .harmonized import harmonized_innovations, merged_innovations
from .provenance import field_provenance
from .review import match_review
from .similar import similar_innovations
from .source_map import innovation_source_map
from .staging import staged_source_records

__all__ = [
    "agencies",
    "entity_resolution_quality",
    "field_provenance",
    "similar_innovations",
    "harmonized_innovations",
    "innovation_source_map",
    "match_review",
    "merged_innovations",
    "staged_source_records",
]

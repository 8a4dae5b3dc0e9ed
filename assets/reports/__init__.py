from .data_quality_report import data_quality_report

__all__ = ["data_quality_report"]

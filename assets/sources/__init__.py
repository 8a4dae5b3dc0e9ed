from .iga import raw_iga
from .inolan import raw_inolan
from .kipp import raw_kipp

__all__ = ["raw_iga", "raw_inolan", "raw_kipp"]

"""Doctrines: policies of an exporter, registered by name.

Built in: ``nationalist``, ``militant``, ``pragmatic``, ``gradualist``,
``constitutional``, ``factional`` and ``historical``. Add your own as a Python
class (subclass :class:`Doctrine`, decorate with :func:`register`) or as a
TOML table (:mod:`revexport.doctrines.parametric`).
"""

from revexport.doctrines import (  # noqa: F401  (each module registers its doctrine)
    constitutional,
    factional,
    gradualist,
    historical,
    militant,
    nationalist,
    pragmatic,
)
from revexport.doctrines.base import Allocation, Doctrine, Observation
from revexport.doctrines.parametric import ParametricDoctrine, load_doctrine_file
from revexport.doctrines.registry import doctrine_names, get_doctrine, register

__all__ = [
    "Allocation",
    "Doctrine",
    "Observation",
    "ParametricDoctrine",
    "doctrine_names",
    "get_doctrine",
    "load_doctrine_file",
    "register",
]

"""Doctrines: policies of an exporter, registered by name.

Built in: ``nationalist``, ``militant``, ``pragmatic``, ``gradualist``, ``constitutional``,
``factional`` and ``historical``, each written as data (:mod:`revexport.doctrines.spec`) and
run by one compiled decision kernel. Add your own as a TOML table
(:mod:`revexport.doctrines.parametric`), as a :class:`DoctrineSpec` registered with
:func:`register_spec`, or as a Python class (subclass :class:`Doctrine`, decorate with
:func:`register`).
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
from revexport.doctrines.registry import doctrine_names, get_doctrine, register, register_spec
from revexport.doctrines.spec import DoctrineSpec, Faction, Policy, SpecDoctrine

__all__ = [
    "Allocation",
    "Doctrine",
    "DoctrineSpec",
    "Faction",
    "Observation",
    "ParametricDoctrine",
    "Policy",
    "SpecDoctrine",
    "doctrine_names",
    "get_doctrine",
    "load_doctrine_file",
    "register",
    "register_spec",
]

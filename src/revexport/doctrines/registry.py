"""The doctrine registry: names to doctrine factories, explicit and typed.

Built-in doctrines are data and register themselves with :func:`register_spec` when
:mod:`revexport.doctrines` is imported; a user registers a spec the same way, a TOML doctrine
with :func:`revexport.doctrines.parametric.register_from_toml`, or a Python class with
``@register("name")``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from revexport.doctrines.base import Doctrine
from revexport.errors import RevexportError

if TYPE_CHECKING:
    from revexport.doctrines.spec import DoctrineSpec

_REGISTRY: dict[str, Callable[[], Doctrine]] = {}
T = TypeVar("T", bound=type[Doctrine])


def register(name: str) -> Callable[[T], T]:
    """Class decorator: register a :class:`Doctrine` subclass under ``name``.

    Examples
    --------
    >>> from revexport.doctrines import Doctrine, register
    >>> @register("quietist")                       # doctest: +SKIP
    ... class Quietist(Doctrine):
    ...     def decide(self, obs, memory, rng): ...
    """

    def deco(cls: T) -> T:
        register_factory(name, cls)
        cls.name = name
        return cls

    return deco


def register_factory(name: str, factory: Callable[[], Doctrine]) -> None:
    """Register any zero-argument callable that returns a :class:`Doctrine`."""
    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise RevexportError(f"doctrine name must be letters, digits, '-' or '_', got '{name}'")
    _REGISTRY[name] = factory


def register_spec(name: str, spec: DoctrineSpec) -> None:
    """Register a doctrine written as data under ``name``."""
    from revexport.doctrines.spec import SpecDoctrine

    register_factory(name, lambda: SpecDoctrine(name, spec))


def doctrine_names() -> list[str]:
    """Registered doctrine names, sorted."""
    _ensure_builtins()
    return sorted(_REGISTRY)


def get_doctrine(name: str) -> Doctrine:
    """A new instance of the doctrine registered as ``name``.

    Raises
    ------
    RevexportError
        ``doctrine must be one of {...}; got 'militnat'``
    """
    _ensure_builtins()
    if name not in _REGISTRY:
        raise RevexportError(
            f"doctrine must be one of {{{', '.join(sorted(_REGISTRY))}}}; got '{name}'"
        )
    return _REGISTRY[name]()


def _ensure_builtins() -> None:
    import revexport.doctrines  # noqa: F401  (registers the built-ins)

"""Model instances and querysets → ``msgspec.Struct`` schemas: the kernel's reading plan.

The plan itself (``OrmPlan``, ``to_struct``, ``to_structs``, ``with_relations``, ...) lives
in ``bolt.serializers._reading``, because ``Serializer.dump`` needs it with no plugin
enabled; the names are re-exported here, the same objects, for the plugin's modules. What
stays the plugin's own is ``install_from_model``: giving every ``msgspec.Struct`` a
``from_model`` classmethod when the plugin loads.
"""

from __future__ import annotations

import msgspec

from bolt.serializers._reading import OrmPlan as OrmPlan
from bolt.serializers._reading import _unwrap as _unwrap
from bolt.serializers._reading import _values_plan as _values_plan
from bolt.serializers._reading import (
    generic_from_model,
    has_own_from_model,
    is_struct,
    plan_for,
    related_paths,
    schema_target,
    to_struct,
    to_structs,
    with_relations,
)

__all__ = [
    "OrmPlan",
    "generic_from_model",
    "has_own_from_model",
    "install_from_model",
    "is_struct",
    "plan_for",
    "related_paths",
    "schema_target",
    "to_struct",
    "to_structs",
    "with_relations",
]

_GENERIC = classmethod(generic_from_model)


def install_from_model() -> None:
    """Give every ``msgspec.Struct`` a ``from_model`` classmethod (the guide calls
    ``Schema.from_model(instance)`` on plain Structs). A schema that defines its own keeps it.
    """
    if getattr(msgspec.Struct, "from_model", None) is None:
        msgspec.Struct.from_model = _GENERIC  # type: ignore[attr-defined]

"""Serializers: msgspec Structs with validators, computed fields, field options, model
schemas and all-errors-at-once validation. See ``docs/serializers.md``.

    from bolt.serializers import Serializer, field_validator, model_validator, computed_field
"""

from bolt.serializers._core import (
    Serializer,
    SerializerMeta,
    ValidationError,
    ValidatorFailed,
    computed_field,
    field,
    field_validator,
    model_validator,
)
from bolt.serializers._load import (
    BodyDecoder,
    contains_serializer,
    convert_value,
    doc_view,
    input_view,
    output_passthrough,
    output_view,
)

__all__ = [
    "BodyDecoder",
    "Serializer",
    "SerializerMeta",
    "ValidationError",
    "ValidatorFailed",
    "computed_field",
    "contains_serializer",
    "convert_value",
    "doc_view",
    "field",
    "field_validator",
    "input_view",
    "model_validator",
    "output_passthrough",
    "output_view",
]

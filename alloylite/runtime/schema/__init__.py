"""Component argument schemas: declaring fields, converting and decoding values into them,
encoding them for the API, and naming their types.

Arguments are dataclasses whose fields carry Alloy metadata through `attr()` and
`block()`. Each concern has its module; this package re-exports the names callers use.
"""

from alloylite.runtime.schema.convert import (
    ConvertError,
    convert,
    converter_for,
    zero_value,
)
from alloylite.runtime.schema.decode import DecodeContext, UnknownValue, decode
from alloylite.runtime.schema.durations import format_duration, parse_duration
from alloylite.runtime.schema.encode import encode
from alloylite.runtime.schema.fields import (
    DataSchema,
    FieldSpec,
    attr,
    block,
    data_field,
    defaults_of,
    fields_of,
    label,
    label_field_of,
)
from alloylite.runtime.schema.naming import alloy_type, capsule_name, capsule_type

__all__ = [
    "ConvertError",
    "DataSchema",
    "DecodeContext",
    "FieldSpec",
    "UnknownValue",
    "alloy_type",
    "attr",
    "block",
    "capsule_name",
    "capsule_type",
    "convert",
    "data_field",
    "converter_for",
    "decode",
    "defaults_of",
    "encode",
    "fields_of",
    "label",
    "label_field_of",
    "format_duration",
    "parse_duration",
    "zero_value",
]

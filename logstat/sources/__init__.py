"""Sources: command-line arguments to inputs that polars can scan (paths, globs, stdin, archives)."""

from logstat.sources.compression import DAMAGE, MAGIC, NATIVE, compression_of, decode_to_file, open_decoded
from logstat.sources.encoding import CR_NOTE, UTF16_NOTE, lf_copy, utf8_copy, utf16_order
from logstat.sources.model import Input
from logstat.sources.paths import expand_arguments
from logstat.sources.resolve import open_inputs

__all__ = [
    "CR_NOTE",
    "DAMAGE",
    "MAGIC",
    "NATIVE",
    "UTF16_NOTE",
    "Input",
    "compression_of",
    "decode_to_file",
    "expand_arguments",
    "lf_copy",
    "open_decoded",
    "open_inputs",
    "utf8_copy",
    "utf16_order",
]

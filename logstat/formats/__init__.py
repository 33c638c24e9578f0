"""Log formats: the model, the nginx and Apache compilers, the built-ins, line prefixes and detection."""

from logstat.formats.apache import APACHE_DIRECTIVES, STRFTIME_PATTERNS, compile_apache, strftime_pattern
from logstat.formats.builtins import BUILTIN_FORMATS, UNDETECTED, resolve_log_format
from logstat.formats.detect import (
    DETECTION_THRESHOLD,
    ERROR_LOG_SHAPES,
    Detection,
    detect_format,
    error_log_kind,
    fit_prefix,
    match_table,
)
from logstat.formats.model import FIELD_PATTERNS, IMPOSSIBLE_DAY, QUOTED_CONTENT, TIME_FIELDS, LogFormat, Token
from logstat.formats.nginx import compile_nginx
from logstat.formats.prefixes import LINE_PREFIXES, with_prefix

__all__ = [
    "APACHE_DIRECTIVES",
    "BUILTIN_FORMATS",
    "DETECTION_THRESHOLD",
    "ERROR_LOG_SHAPES",
    "FIELD_PATTERNS",
    "IMPOSSIBLE_DAY",
    "LINE_PREFIXES",
    "QUOTED_CONTENT",
    "STRFTIME_PATTERNS",
    "TIME_FIELDS",
    "UNDETECTED",
    "Detection",
    "LogFormat",
    "Token",
    "compile_apache",
    "compile_nginx",
    "detect_format",
    "error_log_kind",
    "fit_prefix",
    "match_table",
    "resolve_log_format",
    "strftime_pattern",
    "with_prefix",
]

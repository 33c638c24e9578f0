"""nginx ``log_format`` strings (or whole directives) compiled to a :class:`LogFormat`."""

from __future__ import annotations

import re

from logstat.formats.model import LogFormat, Token, checked_format, merge_literals

NGINX_VARIABLE = re.compile(r"\$(?:\{(?P<braced>[A-Za-z0-9_]+)\}|(?P<plain>[A-Za-z0-9_]+))")


_NGINX_DIRECTIVE = re.compile(r"^\s*log_format\s+[A-Za-z0-9_]+\s+(?:escape=[a-z]+\s+)?(?P<body>.*?);?\s*$", re.S)


_NGINX_SEGMENT = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")


def compile_nginx(definition: str, *, name: str = "custom") -> LogFormat:
    """Compile an nginx ``log_format`` string (or a whole ``log_format`` directive)."""
    text = _unwrap_nginx(definition)
    tokens: list[Token] = []
    pos = 0
    for match in NGINX_VARIABLE.finditer(text):
        if match.start() > pos:
            tokens.append(Token(text[pos : match.start()], is_field=False))
        tokens.append(Token((match["braced"] or match["plain"]).lower(), is_field=True))
        pos = match.end()
    if pos < len(text):
        tokens.append(Token(text[pos:], is_field=False))
    return checked_format(LogFormat(name, text, "nginx", merge_literals(tokens)))


def _unwrap_nginx(definition: str) -> str:
    match = _NGINX_DIRECTIVE.match(definition)
    if match:
        segments = _NGINX_SEGMENT.findall(match["body"])
        return "".join(single or double for single, double in segments)
    stripped = definition.strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == "'":
        return stripped[1:-1]
    return definition

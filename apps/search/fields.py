"""A set of search tokens in one column: a ``tsvector`` on PostgreSQL, text elsewhere.

On PostgreSQL each token is one lexeme of a ``tsvector`` (written with a plain ``::tsvector``
cast, so no text-search parser or dictionary touches it) and ``tokens__any=[...]`` is
``tokens @@ 'a' | 'b'``, which a GIN index answers (migration 0001 creates it there). On SQLite
(the local one-command run) the column holds `` a b c `` and the lookup is a substring test: no
index, fine for a laptop's worth of data.
"""

import re

from django.db import models
from django.db.models import Lookup

from apps.search.tokens import TOKEN_ALPHABET

# One match over all the tokens, joined by spaces (not in the alphabet; the count of spaces
# catches a token that holds one): a set per token cost a message about 1 % of its CPU.
_CHARS = f"[{re.escape(''.join(sorted(TOKEN_ALPHABET)))}]+"
_TOKENS = re.compile(f"{_CHARS}(?: {_CHARS})*")


def _clean(tokens) -> list[str]:
    tokens = sorted(set(tokens))
    joined = " ".join(tokens)
    if tokens and not (_TOKENS.fullmatch(joined) and joined.count(" ") == len(tokens) - 1):
        raise ValueError("search tokens are base64 text")
    return tokens


class TokenSetField(models.Field):
    description = "A set of opaque search tokens"

    def db_type(self, connection) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value, compiler, connection) -> str:
        return "%s::tsvector" if connection.vendor == "postgresql" else "%s"

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        tokens = _clean(value)
        if connection.vendor == "postgresql":
            return " ".join(f"'{token}'" for token in tokens)
        return f" {' '.join(tokens)} "

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return frozenset(value.replace("'", " ").split())

    def to_python(self, value):
        if value is None or isinstance(value, (set, frozenset)):
            return value
        if isinstance(value, str):
            return frozenset(value.replace("'", " ").split())
        return frozenset(value)


@TokenSetField.register_lookup
class HasAny(Lookup):
    """``tokens__any=["a", "b"]``: the set holds at least one of these tokens."""

    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        tokens = self.rhs_params_tokens()
        clauses = " OR ".join([f"instr({lhs}, %s) > 0"] * len(tokens))
        params = []
        for token in tokens:
            params += [*lhs_params, f" {token} "]
        return f"({clauses})", params

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        query = " | ".join(f"'{token}'" for token in self.rhs_params_tokens())
        return f"{lhs} @@ %s::tsquery", [*lhs_params, query]

    def rhs_params_tokens(self) -> list[str]:
        tokens = _clean(self.rhs)
        if not tokens:
            raise ValueError("tokens__any needs at least one token")
        return tokens

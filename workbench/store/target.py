"""Which database a `--db` value names: a PostgreSQL URL (team mode) or a local SQLite file, and
a URL fit to show (its password taken out). No driver is imported here: the local start asks
this module and never pays for PostgreSQL's."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

URL_SCHEMES = ("postgresql://", "postgres://")
# libpq options in the query string that hold a secret.
_SECRET_OPTIONS = frozenset({"password", "sslpassword"})


def is_team_url(target: object) -> bool:
    """Whether `target` (a `--db` value) is a PostgreSQL URL rather than a file path."""
    return isinstance(target, str) and target.strip().lower().startswith(URL_SCHEMES)


def is_mangled_url(target: object) -> bool:
    """Whether `target` starts like a PostgreSQL URL without being one ("postgresql:/host/db",
    or a URL that went through a Path, which folds its "//"): never a file to create."""
    text = str(target).strip().lower()
    return text.startswith(("postgresql:", "postgres:")) and not is_team_url(str(target))


def redact_url(url: str) -> str:
    """The URL without its password (in the user part or the query): what messages show."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            user, _, host = netloc.rpartition("@")
            if ":" in user:
                user = user.split(":", 1)[0] + ":***"
            netloc = f"{user}@{host}"
        query = parts.query
        if query:
            pairs = [
                (key, "***" if key.lower() in _SECRET_OPTIONS else value)
                for key, value in parse_qsl(query, keep_blank_values=True)
            ]
            query = urlencode(pairs, safe="/:")
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return "the team database URL"


def url_host(url: str) -> str:
    """The server a URL names, for a message: its host (or socket directory) and database."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or dict(parse_qsl(parts.query)).get("host") or "localhost"
        database = parts.path.lstrip("/")
    except ValueError:
        return "the team database"
    return f"{host}/{database}" if database else host

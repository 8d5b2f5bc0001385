"""WhiteNoise hooks for the browser app's files."""


def immutable_file(path: str, url: str) -> bool:
    """Vite puts a content hash in every name under /assets/: cache those forever."""
    return url.startswith("/assets/")

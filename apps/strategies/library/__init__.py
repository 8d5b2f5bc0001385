"""Built-in strategies; importing this package registers them."""

from . import ema_cross, hma_sma  # noqa: F401
